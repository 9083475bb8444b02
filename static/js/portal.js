/* Buyer portal: htmx shows the refusals our pages send with a 4xx status and the
   X-Portico-Swap header (a message in the flash area, or the cart with an error next to a
   line) instead of ignoring them. Everything else keeps htmx's defaults. */
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Portico-Swap")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
