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
