// Stores the browser's time zone once, right after the first login, when the person has none
// stored yet (the page includes this script only then); every page and chart then uses it.
(function () {
  'use strict';
  var script = document.currentScript;
  var tz;
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!tz || !script) return;
  fetch('/api/me/time-zone', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': script.dataset.csrf || '' },
    body: JSON.stringify({ time_zone: tz, only_if_unset: true }),
  }).then(function (r) { return r.ok ? r.json() : null; }).then(function (res) {
    // Times on this page were written in UTC; show them in the zone just stored.
    if (res && res.stored && res.time_zone !== 'UTC' && document.querySelector('time[datetime], .chart')) location.reload();
  }).catch(function () {});
})();
