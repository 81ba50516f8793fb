// Progressive enhancement only: every page works without this script.
// On a review's progress page, follow the job's server-sent events and move on as soon
// as the review is done (the page's own refresh does the same, a little later).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var status = document.getElementById("job-status");
  if (!status || !window.EventSource) { return; }
  var source = new EventSource(status.getAttribute("data-events"));
  source.addEventListener("status", function (event) {
    var job = JSON.parse(event.data);
    var strong = status.querySelector("strong");
    if (strong) { strong.textContent = job.status; }
    if (job.status === "done" && job.review_id) {
      source.close();
      window.location.assign("/ui/reviews/" + encodeURIComponent(job.review_id));
    } else if (job.status === "failed") {
      source.close();
      window.location.reload();
    }
  });
  source.onerror = function () { source.close(); };
});
