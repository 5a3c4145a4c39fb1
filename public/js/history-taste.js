// Taste over time on /history: features per period (lines) and genre shares (stacked area),
// fetched from /api/me/history/taste; while lookups run, the section refreshes itself.
(function () {
  'use strict';
  var SDA = window.SDA;
  var section = document.getElementById('taste');
  if (!section || !SDA) return;
  var summary = document.getElementById('taste-summary');
  var coverageEl = document.getElementById('taste-coverage');
  var granularity = 'month';
  var timer = null;
  var FEATURES = [
    { key: 'energy', name: 'Energy', color: '#ff7a59' },
    { key: 'valence', name: 'Valence (mood)', color: '#1ed760' },
    { key: 'danceability', name: 'Danceability', color: '#4aa8ff' },
  ];

  function pct(x) { return Math.round(x * 100) + '%'; }
  function label(p) {
    if (granularity === 'week') return 'the week of ' + p;
    var d = new Date(p + '-01T00:00:00Z');
    return d.toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  }
  function x(p) { return granularity === 'week' ? p : p + '-01'; }

  function render(d) {
    var periods = d.periods;
    if (!periods.length) {
      summary.textContent = 'No plays in this range.';
      SDA.empty('chart-taste-features', 'No plays in this range.');
      SDA.empty('chart-taste-genres', 'No plays in this range.');
      return;
    }
    var parts = [];
    if (d.most_upbeat) parts.push('Your most upbeat ' + granularity + ': ' + label(d.most_upbeat.period) + ' (valence ' + d.most_upbeat.valence.toFixed(2) + ').');
    if (d.calmest) parts.push('Your calmest: ' + label(d.calmest.period) + ' (energy ' + d.calmest.energy.toFixed(2) + ').');
    if (!parts.length) parts.push(d.coverage.features_ms ? 'Not enough listening time with features in any one ' + granularity + ' to name a most upbeat or calmest one.' : 'No audio features for these plays yet.');
    if (d.enrichment.status === 'running') parts.push('Still looking up ' + d.enrichment.tracks_pending + ' tracks and ' + d.enrichment.artists_pending + ' artists…');
    if (d.enrichment.status === 'failed') parts.push(d.enrichment.error);
    summary.textContent = parts.join(' ');

    var c = d.coverage;
    var cov = c.features_share === null ? '' : 'Features for ' + pct(c.features_share) + ' of listening time (' + c.tracks_with_features + ' of ' + c.tracks + ' tracks';
    if (cov && c.tracks_without_id) cov += '; ' + c.tracks_without_id + ' have no Spotify id in the export';
    if (cov) cov += '), genres for ' + pct(c.genres_share) + '.';
    if (d.enrichment.note) cov += ' ' + d.enrichment.note;
    coverageEl.textContent = cov;

    var xs = periods.map(function (p) { return x(p.period); });
    var traces = FEATURES.map(function (f) {
      return { type: 'scatter', mode: 'lines', name: f.name, x: xs, y: periods.map(function (p) { return p[f.key]; }), line: { color: f.color, width: 2 }, connectgaps: false,
        hovertemplate: f.name + ' %{y:.2f}<extra></extra>' };
    });
    traces.push({ type: 'scatter', mode: 'lines', name: 'Tempo (BPM, right)', x: xs, y: periods.map(function (p) { return p.tempo; }), yaxis: 'y2',
      line: { color: '#c9a0ff', width: 1.5, dash: 'dot' }, hovertemplate: 'Tempo %{y:.0f} BPM<extra></extra>' });
    SDA.plot('chart-taste-features', traces, {
      xaxis: { type: 'date' }, yaxis: { range: [0, 1], title: { text: '0–1' } }, hovermode: 'x unified',
      yaxis2: { overlaying: 'y', side: 'right', showgrid: false, range: [40, 200], title: { text: 'BPM' } },
      margin: { l: 48, r: 48, t: 8, b: 40 },
    });

    var genreColors = SDA.colorsFor(d.genres);
    var genreTraces = function (theme) {
      return d.genres.map(function (g, i) {
        return { type: 'scatter', mode: 'lines', stackgroup: 'genres', name: g, x: xs,
          y: periods.map(function (p) { return p.genres[g] || 0; }), line: { width: 0.5, color: g === 'other' ? theme.muted : genreColors[i] },
          hovertemplate: g + ' %{y:.0%}<extra></extra>' };
      });
    };
    if (d.genres.length) {
      SDA.plot('chart-taste-genres', genreTraces, { xaxis: { type: 'date' }, yaxis: { tickformat: '.0%', range: [0, 1] }, hovermode: 'x unified' });
    } else {
      SDA.empty('chart-taste-genres', 'No genres known for these artists yet.');
    }
    clearTimeout(timer);
    if (d.enrichment.status === 'running') timer = setTimeout(load, 3000);
  }

  function load() {
    var q = new URLSearchParams({ granularity: granularity });
    if (section.dataset.from) q.set('from', section.dataset.from);
    if (section.dataset.to) q.set('to', section.dataset.to);
    fetch('/api/me/history/taste?' + q.toString(), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json().then(function (body) { if (!r.ok) throw new Error(body.error ? body.error.message : 'HTTP ' + r.status); return body; }); })
      .then(render)
      .catch(function (err) { summary.textContent = 'Taste over time could not be loaded: ' + err.message; });
  }

  section.querySelectorAll('[data-granularity]').forEach(function (b) {
    b.addEventListener('click', function () {
      granularity = b.dataset.granularity;
      section.querySelectorAll('[data-granularity]').forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
      load();
    });
  });
  load();
})();
