// Confirmation before a dangerous or irreversible action: a submit button with data-confirm="question"
// opens a dialog; only "Yes" submits the form with that button (its name and value kept). With
// data-confirm-field/data-confirm-when, it asks only when that field of the form has that value.
(function () {
  var dialog = null, pending = null;
  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "rp-dialog";
    dialog.setAttribute("aria-labelledby", "rp-dialog-q");
    dialog.innerHTML = '<form method="dialog"><p id="rp-dialog-q" class="rp-dialog-q"></p>' +
      '<p id="rp-dialog-more" class="rp-note"></p><p class="rp-actions">' +
      '<button value="yes" class="rp-danger" id="rp-dialog-yes"></button>' +
      '<button value="no" class="rp-secondary" autofocus>Cancel</button></p></form>';
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var button = pending; pending = null;
      if (button && dialog.returnValue === "yes") {
        button.dataset.confirmed = "1";
        if (button.form.requestSubmit) { button.form.requestSubmit(button); } else { button.click(); }
      }
    });
  }
  function needed(button) {
    var field = button.getAttribute("data-confirm-field"), when = button.getAttribute("data-confirm-when");
    if (!field) { return true; }
    var checked = button.form.querySelector('[name="' + field + '"]:checked') || button.form.elements[field];
    return checked && checked.value === when;
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button[data-confirm]") : null;
    if (!button || !button.form) { return; }
    if (button.dataset.confirmed) { delete button.dataset.confirmed; return; }
    if (!needed(button)) { return; }
    e.preventDefault();
    if (!dialog) { build(); }
    pending = button;
    dialog.querySelector("#rp-dialog-q").textContent = button.getAttribute("data-confirm");
    dialog.querySelector("#rp-dialog-more").textContent = button.getAttribute("data-confirm-detail") || "";
    dialog.querySelector("#rp-dialog-yes").textContent = button.getAttribute("data-confirm-yes") || "Yes, go ahead";
    dialog.returnValue = "";
    dialog.showModal();
  });
}());
