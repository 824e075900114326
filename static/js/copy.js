// "Copy link" buttons: copy the text of the field named by data-copy and say so in the status line.
// Falls back to selecting the text (the person copies it themselves) where the clipboard is refused.
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("aria-describedby"));
      if (!field) return;
      var say = function (text) { if (status) status.textContent = text; };
      var select = function () { field.focus(); field.select(); say("Selected: press Ctrl+C (⌘C) to copy."); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { say("Copied to the clipboard."); }, select);
      } else {
        select();
      }
    });
  });
})();
