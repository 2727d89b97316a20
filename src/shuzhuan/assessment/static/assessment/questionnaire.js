// Multiple choice: the exclusive 「无」 option clears the others, and the others clear it.
document.addEventListener("change", function (evt) {
  var box = evt.target;
  if (!box.matches || !box.matches("input[type=checkbox][data-none-group]")) return;
  var group = document.querySelectorAll("input[type=checkbox][data-none-group='" + box.dataset.noneGroup + "']");
  var isNone = box.hasAttribute("data-none");
  if (!box.checked) return;
  group.forEach(function (other) {
    if (other !== box && (isNone || other.hasAttribute("data-none"))) other.checked = false;
  });
});
// After an evidence upload, clear the file input that belongs to the upload form.
document.addEventListener("htmx:afterRequest", function (evt) {
  var form = evt.detail.elt;
  if (form && form.matches && form.matches("form[data-evidence-form]") && evt.detail.successful) form.reset();
});
