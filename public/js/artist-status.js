// Polls the ingest status of an artist and reloads when the data is complete.
(function () {
  'use strict';
  var box = document.getElementById('ingest-status');
  if (!box || box.dataset.failed === '1') return;
  var id = box.dataset.artistId;
  var bar = document.getElementById('progress-bar');
  var text = document.getElementById('progress-text');
  var phases = { starting: 'Starting…', albums: 'Listing releases…', tracks: 'Reading tracks', features: 'Fetching audio features…', genres: 'Looking up genres…', writing: 'Saving…', done: 'Done', failed: 'Failed' };

  function poll() {
    fetch('/api/artists/' + encodeURIComponent(id) + '/status', { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.complete && (!s.progress || s.progress.phase === 'done')) return location.reload();
        if (s.status === 'failed') return location.reload();
        var p = s.progress;
        if (p) {
          var share = p.albums_total ? p.albums_done / p.albums_total : 0;
          bar.style.width = Math.max(5, Math.round(share * 90)) + '%';
          var detail = p.albums_total ? ' · ' + p.albums_done + ' of ' + p.albums_total + ' releases, ' + p.tracks + ' tracks' : '';
          text.textContent = (phases[p.phase] || p.phase) + detail;
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
