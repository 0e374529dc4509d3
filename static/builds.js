// Follows a running build's log with server-sent events. Without
// JavaScript the page refreshes itself instead (a <noscript> refresh).
(function () {
  "use strict";
  var log = document.getElementById("log");
  if (!log || !log.dataset.events || !window.EventSource) {
    return;
  }
  var source = new EventSource(log.dataset.events);
  source.addEventListener("line", function (e) {
    log.appendChild(document.createTextNode(e.data + "\n"));
  });
  source.addEventListener("end", function () {
    source.close();
    // The finished record: end time, status, exit code, the kept log.
    window.location.reload();
  });
})();
