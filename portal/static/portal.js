// Progressive enhancement only: every flow works without this file.
// On the import page, show the upload's progress while the file is sent.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var bar = document.getElementById(form.getAttribute("data-progress"));
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && bar) { bar.hidden = false; bar.value = e.loaded; bar.max = e.total; }
    });
    xhr.addEventListener("load", function () {
      document.open(); document.write(xhr.responseText); document.close();
    });
    xhr.send(new FormData(form));
  });
});
