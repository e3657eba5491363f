// Seam back office: the few things htmx does not do. Every page works
// without this file.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-copy]");
    if (t) {
      var src = document.getElementById(t.getAttribute("data-copy"));
      if (src && navigator.clipboard) {
        e.preventDefault();
        navigator.clipboard.writeText(src.value || src.textContent).then(function () { t.textContent = "Copied"; });
      }
      return;
    }
    var o = e.target.closest("[data-dialog]");
    if (o) {
      var d = document.getElementById(o.getAttribute("data-dialog"));
      if (d && d.showModal) { e.preventDefault(); d.showModal(); }
      return;
    }
    var c = e.target.closest("[data-close]");
    if (c) {
      var dlg = c.closest("dialog");
      if (dlg) { e.preventDefault(); dlg.close(); }
    }
  });
})();
