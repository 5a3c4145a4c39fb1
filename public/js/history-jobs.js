// Polls running imports and reloads the page when one finishes.
(function () {
  'use strict';
  var jobs = document.querySelectorAll('.job[data-status="queued"], .job[data-status="running"], .job[data-status="waiting"]');
  if (!jobs.length) return;
  function poll() {
    var pending = 0, finished = false, done = 0;
    Array.prototype.forEach.call(jobs, function (li) {
      pending++;
      fetch('/api/me/history/imports/' + li.dataset.jobId, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          li.dataset.status = j.status;
          li.querySelector('.job-status').textContent = j.status;
          li.querySelector('.job-progress').textContent = j.plays_read.toLocaleString() + ' plays read, ' + j.plays_added.toLocaleString() + ' new';
          var note = li.querySelector('.job-note');
          if (note) note.textContent = j.status === 'waiting' ? waitingText(j) : '';
          if (j.status === 'done' || j.status === 'failed') finished = true;
        })
        .catch(function () {})
        .finally(function () {
          done++;
          if (done === pending) { if (finished) location.reload(); else setTimeout(poll, 2000); }
        });
    });
  }
  function waitingText(j) {
    if (j.resume_at) return 'Paused: the database is busy. Continues from its checkpoint at ' + new Date(j.resume_at).toLocaleTimeString() + '.';
    return j.error || 'Interrupted; continues from its checkpoint shortly.';
  }
  setTimeout(poll, 500);
})();
