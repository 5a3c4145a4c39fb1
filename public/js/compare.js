// Compare page: charts from the embedded JSON (two artists, or your taste against an artist).
(function () {
  'use strict';
  var SDA = window.SDA;
  var d = SDA.readJson('compare-data');
  if (!d) return;
  var taste = d.kind === 'taste';
  var COLOR_A = '#1db954', COLOR_B = '#4aa8ff';
  // Your marker: gold on dark, a darker amber that still stands out on white.
  var COLOR_YOU = document.documentElement.dataset.theme === 'light' ? '#c98a00' : '#ffd166';
  var FILL = { '#1db954': 'rgba(29, 185, 84, 0.35)', '#4aa8ff': 'rgba(74, 168, 255, 0.35)' };
  var FEATURES = [['energy', 'Energy'], ['danceability', 'Dance'], ['valence', 'Valence'], ['acousticness', 'Acoustic'],
    ['instrumentalness', 'Instrumental'], ['speechiness', 'Speech'], ['liveness', 'Live']];
  var narrow = window.matchMedia('(max-width: 560px)').matches;

  // Plotly reads a few HTML-like tags in text; entities keep names such as "</script>" literal.
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function short(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '…' : s; }
  function label(p) { return esc(short(p.name, narrow ? 18 : 32)); }
  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  function total(xs) { return xs.reduce(function (s, v) { return s + v; }, 0); }
  function pct(v) { return Math.round(v * 1000) / 10; }

  document.querySelectorAll('.meter-fill[data-width]').forEach(function (el) { el.style.width = el.dataset.width + '%'; });

  // The artists drawn: one when both sides are the same artist.
  var sides = taste ? [{ p: d.b, color: COLOR_B }] : [{ p: d.a, color: COLOR_A }].concat(d.same_artist ? [] : [{ p: d.b, color: COLOR_B }]);
  // Legends above the plot: below it they collide with the axis titles on small charts.
  var legend = { orientation: 'h', x: 0, yref: 'paper', y: 1.02, xanchor: 'left', yanchor: 'bottom', traceorder: 'normal' };
  var margin = { l: narrow ? 40 : 48, r: 10, t: 30, b: 44 };
  /** Whole-number ticks for counts that are small (no "0, 1, 1, 2, 2" from rounded fractional ticks). */
  function countAxis(max, extra) { return Object.assign({ rangemode: 'tozero', tickformat: 'd' }, max <= 8 ? { dtick: 1 } : {}, extra); }

  // Feature distributions: precomputed quartiles as horizontal boxes, one row per feature.
  var rows = FEATURES.map(function (f) { return f[1]; });
  // Horizontal groups stack the first trace at the bottom: draw B first so A sits on top, as in the legend.
  var boxes = sides.slice().reverse().map(function (s) {
    var fs = FEATURES.filter(function (f) { return s.p.distributions[f[0]]; });
    var st = function (k) { return fs.map(function (f) { return s.p.distributions[f[0]][k]; }); };
    return {
      type: 'box', orientation: 'h', name: label(s.p), y: fs.map(function (f) { return f[1]; }),
      q1: st('q1'), median: st('median'), q3: st('q3'), lowerfence: st('min'), upperfence: st('max'), mean: st('mean'),
      boxmean: !taste, marker: { color: s.color }, line: { width: 1.5 }, fillcolor: FILL[s.color], hoverinfo: 'skip',
    };
  });
  // A precomputed box's own hover labels every statistic separately; one line per side reads better.
  sides.forEach(function (s) {
    var fs = FEATURES.filter(function (f) { return s.p.distributions[f[0]]; });
    boxes.push({
      type: 'scatter', mode: 'markers', name: label(s.p), showlegend: false, marker: { opacity: 0, color: s.color },
      x: fs.map(function (f) { return s.p.distributions[f[0]].median; }), y: fs.map(function (f) { return f[1]; }),
      customdata: fs.map(function (f) { var b = s.p.distributions[f[0]]; return [b.q1, b.q3, b.min, b.max, b.mean]; }),
      hovertemplate: label(s.p) + ': median %{x:.2f}, middle half %{customdata[0]:.2f}–%{customdata[1]:.2f}, mean %{customdata[4]:.2f}<extra></extra>',
    });
  });
  if (taste && d.you.means) {
    var mine = FEATURES.filter(function (f) { return isNum(d.you.means[f[0]]); });
    boxes.push({
      type: 'scatter', mode: 'markers', name: 'Your average', x: mine.map(function (f) { return d.you.means[f[0]]; }), y: mine.map(function (f) { return f[1]; }),
      marker: { symbol: 'diamond', size: 11, color: COLOR_YOU, line: { color: SDA.theme().text, width: 1 } },
      hovertemplate: 'Your average %{x:.2f}<extra></extra>',
    });
  }
  SDA.plot('chart-features', boxes, {
    boxmode: 'group', hovermode: 'y unified', margin: { l: narrow ? 84 : 100, r: 12, t: 30, b: 44 }, legend: Object.assign({}, legend, { traceorder: taste ? 'normal' : 'reversed' }),
    xaxis: { range: [0, 1], title: { text: '0 – 1' } }, yaxis: { categoryorder: 'array', categoryarray: rows.slice().reverse(), automargin: true },
  });

  // Overlaid histograms as shares of each side's tracks: step outlines with a light fill, so both
  // stay visible where they overlap. Trimmed to the bins that have any track (plus an empty one each side).
  function histogramTraces(pick, fmtBin) {
    var hs = sides.map(function (s) { return pick(s.p); });
    var lo = Infinity, hi = -Infinity;
    hs.forEach(function (h) { h.counts.forEach(function (n, i) { if (n > 0) { lo = Math.min(lo, i); hi = Math.max(hi, i); } }); });
    if (lo === Infinity) return [];
    return sides.map(function (s, k) {
      var h = hs[k], n = total(h.counts) || 1, xs = [], ys = [], text = [];
      for (var i = lo - 1; i <= hi + 1; i++) {
        var c = i >= 0 && i < h.counts.length ? h.counts[i] : 0;
        xs.push(h.start + (i + 0.5) * h.size); ys.push(pct(c / n));
        text.push(i >= 0 && i < h.counts.length ? fmtBin(h, i) + ': ' + c + ' tracks' : '');
      }
      return { type: 'scatter', mode: 'lines', name: label(s.p), x: xs, y: ys, text: text, line: { shape: 'hvh', color: s.color, width: 2 },
        fill: 'tozeroy', fillcolor: FILL[s.color], hovertemplate: '%{text} (%{y}%)<extra>' + label(s.p) + '</extra>' };
    });
  }
  var lastBin = function (h, i) { return i === h.counts.length - 1; };
  var tempoTraces = histogramTraces(function (p) { return p.tempo.histogram; }, function (h, i) {
    return (h.start + i * h.size) + (lastBin(h, i) ? '+ BPM' : '–' + (h.start + (i + 1) * h.size) + ' BPM');
  });
  var tempoLayout = { margin: margin, legend: legend, showlegend: sides.length > 1,
    xaxis: { title: { text: 'Beats per minute' } }, yaxis: { title: { text: '% of tracks' }, rangemode: 'tozero' } };
  if (taste && d.you.means && isNum(d.you.means.tempo)) {
    var yt = d.you.means.tempo;
    tempoLayout.shapes = [{ type: 'line', x0: yt, x1: yt, yref: 'paper', y0: 0, y1: 1, line: { color: COLOR_YOU, width: 2, dash: 'dash' } }];
    tempoLayout.annotations = [{ x: yt, yref: 'paper', y: 1, text: 'you: ' + Math.round(yt) + ' BPM', showarrow: false, xanchor: 'left', yanchor: 'top', xshift: 4, bgcolor: SDA.theme().surface, font: { color: COLOR_YOU } }];
  }
  SDA.plot('chart-tempo', tempoTraces, tempoLayout);

  if (taste) {
    if (d.you.means) {
      var mf = FEATURES.filter(function (f) { return isNum(d.you.means[f[0]]) || isNum(d.b.means[f[0]]); });
      var ys = mf.map(function (f) { return f[1]; });
      // B first, so "you" sits on top of each pair (horizontal groups stack upwards).
      SDA.plot('chart-means', [
        { type: 'bar', orientation: 'h', name: label(d.b), y: ys, x: mf.map(function (f) { return d.b.means[f[0]]; }), marker: { color: COLOR_B },
          hovertemplate: '%{y}: %{x:.2f}<extra>' + label(d.b) + '</extra>' },
        { type: 'bar', orientation: 'h', name: 'Your top tracks', y: ys, x: mf.map(function (f) { return d.you.means[f[0]]; }), marker: { color: COLOR_YOU },
          hovertemplate: '%{y}: %{x:.2f}<extra>you</extra>' },
      ], { barmode: 'group', legend: Object.assign({}, legend, { traceorder: 'reversed' }), margin: { l: narrow ? 84 : 100, r: 12, t: 30, b: 44 },
        xaxis: { range: [0, 1] }, yaxis: { categoryorder: 'array', categoryarray: rows.slice().reverse(), automargin: true } });
    } else {
      var el = document.getElementById('chart-means');
      if (el) { el.classList.add('chart-empty'); el.textContent = 'Your taste profile is not available, so there is nothing to draw.'; }
    }
    return;
  }

  // Keys: share of each artist's tracks per key.
  SDA.plot('chart-keys', sides.map(function (s) {
    var k = s.p.keys, n = k.tracks_with_key || 1;
    return { type: 'bar', name: label(s.p), x: k.names, y: k.names.map(function (_, i) { return pct((k.major[i] + k.minor[i]) / n); }),
      customdata: k.names.map(function (_, i) { return k.major[i] + ' major, ' + k.minor[i] + ' minor'; }),
      marker: { color: s.color }, hovertemplate: '%{x}: %{y}% (%{customdata})<extra>' + label(s.p) + '</extra>' };
  }), { barmode: 'group', bargap: 0.2, margin: margin, legend: legend, showlegend: sides.length > 1, yaxis: { title: { text: '% of tracks' }, rangemode: 'tozero' } });

  // Major and minor: one stacked bar per artist.
  var withModes = sides.filter(function (s) { return s.p.keys.major_share !== null; });
  var names = withModes.map(function (s) { return label(s.p); });
  SDA.plot('chart-modes', [
    { type: 'bar', orientation: 'h', name: 'Major', y: names, x: withModes.map(function (s) { return pct(s.p.keys.major_share); }), marker: { color: '#ffd166' },
      text: withModes.map(function (s) { return Math.round(s.p.keys.major_share * 100) + '%'; }), textposition: 'inside', insidetextanchor: 'middle', hovertemplate: '%{y}: %{x}% major<extra></extra>' },
    { type: 'bar', orientation: 'h', name: 'Minor', y: names, x: withModes.map(function (s) { return pct(1 - s.p.keys.major_share); }), marker: { color: '#c38bff' },
      text: withModes.map(function (s) { return Math.round((1 - s.p.keys.major_share) * 100) + '%'; }), textposition: 'inside', insidetextanchor: 'middle', hovertemplate: '%{y}: %{x}% minor<extra></extra>' },
  ], { barmode: 'stack', margin: { l: 8, r: 12, t: 30, b: 30 }, legend: legend, xaxis: { range: [0, 100], ticksuffix: '%' },
    yaxis: { automargin: true, categoryorder: 'array', categoryarray: names.slice().reverse() }, uniformtext: { mode: 'hide', minsize: 10 } });

  SDA.plot('chart-durations', histogramTraces(function (p) { return p.durations.histogram; }, function (h, i) {
    var m = function (x) { return SDA.duration(x * 60000); };
    return lastBin(h, i) ? m(h.start + i * h.size) + '+' : m(h.start + i * h.size) + '–' + m(h.start + (i + 1) * h.size);
  }), { margin: margin, legend: legend, showlegend: sides.length > 1,
    xaxis: { title: { text: 'Minutes' } }, yaxis: { title: { text: '% of tracks' }, rangemode: 'tozero' } });

  // Releases per year, grouped; the split by type on hover.
  var maxYear = Math.max.apply(null, sides.map(function (s) { return Math.max.apply(null, s.p.releases_per_year.map(function (y) { return y.total; }).concat([0])); }));
  SDA.plot('chart-years', sides.map(function (s) {
    var r = s.p.releases_per_year;
    return { type: 'bar', name: label(s.p), x: r.map(function (y) { return y.year; }), y: r.map(function (y) { return y.total; }),
      customdata: r.map(function (y) { return y.album + ' albums, ' + y.single + ' singles, ' + y.compilation + ' compilations'; }),
      marker: { color: s.color }, hovertemplate: '%{x}: %{y} releases<br>%{customdata}<extra>' + label(s.p) + '</extra>' };
  }), { barmode: 'group', bargap: 0.15, margin: margin, legend: legend, showlegend: sides.length > 1,
    xaxis: { title: { text: 'Release year' }, tickformat: 'd' }, yaxis: countAxis(maxYear, { title: { text: 'Releases' } }) });
})();
