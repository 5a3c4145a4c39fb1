// Personal artist, track and album pages: per month, rank and share over time, weekday × hour.
(function () {
  'use strict';
  var SDA = window.SDA;
  var d = SDA.readJson('personal-data');
  if (!d) return;
  var months = d.per_month.map(function (m) { return m.month + '-01'; });
  if (!months.length) {
    ['chart-personal-months', 'chart-personal-rank', 'chart-personal-share'].forEach(function (id) { SDA.empty(id, 'No listening in this period.'); });
  } else {
    SDA.plot('chart-personal-months', function (theme) {
      return [
        { type: 'bar', name: 'Minutes', x: months, y: d.per_month.map(function (m) { return Math.round(m.ms / 60000); }), marker: { color: theme.seriesA }, hovertemplate: '%{x|%b %Y}: %{y} min<extra></extra>' },
        { type: 'scatter', mode: 'lines+markers', name: 'Plays', x: months, y: d.per_month.map(function (m) { return m.plays; }), yaxis: 'y2', line: { color: theme.seriesB }, hovertemplate: '%{x|%b %Y}: %{y} plays<extra></extra>' },
      ];
    }, { xaxis: { type: 'date' }, yaxis: { title: { text: 'Minutes' }, rangemode: 'tozero' }, yaxis2: { title: { text: 'Plays' }, overlaying: 'y', side: 'right', rangemode: 'tozero', showgrid: false, tickformat: ',d' }, margin: { l: 48, r: 48, t: 8, b: 40 } });
    SDA.plot('chart-personal-rank', function (theme) {
      return [{ type: 'scatter', mode: 'lines+markers', x: months, y: d.per_month.map(function (m) { return m.rank; }), connectgaps: false, line: { color: theme.seriesA }, hovertemplate: '%{x|%b %Y}: #%{y}<extra></extra>' }];
    }, { xaxis: { type: 'date' }, yaxis: { autorange: 'reversed', title: { text: 'Rank' }, rangemode: 'tozero' }, showlegend: false });
    SDA.plot('chart-personal-share', function (theme) {
      return [{ type: 'scatter', mode: 'lines', fill: 'tozeroy', x: months, y: d.per_month.map(function (m) { return Math.round(m.share * 1000) / 10; }), line: { color: theme.seriesB }, hovertemplate: '%{x|%b %Y}: %{y}%<extra></extra>' }];
    }, { xaxis: { type: 'date' }, yaxis: { title: { text: '% of listening' }, rangemode: 'tozero' }, showlegend: false });
  }
  var WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  var hours = []; for (var h = 0; h < 24; h++) hours.push(String(h).padStart(2, '0'));
  SDA.plot('chart-personal-hours', function (theme) {
    return [{ type: 'heatmap', x: hours, y: WEEKDAYS, z: d.hour_weekday, xgap: 1, ygap: 1, zmin: 0, colorscale: SDA.heatScale(theme), hovertemplate: '%{y} %{x}:00 · %{z} plays<extra></extra>', showscale: false }];
  }, { yaxis: { autorange: 'reversed' }, margin: { l: 40, r: 10, t: 6, b: 30 } });
  var max = 0;
  d.hour_weekday.forEach(function (row) { row.forEach(function (v) { if (v > max) max = v; }); });
  var el = document.getElementById('personal-hours-max');
  if (el) el.textContent = max.toLocaleString() + ' plays';
})();
