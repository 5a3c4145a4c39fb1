// Builds the dashboard snapshot through the API, then shows the dashboard.
(function () {
  'use strict';
  var text = document.getElementById('loading-text');
  fetch('/api/me/summary', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    .then(function (r) {
      if (r.status === 401) { location.href = '/?error=reauth'; return; }
      if (!r.ok) return r.json().then(function (b) { throw new Error((b.error && b.error.message) || 'Spotify did not answer'); });
      var url = new URL(location.href);
      url.searchParams.set('loaded', '1');
      location.replace(url.toString());
    })
    .catch(function (e) { text.textContent = 'Could not load your data: ' + e.message + ' Reload the page to try again.'; });
})();
