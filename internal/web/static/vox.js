// Progressive enhancement only: every page works without this file.
// A select marked data-autosubmit submits its form on change (the workspace
// switcher), and the now redundant submit button is hidden.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    var form = sel.form;
    if (!form) return;
    var btn = form.querySelector("button[type=submit]");
    if (btn) btn.hidden = true;
    sel.addEventListener("change", function () { form.submit(); });
  });
});

// Live feedback: the explorer's first page listens on /events and says how
// many new items arrived, with a link that reloads the list. Without
// EventSource (or JavaScript) the page's plain reload link remains.
document.addEventListener("DOMContentLoaded", function () {
  var live = document.querySelector("[data-live]");
  if (!live || !window.EventSource) return;
  var count = 0;
  var out = live.querySelector("[data-count]");
  var es = new EventSource(live.getAttribute("data-live"));
  es.addEventListener("feedback", function (e) {
    var d;
    try { d = JSON.parse(e.data); } catch (err) { return; }
    count += d.count || 0;
    out.textContent = String(count);
    live.hidden = false;
  });
  window.addEventListener("pagehide", function () { es.close(); });
});


// SLA countdowns: the server writes "due in …" / "overdue by …" at load;
// this rewrites them every 30 s (and when the tab regains focus) from each
// case's due time, in the page's language (#sla-words holds the formats)
// and by the server's clock. Without JavaScript the server's text stays.
document.addEventListener("DOMContentLoaded", function () {
  var w = document.getElementById("sla-words");
  if (!w || !document.querySelector(".sla[data-due]")) return;
  var skew = Number(w.getAttribute("data-now")) - Date.now();
  function fmt(s, args) {
    var i = 0;
    return s.replace(/%[ds]/g, function () { return String(args[i++]); });
  }
  function span(ms) {
    var m = Math.round(ms / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    if (d > 0) return fmt(w.getAttribute("data-dh"), [d, h]);
    if (h > 0) return fmt(w.getAttribute("data-hm"), [h, m % 60]);
    return fmt(w.getAttribute("data-m"), [m % 60]);
  }
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll(".sla[data-due]").forEach(function (el) {
      var left = Number(el.getAttribute("data-due")) - now;
      var sla = Number(el.getAttribute("data-sla-min")) * 60000;
      el.textContent = left < 0 ? fmt(w.getAttribute("data-overdue"), [span(-left)]) : fmt(w.getAttribute("data-due-in"), [span(left)]);
      el.className = "sla " + (left < 0 ? "sla-overdue" : left * 4 < sla ? "sla-soon" : "sla-ok");
    });
  }
  tick();
  setInterval(tick, 30000);
  window.addEventListener("focus", tick);
});
