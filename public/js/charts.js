// Shared chart helpers: one Plotly theme (read from the page's CSS variables, so charts follow
// light and dark), one config, and one colour per name across every chart.
(function () {
  'use strict';
  // A fixed qualitative palette (after Tableau 10, without its grey and teal): every colour is told apart from the others
  // on both backgrounds, so neighbouring bars and areas never look alike.
  var PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#2bb3d9', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#6b5bd6', '#a0cb3b', '#b6992d'];

  function hash(s) {
    var h = 2166136261;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }

  var SDA = window.SDA = window.SDA || {};
  /** The same name always gets the same colour, on every chart and page. */
  SDA.colorFor = function (name) { return PALETTE[hash(String(name)) % PALETTE.length]; };
  /**
   * Colours for a list shown together (bars of one chart, areas of one stack): each name keeps its
   * own colour unless an earlier name in the list took it; then it gets the next free one, so no two
   * (up to the palette's size) look alike.
   */
  SDA.colorsFor = function (names) {
    var used = {};
    return names.map(function (name) {
      var i = hash(String(name)) % PALETTE.length;
      for (var n = 0; n < PALETTE.length && used[i]; n++) i = (i + 1) % PALETTE.length;
      used[i] = true;
      return PALETTE[i];
    });
  };
  SDA.palette = PALETTE;

  /** The current theme's colours, read from the CSS variables each time a chart is drawn. */
  SDA.theme = function () {
    var css = getComputedStyle(document.documentElement);
    var v = function (name) { return css.getPropertyValue(name).trim(); };
    return {
      text: v('--text'), muted: v('--muted'), grid: v('--border'), line: v('--border-strong'), surface: v('--surface'), surface2: v('--surface-2'),
      seriesA: v('--series-a'), seriesB: v('--series-b'), warn: v('--warn'), heat: [v('--heat-0'), v('--heat-1'), v('--heat-2')],
    };
  };
  SDA.heatScale = function (theme) { return [[0, theme.heat[0]], [0.3, theme.heat[1]], [1, theme.heat[2]]]; };
  SDA.narrow = function () { return window.matchMedia('(max-width: 560px)').matches; };
  var touch = window.matchMedia('(pointer: coarse)').matches;

  SDA.layout = function (extra, theme) {
    var t = theme || SDA.theme();
    extra = extra || {};
    var axis = { gridcolor: t.grid, zerolinecolor: t.grid, linecolor: t.line, automargin: true, title: { standoff: 8 } };
    var base = {
      paper_bgcolor: 'rgba(0,0,0,0)',
      plot_bgcolor: 'rgba(0,0,0,0)',
      font: { color: t.text, family: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', size: 12 },
      margin: { l: 48, r: 12, t: 8, b: 40 },
      // Legends go at the bottom of the figure (below the x-axis title), left-aligned; plotly shrinks the plot to make room.
      legend: { orientation: 'h', x: 0, xanchor: 'left', yref: 'container', y: 0, yanchor: 'bottom' },
      hoverlabel: { bgcolor: t.surface2, bordercolor: t.line, font: { color: t.text } },
      // On touch screens a drag scrolls the page; zooming a chart by accident helps no one.
      dragmode: touch ? false : 'zoom',
    };
    return Object.assign(base, extra, {
      xaxis: Object.assign({}, axis, extra.xaxis),
      yaxis: Object.assign({}, axis, extra.yaxis),
      legend: Object.assign({}, base.legend, extra.legend),
    });
  };
  // No mode bar: its zoom and pan buttons add little to these small charts and cover them on phones.
  SDA.config = { displaylogo: false, responsive: true, displayModeBar: false };

  var drawn = [];
  /**
   * Draws when Plotly is there; marks the element so tests and people can tell it was drawn.
   * `traces` may be a function of the theme (for colours that follow light and dark).
   */
  SDA.plot = function (id, traces, layout) {
    var el = document.getElementById(id);
    if (!el) return;
    if (!window.Plotly) {
      el.classList.add('chart-failed');
      el.textContent = 'The chart library did not load; reload the page to try again.';
      return;
    }
    if (el.classList.contains('chart-empty')) { el.classList.remove('chart-empty'); el.textContent = ''; }
    var entry = { el: el, traces: traces, layout: layout };
    drawn = drawn.filter(function (e) { return e.el !== el; }).concat(entry);
    draw(entry, window.Plotly.newPlot).then(function () { el.dataset.drawn = '1'; });
  };
  function draw(entry, how) {
    var theme = SDA.theme();
    var traces = typeof entry.traces === 'function' ? entry.traces(theme) : entry.traces;
    var layout = typeof entry.layout === 'function' ? entry.layout(theme) : entry.layout;
    return how(entry.el, traces, SDA.layout(layout, theme), SDA.config);
  }
  /** A chart with nothing to draw says so instead of showing its loading placeholder forever. */
  SDA.empty = function (id, message) {
    var el = document.getElementById(id);
    if (!el) return;
    el.classList.add('chart-empty');
    el.textContent = message;
  };
  document.addEventListener('sda:theme', function () {
    if (!window.Plotly) return;
    drawn.forEach(function (entry) { draw(entry, window.Plotly.react); });
  });

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
