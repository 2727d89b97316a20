// Small helpers shared by pages. HTMX does the rest.
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("sz-htmx-error");
  if (box) { box.textContent = "请求失败（" + evt.detail.xhr.status + "），请稍后再试。"; box.classList.remove("d-none"); }
});
// <form data-confirm="…">: ask before submitting (the text comes from the template, escaped as an attribute).
document.addEventListener("submit", function (evt) {
  var text = evt.target.getAttribute && evt.target.getAttribute("data-confirm");
  if (text && !window.confirm(text)) { evt.preventDefault(); }
});
