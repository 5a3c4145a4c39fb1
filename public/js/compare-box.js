// Compare boxes (artist page, /compare): search artists as you type (GET /api/search), pick one with
// the mouse or the keyboard, and say what is wrong inline instead of sending the form to an error page.
(function () {
  'use strict';
  var ID = /^[0-9A-Za-z]{22}$/;
  var LINK = /^(?:https?:\/\/\S+\/|spotify:)artists?[/:]([0-9A-Za-z]{22})(?:[/?#]\S*)?$/;
  function idOf(text) {
    var t = text.trim();
    if (ID.test(t)) return t;
    var m = LINK.exec(t);
    return m ? m[1] : null;
  }

  Array.prototype.forEach.call(document.querySelectorAll('form.compare-pick'), function (form) {
    var boxes = Array.prototype.map.call(form.querySelectorAll('.compare-box'), setUp);
    form.addEventListener('submit', function (ev) {
      // Every box must hold an artist; a typed name is looked up first.
      var pending = boxes.filter(function (b) { return !b.resolved(); });
      if (!pending.length) return;
      ev.preventDefault();
      Promise.all(pending.map(function (b) { return b.resolve(); })).then(function (ok) {
        if (ok.every(Boolean)) form.submit();
      });
    });
  });

  function setUp(box) {
    var input = box.querySelector('input');
    var list = box.querySelector('.compare-suggestions');
    var error = box.querySelector('.compare-box-error');
    var field = box.dataset.field;
    // The chosen artist travels in a hidden field of the box's name; the visible box then has none.
    var hidden = document.createElement('input');
    hidden.type = 'hidden';
    box.appendChild(hidden);
    var chosen = null, hits = [], active = -1, timer = null, seq = 0;

    function say(text) { error.textContent = text || ''; error.hidden = !text; input.setAttribute('aria-invalid', text ? 'true' : 'false'); }
    function choose(artist) {
      // A pick cancels the search still waiting or in flight, so its answer cannot reopen the list.
      clearTimeout(timer);
      seq++;
      chosen = artist;
      input.value = artist.name;
      input.removeAttribute('name');
      hidden.name = field;
      hidden.value = artist.id;
      close();
      say('');
    }
    function unchoose() { chosen = null; hidden.removeAttribute('name'); input.name = field; }
    function close() { list.hidden = true; list.textContent = ''; input.setAttribute('aria-expanded', 'false'); active = -1; }
    function show(artists) {
      hits = artists;
      list.textContent = '';
      artists.forEach(function (a, i) {
        var li = document.createElement('li');
        li.setAttribute('role', 'option');
        li.id = 'compare-' + field + '-opt-' + i;
        li.className = 'compare-suggestion';
        var name = document.createElement('strong');
        name.textContent = a.name;
        li.appendChild(name);
        if (a.genres && a.genres.length) {
          var g = document.createElement('span');
          g.className = 'muted small';
          g.textContent = ' ' + a.genres.slice(0, 2).join(' · ');
          li.appendChild(g);
        }
        li.addEventListener('mousedown', function (ev) { ev.preventDefault(); choose(a); });
        list.appendChild(li);
      });
      list.hidden = !artists.length;
      input.setAttribute('aria-expanded', artists.length ? 'true' : 'false');
    }
    function highlight(i) {
      var items = list.querySelectorAll('li');
      active = (i + items.length) % items.length;
      Array.prototype.forEach.call(items, function (li, k) { li.setAttribute('aria-selected', k === active ? 'true' : 'false'); });
      input.setAttribute('aria-activedescendant', items[active] ? items[active].id : '');
    }
    function search(q) {
      var mine = ++seq;
      return fetch('/api/search?limit=6&q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (mine !== seq) return null;
          if (!res.ok) { say(res.body && res.body.error ? res.body.error.message : 'The search failed; try again.'); return []; }
          return res.body.artists || [];
        })
        .catch(function () { if (mine === seq) say('The search did not answer; check the connection and try again.'); return []; });
    }

    input.addEventListener('input', function () {
      unchoose();
      say('');
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || idOf(q)) { close(); return; }
      timer = setTimeout(function () {
        search(q).then(function (artists) {
          if (artists === null) return;
          show(artists);
          if (!artists.length) say('No artist found for “' + q + '”. Check the spelling, or paste a Spotify link.');
        });
      }, 200);
    });
    input.addEventListener('keydown', function (ev) {
      if (list.hidden) return;
      if (ev.key === 'ArrowDown') { ev.preventDefault(); highlight(active + 1); }
      else if (ev.key === 'ArrowUp') { ev.preventDefault(); highlight(active - 1); }
      else if (ev.key === 'Enter' && active >= 0) { ev.preventDefault(); choose(hits[active]); }
      else if (ev.key === 'Escape') close();
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });

    return {
      resolved: function () { return Boolean(chosen) || Boolean(idOf(input.value)); },
      // A typed name without a pick: the one artist of that exact name (or the only hit), else say so and list them.
      resolve: function () {
        var q = input.value.trim();
        if (!q) { say('Type an artist’s name.'); input.focus(); return Promise.resolve(false); }
        return search(q).then(function (artists) {
          artists = artists || [];
          var exact = artists.filter(function (a) { return a.name.toLowerCase() === q.toLowerCase(); });
          if (exact.length === 1 || artists.length === 1) { choose(exact[0] || artists[0]); return true; }
          if (!artists.length) say('No artist found for “' + q + '”. Check the spelling, or paste a Spotify link.');
          else { show(artists); say('Several artists match “' + q + '”: pick one from the list.'); }
          input.focus();
          return false;
        });
      },
    };
  }
})();
