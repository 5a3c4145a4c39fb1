// History charts: calendar heatmap, months, weekday × hour, platforms.
(function () {
  'use strict';
  var SDA = window.SDA;
  var d = SDA.readJson('history-data');
  if (!d) return;
  var DAY = 86400000;
  var WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

  // The colour scale's legend (CSS, beside the heatmap) names the busiest cell's value.
  function scaleMax(id, rows, unit) {
    var el = document.getElementById(id);
    if (!el) return;
    var max = 0;
    rows.forEach(function (row) { row.forEach(function (v) { if (typeof v === 'number' && v > max) max = v; }); });
    el.textContent = max.toLocaleString() + unit;
  }

  // Calendar: one column per week (starting Monday), one row per weekday.
  if (d.per_day.length) {
    var first = Date.parse(d.per_day[0].date + 'T00:00:00Z');
    var firstMonday = first - ((new Date(first).getUTCDay() + 6) % 7) * DAY;
    var last = Date.parse(d.per_day[d.per_day.length - 1].date + 'T00:00:00Z');
    var weeks = Math.floor((last - firstMonday) / DAY / 7) + 1;
    var z = WEEKDAYS.map(function () { return new Array(weeks).fill(null); });
    var text = WEEKDAYS.map(function () { return new Array(weeks).fill(''); });
    d.per_day.forEach(function (x) {
      var t = Date.parse(x.date + 'T00:00:00Z');
      var w = Math.floor((t - firstMonday) / DAY / 7), wd = (new Date(t).getUTCDay() + 6) % 7;
      z[wd][w] = Math.round(x.ms / 60000);
      text[wd][w] = x.date + ': ' + Math.round(x.ms / 60000) + ' min, ' + x.plays + ' plays';
    });
    var xs = []; for (var i = 0; i < weeks; i++) xs.push(new Date(firstMonday + i * 7 * DAY).toISOString().slice(0, 10));
    SDA.plot('chart-calendar', function (theme) {
      return [{ type: 'heatmap', x: xs, y: WEEKDAYS, z: z, text: text, hoverinfo: 'text', xgap: 2, ygap: 2, zmin: 0, colorscale: SDA.heatScale(theme), showscale: false }];
    }, { xaxis: { type: 'date', showgrid: false }, yaxis: { autorange: 'reversed', showgrid: false }, margin: { l: 40, r: 10, t: 6, b: 30 } });
    scaleMax('calendar-max', z, ' min');
  }

  SDA.plot('chart-months', [{ type: 'bar', x: d.per_month.map(function (m) { return m.month + '-01'; }), y: d.per_month.map(function (m) { return Math.round(m.ms / 36000) / 100; }),
    marker: { color: SDA.theme().seriesA }, hovertemplate: '%{x|%b %Y}: %{y} h<extra></extra>' }], { xaxis: { type: 'date' }, yaxis: { title: { text: 'Hours' } }, showlegend: false });

  var hours = []; for (var h = 0; h < 24; h++) hours.push(String(h).padStart(2, '0'));
  SDA.plot('chart-hour-weekday', function (theme) {
    return [{ type: 'heatmap', x: hours, y: WEEKDAYS, z: d.hour_weekday, xgap: 1, ygap: 1, zmin: 0,
      colorscale: SDA.heatScale(theme), hovertemplate: '%{y} %{x}:00 · %{z} plays<extra></extra>', showscale: false }];
  }, { yaxis: { autorange: 'reversed' }, margin: { l: 40, r: 10, t: 6, b: 30 } });
  scaleMax('hour-weekday-max', d.hour_weekday, ' plays');

  if (d.platforms.length) {
    SDA.plot('chart-platforms', [{ type: 'bar', orientation: 'h', y: d.platforms.map(function (p) { return p.name; }).reverse(), x: d.platforms.map(function (p) { return Math.round(p.ms / 360000) / 10; }).reverse(),
      marker: { color: SDA.colorsFor(d.platforms.map(function (p) { return p.name; })).reverse() }, hovertemplate: '%{y}: %{x} h<extra></extra>' }],
      { margin: { l: 110, r: 10, t: 6, b: 30 }, xaxis: { title: { text: 'Hours' } }, showlegend: false });
  }
})();
