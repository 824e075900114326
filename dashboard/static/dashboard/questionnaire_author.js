// The authoring form: show only the fields of the chosen item type, and propose a key from the title.
// Without this script every field shows (each group is headed by its type) and the server fills the key.
(function () {
  var form = document.getElementById("qa-form");
  if (!form) { return; }
  var type = form.querySelector('[name="item-type"]');
  function showGroups() {
    var groups = form.querySelectorAll(".rp-qa-group[data-types]");
    for (var i = 0; i < groups.length; i++) {
      var types = groups[i].getAttribute("data-types").split(" ");
      groups[i].hidden = types.indexOf(type.value) === -1;
    }
  }
  if (type) { type.addEventListener("change", showGroups); showGroups(); }
  var title = form.querySelector('[name="q-title"]'), key = form.querySelector('[name="q-key"]');
  if (title && key) {
    var proposed = key.value === "" || key.value === slug(title.value);
    // A title typed before this deferred script ran still gets its key proposed.
    if (proposed && title.value !== "") { key.value = slug(title.value); }
    key.addEventListener("input", function () { proposed = key.value === ""; });
    title.addEventListener("input", function () { if (proposed) { key.value = slug(title.value); } });
  }
  function slug(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9\s_-]/g, "")
      .trim().replace(/[\s-]+/g, "-").slice(0, 40).replace(/[-_]+$/, "");
  }
  var errors = document.getElementById("qa-errors");
  if (errors) { errors.focus(); }
}());
