// The friend comparison page: listening time per month, side by side.
(function () {
  'use strict';
  var SDA = window.SDA;
  var d = SDA.readJson('friend-data');
  if (!d) return;
  if (!d.months.length) {
    SDA.empty('chart-friend-months', 'No listening in this period.');
    return;
  }
  var x = d.months.map(function (m) { return m.month + '-01'; });
  var hours = function (ms) { return Math.round(ms / 360000) / 10; };
  SDA.plot('chart-friend-months', function (theme) {
    return [
      { type: 'bar', name: 'You', x: x, y: d.months.map(function (m) { return hours(m.you_ms); }), marker: { color: theme.seriesA }, hovertemplate: 'You, %{x|%b %Y}: %{y} h<extra></extra>' },
      { type: 'bar', name: d.name, x: x, y: d.months.map(function (m) { return hours(m.friend_ms); }), marker: { color: theme.seriesB }, hovertemplate: '%{fullData.name}, %{x|%b %Y}: %{y} h<extra></extra>' },
    ];
  }, { barmode: 'group', xaxis: { type: 'date' }, yaxis: { title: { text: 'Hours' }, rangemode: 'tozero' }, margin: { l: 48, r: 12, t: 8, b: 64 } });
})();
