// A list upload with a progress bar: the same form post, sent by XMLHttpRequest so that the
// bytes sent can be shown. Without JavaScript the form posts as it is.
"use strict";
document.querySelectorAll("form[data-list-upload]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.XMLHttpRequest || !window.FormData) { return; }
    event.preventDefault();
    var box = form.querySelector(".upload-progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var request = new XMLHttpRequest();
    box.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      bar.max = e.total; bar.value = e.loaded;
      text.textContent = Math.floor(e.loaded / 1048576) + " / " + Math.ceil(e.total / 1048576) + " MB";
    });
    // The answer is the page the post redirected to, with its message: shown as it is.
    request.addEventListener("load", function () {
      window.history.replaceState(null, "", request.responseURL);
      document.open(); document.write(request.responseText); document.close();
    });
    request.addEventListener("error", function () { form.submit(); });
    request.open("POST", form.action);
    request.send(new FormData(form));
  });
});
