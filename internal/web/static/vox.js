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

