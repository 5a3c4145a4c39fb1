// Shared chart helpers: one Plotly theme and one colour per name across every chart.
(function () {
  'use strict';
  var PALETTE = ['#1db954', '#4aa8ff', '#ff8a5b', '#c38bff', '#ffd166', '#ef476f', '#06d6a0', '#8ecae6', '#f4a261', '#b5e48c',
    '#e76f51', '#90be6d', '#f72585', '#4cc9f0', '#fcbf49', '#a0c4ff', '#ffadad', '#caffbf', '#9bf6ff', '#bdb2ff'];

  function hash(s) {
    var h = 2166136261;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }

  var SDA = window.SDA = window.SDA || {};
  /** The same name always gets the same colour, on every chart and page. */
  SDA.colorFor = function (name) { return PALETTE[hash(String(name)) % PALETTE.length]; };
  SDA.palette = PALETTE;

  SDA.layout = function (extra) {
    var base = {
      paper_bgcolor: 'rgba(0,0,0,0)',
      plot_bgcolor: 'rgba(0,0,0,0)',
      font: { color: '#dfe4ec', family: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', size: 12 },
      margin: { l: 48, r: 12, t: 8, b: 40 },
      xaxis: { gridcolor: '#2a2f3a', zerolinecolor: '#2a2f3a' },
      yaxis: { gridcolor: '#2a2f3a', zerolinecolor: '#2a2f3a' },
      legend: { orientation: 'h', y: -0.2 },
      hoverlabel: { bgcolor: '#1f232c', bordercolor: '#3a4150', font: { color: '#eef1f5' } },
    };
    return Object.assign(base, extra || {}, {
      xaxis: Object.assign({}, base.xaxis, (extra || {}).xaxis),
      yaxis: Object.assign({}, base.yaxis, (extra || {}).yaxis),
    });
  };
  SDA.config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

  /** Draws when Plotly is there; marks the element so tests and people can tell it was drawn. */
  SDA.plot = function (id, traces, layout) {
    var el = document.getElementById(id);
    if (!el || !window.Plotly) return;
    window.Plotly.newPlot(el, traces, SDA.layout(layout), SDA.config).then(function () { el.dataset.drawn = '1'; });
  };

  SDA.readJson = function (id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };

  SDA.duration = function (ms) {
    if (typeof ms !== 'number') return '–';
    var s = Math.round(ms / 1000);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  };
})();
