// Polls running imports: their progress (bytes and files read, entries stored, plays written) and
// bar advance; the page reloads when one finishes.
(function () {
  'use strict';
  var jobs = document.querySelectorAll('.job[data-status="queued"], .job[data-status="running"], .job[data-status="waiting"]');
  if (!jobs.length) return;
  var demo = document.getElementById('demo-import');
  if (demo) { demo.disabled = true; demo.title = 'An import is running'; }
  var n = function (x) { return (x || 0).toLocaleString(); };
  var mb = function (b) { return (Math.round(b / 104857.6) / 10).toLocaleString(); };
  function progressText(j) {
    if (j.status === 'queued') return 'Queued';
    if (j.phase === 'writing') return 'Writing: ' + n(j.checkpoint) + ' of ' + n(j.rows) + ' entries stored, ' + n(j.plays_read) + ' plays written';
    return 'Reading: ' + (j.bytes_total ? mb(j.bytes_read) + ' of ' + mb(j.bytes_total) + ' MB' : 'the upload') +
      (j.files_total ? ', ' + n(j.files_done) + ' of ' + j.files_total + ' files' : '') + ', ' + n(j.rows_read) + ' entries read';
  }
  // Reading is the first half of the bar, writing the second.
  function fraction(j) {
    if (j.phase === 'writing') return 0.5 + 0.5 * (j.checkpoint || 0) / Math.max(1, j.rows || 1);
    return 0.5 * (j.bytes_read || 0) / Math.max(1, j.bytes_total || 1);
  }
  function poll() {
    var pending = 0, finished = false, done = 0;
    Array.prototype.forEach.call(jobs, function (li) {
      pending++;
      fetch('/api/me/history/imports/' + li.dataset.jobId, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          li.dataset.status = j.status;
          li.querySelector('.job-status').textContent = j.status;
          var text = li.querySelector('.job-progress');
          var bar = li.querySelector('.job-bar');
          if (j.status === 'done' || j.status === 'failed') {
            finished = true;
            text.textContent = n(j.plays_read) + ' plays read, ' + n(j.plays_added) + ' new';
            if (bar) bar.value = bar.max;
          } else {
            text.textContent = progressText(j);
            if (bar && j.status !== 'queued') bar.value = Math.round(fraction(j) * bar.max);
          }
          var note = li.querySelector('.job-note');
          if (note) note.textContent = j.status === 'waiting' ? waitingText(j) : '';
        })
        .catch(function () {})
        .finally(function () {
          done++;
          if (done === pending) { if (finished) location.reload(); else setTimeout(poll, 1000); }
        });
    });
  }
  function waitingText(j) {
    if (j.resume_at) return 'Paused: the database is busy. Continues from its checkpoint at ' + new Date(j.resume_at).toLocaleTimeString() + '.';
    return j.error || 'Interrupted; continues from its checkpoint shortly.';
  }
  setTimeout(poll, 500);
})();
