// Dashboard charts and local times. Data comes from the escaped JSON element, never inline script.
(function () {
  'use strict';
  var SDA = window.SDA;
  var d = SDA.readJson('dashboard-data');
  if (!d) return;
  var r = d.ranges[d.range];
  var c = d.ranges[d.compare];

  // Times in the browser's time zone.
  var tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  var tzEl = document.getElementById('tz-name');
  if (tzEl) tzEl.textContent = tz;
  var dt = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  var tm = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  document.querySelectorAll('time[data-local]').forEach(function (el) {
    var when = new Date(el.getAttribute('datetime'));
    if (isNaN(when)) return;
    el.textContent = el.dataset.local === 'datetime' ? dt.format(when) : tm.format(when);
    el.title = when.toISOString();
  });

  document.querySelectorAll('.meter-fill[data-width]').forEach(function (el) { el.style.width = el.dataset.width + '%'; });
  document.querySelectorAll('.swatch[data-color-for]').forEach(function (el) { el.style.background = SDA.colorFor(el.dataset.colorFor); });

  if (r.genres && r.genres.length) {
    var g = r.genres.slice().reverse();
    SDA.plot('chart-genres', [{
      type: 'bar', orientation: 'h', x: g.map(function (x) { return Math.round(x.share * 1000) / 10; }), y: g.map(function (x) { return x.name; }),
      marker: { color: g.map(function (x) { return SDA.colorFor(x.name); }) },
      customdata: g.map(function (x) { return x.artists.slice(0, 4).join(', ') + (x.artists.length > 4 ? ' …' : ''); }),
      hovertemplate: '<b>%{y}</b><br>%{x}% of weighted share<br>%{customdata}<extra></extra>',
    }], { margin: { l: 130, r: 12, t: 4, b: 36 }, xaxis: { title: { text: 'Share (%)' }, rangemode: 'tozero' }, yaxis: { automargin: true }, showlegend: false });
  }

  if (r.taste) {
    var axes = ['energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness'];
    var labels = axes.map(function (a) { return a.charAt(0).toUpperCase() + a.slice(1); });
    var trace = function (t, name, color) {
      var vals = axes.map(function (a) { return t[a] === null ? 0 : t[a]; });
      return { type: 'scatterpolar', r: vals.concat(vals[0]), theta: labels.concat(labels[0]), fill: 'toself', name: name, opacity: 0.75, line: { color: color }, hovertemplate: '%{theta}: %{r:.2f}<extra>' + name + '</extra>' };
    };
    var traces = [trace(r.taste, r.label, '#1db954')];
    if (c && c.taste) traces.push(trace(c.taste, c.label, '#4aa8ff'));
    SDA.plot('chart-taste', traces, {
      polar: { bgcolor: 'rgba(0,0,0,0)', radialaxis: { range: [0, 1], gridcolor: '#2a2f3a', linecolor: '#2a2f3a', tickfont: { size: 10 } }, angularaxis: { gridcolor: '#2a2f3a', linecolor: '#3a4150' } },
      margin: { l: 40, r: 40, t: 20, b: 20 }, legend: { orientation: 'h', y: -0.08 },
    });
  }

  if (r.decades && r.decades.length) {
    SDA.plot('chart-decades', [{ type: 'bar', x: r.decades.map(function (x) { return x.decade; }), y: r.decades.map(function (x) { return x.tracks; }),
      marker: { color: r.decades.map(function (x) { return SDA.colorFor(x.decade); }) }, hovertemplate: '%{x}: %{y} tracks<extra></extra>' }],
      { yaxis: { title: { text: 'Top tracks' } }, showlegend: false });
  }

  if (d.recent && d.recent.length) {
    var hours = new Array(24).fill(0);
    var hourFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: tz });
    d.recent.forEach(function (iso) { var h = Number(hourFmt.format(new Date(iso))); if (h >= 0 && h < 24) hours[h]++; });
    SDA.plot('chart-hours', [{ type: 'bar', x: hours.map(function (_, i) { return String(i).padStart(2, '0') + ':00'; }), y: hours, marker: { color: '#1db954' }, hovertemplate: '%{x}: %{y} plays<extra></extra>' }],
      { yaxis: { title: { text: 'Plays' }, dtick: 1 }, xaxis: { tickangle: -45, nticks: 12 }, showlegend: false, margin: { l: 40, r: 8, t: 4, b: 50 } });
  }
})();
