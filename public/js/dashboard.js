// Dashboard charts and local times. Data comes from the escaped JSON element, never inline script.
(function () {
  'use strict';
  var SDA = window.SDA;
  var d = SDA.readJson('dashboard-data');
  if (!d) return;
  var r = d.ranges[d.range];
  var c = d.ranges[d.compare];

  // Times in the person's stored zone (the page's), in the one format pages use; the browser's zone only before one is stored.
  var root = document.documentElement.dataset;
  var tz = root.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  var locale = root.locale || undefined;
  var tzEl = document.getElementById('tz-name');
  if (tzEl) tzEl.textContent = tz;
  var dt;
  try { dt = new Intl.DateTimeFormat(locale, { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }); }
  catch (e) { dt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }); }
  document.querySelectorAll('time[data-local]').forEach(function (el) {
    var when = new Date(el.getAttribute('datetime'));
    if (isNaN(when)) return;
    el.textContent = dt.format(when) + ' (' + tz + ')';
    el.title = when.toISOString();
  });

  document.querySelectorAll('.meter-fill[data-width]').forEach(function (el) { el.style.width = el.dataset.width + '%'; });
  // Swatches beside genre names take the colour that genre has in the chart.
  var genreNames = (r.genres || []).map(function (x) { return x.name; });
  var genreColors = SDA.colorsFor(genreNames);
  var colorOfGenre = function (name) { var i = genreNames.indexOf(name); return i >= 0 ? genreColors[i] : SDA.colorFor(name); };
  document.querySelectorAll('.swatch[data-color-for]').forEach(function (el) { el.style.background = colorOfGenre(el.dataset.colorFor); });

  if (r.genres && r.genres.length) {
    var g = r.genres.slice().reverse();
    SDA.plot('chart-genres', [{
      type: 'bar', orientation: 'h', x: g.map(function (x) { return Math.round(x.share * 1000) / 10; }), y: g.map(function (x) { return x.name; }),
      marker: { color: genreColors.slice().reverse() },
      customdata: g.map(function (x) { return x.artists.slice(0, 4).join(', ') + (x.artists.length > 4 ? ' …' : ''); }),
      hovertemplate: '<b>%{y}</b><br>%{x}% of weighted share<br>%{customdata}<extra></extra>',
    }], { margin: { l: 8, r: 12, t: 4, b: 36 }, xaxis: { title: { text: 'Share (%)' }, rangemode: 'tozero' }, yaxis: { automargin: true }, showlegend: false });
  }

  if (r.taste) {
    var axes = ['energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness'];
    var narrow = SDA.narrow();
    // Long names would be cut at a phone's width: the radar keeps its labels short there.
    var SHORT = { danceability: 'Dance', acousticness: 'Acoustic', instrumentalness: 'Instrumental', speechiness: 'Speech', liveness: 'Live' };
    var labels = axes.map(function (a) { return narrow && SHORT[a] ? SHORT[a] : a.charAt(0).toUpperCase() + a.slice(1); });
    var trace = function (t, name, color) {
      var vals = axes.map(function (a) { return t[a] === null ? 0 : t[a]; });
      return { type: 'scatterpolar', r: vals.concat(vals[0]), theta: labels.concat(labels[0]), fill: 'toself', name: name, opacity: 0.75, line: { color: color }, hovertemplate: '%{theta}: %{r:.2f}<extra>' + name + '</extra>' };
    };
    SDA.plot('chart-taste', function (theme) {
      var traces = [trace(r.taste, r.label, theme.seriesA)];
      if (c && c.taste) traces.push(trace(c.taste, c.label, theme.seriesB));
      return traces;
    }, function (theme) {
      return {
        polar: { bgcolor: 'rgba(0,0,0,0)', radialaxis: { range: [0, 1], gridcolor: theme.grid, linecolor: theme.grid, tickfont: { size: 10 }, angle: 90, tickangle: 90 },
          angularaxis: { gridcolor: theme.grid, linecolor: theme.line, rotation: 90, direction: 'clockwise', tickfont: { size: narrow ? 11 : 12 } } },
        // Room for the axis labels, which sit outside the polar area, above the legend.
        margin: narrow ? { l: 64, r: 64, t: 24, b: 44 } : { l: 90, r: 90, t: 28, b: 48 },
        legend: { x: 0.5, xanchor: 'center' },
      };
    });
  }

  if (r.decades && r.decades.length) {
    SDA.plot('chart-decades', [{ type: 'bar', x: r.decades.map(function (x) { return x.decade; }), y: r.decades.map(function (x) { return x.tracks; }),
      marker: { color: SDA.colorsFor(r.decades.map(function (x) { return x.decade; })) }, hovertemplate: '%{x}: %{y} tracks<extra></extra>' }],
      { yaxis: { title: { text: 'Top tracks' } }, showlegend: false });
  } else {
    SDA.empty('chart-decades', 'No release years for these tracks.');
  }

  if (d.recent && d.recent.length) {
    var hours = new Array(24).fill(0);
    var hourFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: tz });
    d.recent.forEach(function (iso) { var h = Number(hourFmt.format(new Date(iso))); if (h >= 0 && h < 24) hours[h]++; });
    SDA.plot('chart-hours', function (theme) {
      return [{ type: 'bar', x: hours.map(function (_, i) { return String(i).padStart(2, '0') + ':00'; }), y: hours, marker: { color: theme.seriesA }, hovertemplate: '%{x}: %{y} plays<extra></extra>' }];
    },
      { yaxis: { title: { text: 'Plays' }, dtick: 1 }, xaxis: { tickangle: -45, nticks: 12 }, showlegend: false, margin: { l: 40, r: 8, t: 4, b: 50 } });
  }
})();
