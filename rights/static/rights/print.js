/* The certificate's print button (a local script: the pages' CSP allows no inline code). */
(function () {
  "use strict";
  var button = document.getElementById("rp-print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
}());
