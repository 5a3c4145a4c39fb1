// The play log's infinite scrolling: older pages from /api/me/history/plays with the page's own
// query and the cursor of the last page, appended when the "Show older plays" button comes into view.
(function () {
  'use strict';
  var list = document.getElementById('play-log');
  var more = document.getElementById('play-more');
  if (!list || !more) return;
  var end = document.getElementById('play-log-end');
  var cursor = list.dataset.next;
  var loading = false;
  // The same format as the server's (src/routes/format.ts): medium date, short time, the zone's name.
  var zone = list.dataset.timeZone || 'UTC';
  var when;
  try { when = new Intl.DateTimeFormat(list.dataset.locale || 'en', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }); }
  catch (e) { when = new Intl.DateTimeFormat('en', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function link(href, text, cls) { var a = el('a', cls, text); a.href = href; return a; }
  function tag(text, title) { var t = el('span', 'tag', text); if (title) t.title = title; return t; }

  function row(p) {
    var li = el('li', 'play-row' + (p.counted === 'play' ? '' : ' play-uncounted'));
    var time = el('time', 'play-time small', when.format(new Date(p.ts)) + ' (' + zone + ')');
    time.setAttribute('datetime', p.ts);
    li.appendChild(time);
    var body = el('span', 'track-body');
    var name = el('strong');
    name.appendChild(p.track_key ? link('/me/tracks/' + p.track_key, p.name) : document.createTextNode(p.name));
    body.appendChild(name);
    var sub = el('span', 'muted small');
    sub.appendChild(p.artist_key ? link('/me/artists/' + p.artist_key, p.artist, 'quiet-link') : document.createTextNode(p.artist));
    if (p.album) {
      sub.appendChild(document.createTextNode(' · '));
      sub.appendChild(p.album_key ? link('/me/albums/' + p.album_key, p.album, 'quiet-link') : document.createTextNode(p.album));
    }
    body.appendChild(sub);
    li.appendChild(body);
    var tags = el('span', 'play-tags small');
    tags.appendChild(el('span', 'num', duration(p.ms_played)));
    if (p.kind !== 'music') tags.appendChild(tag(p.kind));
    if (p.skipped) tags.appendChild(tag('skipped'));
    if (p.shuffle) tags.appendChild(tag('shuffle'));
    if (p.counted === 'time_only') tags.appendChild(tag('partial', 'Listening time only, no play (How we count)'));
    else if (p.counted === 'excluded') tags.appendChild(tag('not counted', 'Left out by your counting rules'));
    if (p.platform) tags.appendChild(el('span', 'muted', p.platform));
    li.appendChild(tags);
    return li;
  }

  function duration(ms) { var s = Math.round(ms / 1000); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); }

  function load() {
    if (loading || !cursor) return;
    loading = true;
    more.disabled = true;
    more.textContent = 'Loading…';
    var params = new URLSearchParams(location.search);
    params.delete('range');
    params.set('cursor', cursor);
    params.set('limit', '50');
    fetch('/api/me/history/plays?' + params.toString(), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (page) {
        page.plays.forEach(function (p) { list.appendChild(row(p)); });
        cursor = page.next_cursor;
        list.dataset.next = cursor || '';
        more.hidden = !cursor;
        if (end) end.hidden = Boolean(cursor);
        more.textContent = 'Show older plays';
      })
      .catch(function () { more.textContent = 'Could not load more; try again'; })
      .finally(function () { loading = false; more.disabled = false; });
  }
  more.addEventListener('click', load);
  if ('IntersectionObserver' in window) {
    new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) load();
    }, { rootMargin: '400px' }).observe(more);
  }
})();
