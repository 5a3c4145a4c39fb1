// Artist page: charts from the embedded JSON, and the sortable, filterable track table.
(function () {
  'use strict';
  var SDA = window.SDA;
  var d = SDA.readJson('artist-data');
  if (!d) return;
  var T = d.tracks;
  var n = T.id.length;
  var KEYS = ['C', 'C♯/D♭', 'D', 'D♯/E♭', 'E', 'F', 'F♯/G♭', 'G', 'G♯/A♭', 'A', 'A♯/B♭', 'B'];
  var FEATURES = [['energy', 'Energy'], ['danceability', 'Danceability'], ['valence', 'Valence'], ['acousticness', 'Acousticness']];
  // One colour per feature, the same on every chart of the page, chosen far apart in hue.
  var featureColor = { Energy: SDA.palette[1], Danceability: SDA.palette[6], Valence: SDA.palette[4], Acousticness: SDA.palette[0] };

  // Plotly reads a few HTML-like tags in text; entities keep names such as "</script>" literal.
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  function dateOf(s) { return s.length === 4 ? s + '-07-01' : s.length === 7 ? s + '-15' : s; }
  function mean(xs) { var v = xs.filter(isNum); return v.length ? v.reduce(function (a, b) { return a + b; }, 0) / v.length : null; }

  var byAlbum = d.albums.map(function () { return []; });
  for (var i = 0; i < n; i++) if (T.album[i] >= 0) byAlbum[T.album[i]].push(i);

  function drawCharts() {
    // Sound across the years: one point per release, or the yearly mean when releases are many.
    var perYear = d.albums.length > 60;
    var years = FEATURES.map(function (f) {
      var xs = [], ys = [], text = [];
      if (perYear) {
        var acc = {};
        d.albums.forEach(function (al, a) {
          byAlbum[a].forEach(function (t) {
            var v = T[f[0]][t];
            if (!isNum(v)) return;
            var y = al.date.slice(0, 4);
            acc[y] = acc[y] || { sum: 0, n: 0, releases: {} };
            acc[y].sum += v; acc[y].n++; acc[y].releases[a] = 1;
          });
        });
        Object.keys(acc).sort().forEach(function (y) {
          xs.push(y + '-07-01'); ys.push(acc[y].sum / acc[y].n);
          text.push(y + ' · ' + Object.keys(acc[y].releases).length + ' releases, ' + acc[y].n + ' tracks');
        });
      } else {
        d.albums.forEach(function (al, a) {
          var m = mean(byAlbum[a].map(function (t) { return T[f[0]][t]; }));
          if (m === null) return;
          xs.push(dateOf(al.date)); ys.push(m); text.push(esc(al.name) + ' (' + al.type + ')');
        });
      }
      return { type: 'scatter', mode: 'lines+markers', name: f[1], x: xs, y: ys, text: text,
        hovertemplate: '%{text}<br>' + f[1] + ' %{y:.2f}<extra></extra>', marker: { color: featureColor[f[1]], size: 6 }, line: { color: featureColor[f[1]], width: 2, shape: 'spline', smoothing: 0.6 } };
    });
    document.getElementById('years-caption').textContent = perYear
      ? 'Average of all tracks released each year (' + d.albums.length + ' releases). Hover for details.'
      : 'Average feature per release, by release date. Hover for the release.';
    SDA.plot('chart-years', years, { xaxis: { type: 'date', title: { text: 'Release date' } }, yaxis: { range: [0, 1], title: { text: 'Average (0–1)' } } });

    // Mood map.
    var mx = [], my = [], mt = [];
    for (var i = 0; i < n; i++) {
      if (!isNum(T.valence[i]) || !isNum(T.energy[i])) continue;
      mx.push(T.valence[i]); my.push(T.energy[i]);
      mt.push(esc(T.name[i]) + '<br><i>' + esc(T.album[i] >= 0 ? d.albums[T.album[i]].name : '') + '</i>');
    }
    // SVG, not WebGL: works everywhere, including browsers without a GPU.
    SDA.plot('chart-mood', function (theme) {
      return [{ type: 'scatter', mode: 'markers', x: mx, y: my, text: mt,
        hovertemplate: '%{text}<br>valence %{x:.2f} · energy %{y:.2f}<extra></extra>', marker: { size: mx.length > 1000 ? 4 : 6, opacity: 0.75, color: my, colorscale: [[0, theme.seriesB], [1, theme.seriesA]] } }];
    }, function (theme) {
      return { xaxis: { range: [0, 1], title: { text: 'Valence: sad → happy' } }, yaxis: { range: [0, 1], title: { text: 'Energy: calm → intense' } },
        shapes: [{ type: 'line', x0: 0.5, x1: 0.5, y0: 0, y1: 1, line: { color: theme.line, dash: 'dot' } }, { type: 'line', x0: 0, x1: 1, y0: 0.5, y1: 0.5, line: { color: theme.line, dash: 'dot' } }] };
    });

    // Distributions.
    SDA.plot('chart-dist', FEATURES.slice(0, 3).map(function (f) {
      return { type: 'histogram', name: f[1], x: T[f[0]].filter(isNum), opacity: 0.55, xbins: { start: 0, end: 1, size: 0.05 }, marker: { color: featureColor[f[1]] } };
    }), { barmode: 'overlay', xaxis: { range: [0, 1] }, yaxis: { title: { text: 'Tracks' } } });

    SDA.plot('chart-tempo', [{ type: 'histogram', name: 'Tempo', x: T.tempo.filter(isNum), xbins: { size: 5 }, marker: { color: SDA.colorFor('Tempo') } }],
      { xaxis: { title: { text: 'Beats per minute' } }, yaxis: { title: { text: 'Tracks' } }, showlegend: false });

    // Keys and modes.
    var major = KEYS.map(function () { return 0; }), minor = KEYS.map(function () { return 0; });
    for (var k = 0; k < n; k++) {
      if (!isNum(T.key[k]) || T.key[k] < 0) continue;
      (T.mode[k] === 1 ? major : minor)[T.key[k]]++;
    }
    SDA.plot('chart-keys', function (theme) {
      return [
        { type: 'bar', name: 'Major', x: KEYS, y: major, marker: { color: theme.seriesA } },
        { type: 'bar', name: 'Minor', x: KEYS, y: minor, marker: { color: theme.seriesB } },
      ];
    }, { barmode: 'group', yaxis: { title: { text: 'Tracks' } } });

    // Durations: a box per release, or per year when there are too many releases to read.
    var perRelease = d.albums.length <= 40;
    document.getElementById('duration-caption').textContent = perRelease ? 'Minutes per track, one box per release (oldest first).' : 'Minutes per track, one box per release year (' + d.albums.length + ' releases).';
    var groups = {};
    for (var j = 0; j < n; j++) {
      var al = d.albums[T.album[j]];
      if (!al) continue;
      var label = perRelease ? esc(al.name) : al.date.slice(0, 4);
      (groups[label] = groups[label] || []).push(T.duration_ms[j] / 60000);
    }
    var labels = Object.keys(groups);
    if (!perRelease) labels.sort();
    var boxColors = SDA.colorsFor(labels);
    SDA.plot('chart-durations', labels.map(function (l, b) {
      return { type: 'box', name: l, y: groups[l], boxpoints: false, marker: { color: boxColors[b] }, line: { width: 1 } };
    }), { showlegend: false, yaxis: { title: { text: 'Minutes' } }, xaxis: { tickangle: -35, automargin: true } });
  }

  // ---- Track table ----
  var rows = [];
  for (var r = 0; r < n; r++) {
    var album = d.albums[T.album[r]] || { name: '', date: '' };
    rows.push({ i: r, album: T.album[r], albumName: album.name, date: album.date, pos: T.disc[r] * 1000 + T.number[r], posLabel: (T.disc[r] > 1 ? T.disc[r] + '-' : '') + T.number[r],
      name: T.name[r], duration_ms: T.duration_ms[r], tempo: T.tempo[r], energy: T.energy[r], danceability: T.danceability[r], valence: T.valence[r],
      popularity: T.popularity[r], explicit: T.explicit[r] ? 1 : 0, search: (T.name[r] + ' ' + album.name).toLowerCase() });
  }
  var state = { key: 'album', dir: 1, filter: '', album: '', collapse: false };
  var LIMIT = 1000;
  var tbody = document.querySelector('#track-table tbody');

  function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); }
  function fixed(v, digits) { return isNum(v) ? v.toFixed(digits) : '–'; }

  function render() {
    var list = rows.filter(function (row) {
      return (!state.filter || row.search.indexOf(state.filter) !== -1) && (state.album === '' || String(row.album) === state.album);
    });
    if (state.collapse) {
      // Same recording on several releases: same name (case-insensitive) and length within 2 s.
      var seen = {};
      list = list.filter(function (row) {
        var k = row.name.toLowerCase().trim() + '|' + Math.round(row.duration_ms / 2000);
        if (seen[k]) { seen[k].versions++; return false; }
        seen[k] = row; row.versions = 1; return true;
      });
    } else {
      list.forEach(function (row) { row.versions = 1; });
    }
    var key = state.key, dir = state.dir;
    list.sort(function (a, b) {
      var x = key === 'album' ? a.date + '|' + a.album : a[key], y = key === 'album' ? b.date + '|' + b.album : b[key];
      if (x === y) return a.album - b.album || a.pos - b.pos;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    var frag = document.createDocumentFragment();
    list.slice(0, LIMIT).forEach(function (row) {
      var tr = document.createElement('tr');
      cell(tr, row.date.slice(0, 4) + ' · ' + row.albumName, 'album-cell');
      cell(tr, row.posLabel, 'num');
      cell(tr, row.name + (row.versions > 1 ? ' (' + row.versions + ' releases)' : ''));
      cell(tr, SDA.duration(row.duration_ms), 'num');
      cell(tr, isNum(row.tempo) ? Math.round(row.tempo) : '–', 'num');
      cell(tr, fixed(row.energy, 2), 'num');
      cell(tr, fixed(row.danceability, 2), 'num');
      cell(tr, fixed(row.valence, 2), 'num');
      cell(tr, isNum(row.popularity) ? row.popularity : 'n/a', 'num');
      cell(tr, row.explicit ? 'E' : '');
      frag.appendChild(tr);
    });
    tbody.replaceChildren(frag);
    document.getElementById('row-count').textContent = list.length + ' of ' + rows.length + ' tracks';
    var more = document.getElementById('table-more');
    more.hidden = list.length <= LIMIT;
    more.textContent = 'Showing the first ' + LIMIT + ' rows; filter or sort to see others, or download the CSV.';
  }

  document.querySelectorAll('#track-table th').forEach(function (th) {
    th.querySelector('button').addEventListener('click', function () {
      var key = th.dataset.key;
      state.dir = state.key === key ? -state.dir : (key === 'name' || key === 'album' || key === 'pos' ? 1 : -1);
      state.key = key;
      document.querySelectorAll('#track-table th').forEach(function (o) { o.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', state.dir === 1 ? 'ascending' : 'descending');
      render();
    });
  });
  document.getElementById('track-filter').addEventListener('input', function (e) { state.filter = e.target.value.toLowerCase().trim(); render(); });
  document.getElementById('album-filter').addEventListener('change', function (e) { state.album = e.target.value; render(); });
  document.getElementById('collapse-dupes').addEventListener('change', function (e) { state.collapse = e.target.checked; render(); });

  render();
  drawCharts();
})();
