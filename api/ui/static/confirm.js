/* A form with data-confirm asks before it is sent (without JavaScript it is sent at once; what it does can be
   undone on the page it leads to). Kept in a file: the pages carry no inline script. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
