// htmx 2 keeps the page's path in sessionStorage for its history support, even with history
// off. Tropa keeps nothing in the browser's storage: the key is removed as soon as htmx has
// written it, and again when the page is left.
(function () {
  var key = "htmx-current-path-for-history";
  function forget() {
    try { window.sessionStorage.removeItem(key); } catch (e) { /* storage disabled: nothing kept */ }
  }
  document.addEventListener("htmx:load", forget);
  document.addEventListener("htmx:afterSettle", forget);
  window.addEventListener("pagehide", forget);
  forget();
})();
