import request from 'supertest';
import { ogPng, ogSvg } from '../../src/services/ogImage';
import type { ShareSummary } from '../../src/services/ShareService';
import { ShareRepository } from '../../src/store/ShareRepository';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(90_000);

type Agent = ReturnType<typeof request.agent>;

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;|&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const textOf = (html: string, id: string) => {
  const m = new RegExp(`id="${id}">([^<]*)<`).exec(html);
  if (!m) throw new Error(`no #${id} on the page`);
  return decode(m[1]).trim();
};
const listOf = (html: string, id: string) => {
  const list = new RegExp(`<ol class="share-list" id="${id}">([\\s\\S]*?)</ol>`).exec(html)?.[1] ?? '';
  return [...list.matchAll(/<strong>([^<]*)<\/strong>/g)].map((m) => decode(m[1]));
};
const meta = (html: string, prop: string) => decode(new RegExp(`<meta (?:property|name)="${prop}" content="([^"]*)"`).exec(html)?.[1] ?? '');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(buf.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function loggedIn(t: TestApp, listener: string): Promise<{ agent: Agent; token: string }> {
  const agent = t.agent();
  await login(t, agent, listener);
  return { agent, token: await createApiToken(agent, 'share test') };
}

async function demoImport(t: TestApp, agent: Agent): Promise<void> {
  const page = await agent.get('/history').expect(200);
  await agent.post('/history/demo-import').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
  await t.services.historyImports.idle();
}

describe('public yearly summary links', () => {
  let t: TestApp;
  let owner: { agent: Agent; token: string };
  let year: string;
  let slug: string;
  const api = (token: string) => ({
    get: (p: string) => request(t.url).get(p).set('Authorization', `Bearer ${token}`),
    post: (p: string, body: unknown) => request(t.url).post(p).set('Authorization', `Bearer ${token}`).send(body as object),
    del: (p: string) => request(t.url).delete(p).set('Authorization', `Bearer ${token}`),
  });

  beforeAll(async () => {
    t = await startTestApp();
    owner = await loggedIn(t, 'marcus.demo');
    // A time zone other than UTC: the page must use it (to match the API) without showing it.
    const settings = await owner.agent.get('/settings').expect(200);
    await owner.agent.post('/settings/time-zone').type('form').send({ _csrf: csrfFrom(settings.text), time_zone: 'Asia/Tokyo' }).expect(303);
    await demoImport(t, owner.agent);
  });
  afterAll(() => t.close());

  it('offers the years with history on /settings and creates one link per year through the API', async () => {
    const settings = await owner.agent.get('/settings').expect(200);
    const years = [...settings.text.matchAll(/<option value="(\d{4})">/g)].map((m) => m[1]);
    const all = (await api(owner.token).get('/api/me/history/stats').expect(200)).body;
    expect(years).toEqual(all.years.map((y: { year: string }) => y.year).reverse());
    expect(years.length).toBeGreaterThanOrEqual(3);
    year = years[1]; // a whole year (the demo history ends today)

    const created = await api(owner.token).post('/api/me/shares', { year: Number(year) }).expect(201);
    slug = created.body.slug;
    expect(slug).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.body).toEqual({ slug, url: `${t.url}/share/${slug}`, year });
    const again = await api(owner.token).post('/api/me/shares', { year }).expect(200);
    expect(again.body.slug).toBe(slug);
    const listed = await api(owner.token).get('/api/me/shares').expect(200);
    expect(listed.body.shares).toEqual([{ slug, url: `${t.url}/share/${slug}`, year, created_at: expect.any(String) }]);
    expect((await owner.agent.get('/settings').expect(200)).text).toContain(`href="${t.url}/share/${slug}"`);
  });

  it('rejects a year without history, a malformed year and a missing login with clear errors', async () => {
    const none = await api(owner.token).post('/api/me/shares', { year: 1999 }).expect(400);
    expect(none.body.error).toEqual({ code: 'invalid_year', message: expect.stringContaining(year) });
    for (const body of [{}, { year: 'last' }, { year: 20241 }, { year: ['2024'] }]) {
      expect((await api(owner.token).post('/api/me/shares', body).expect(400)).body.error.code).toBe('invalid_year');
    }
    await request(t.url).post('/api/me/shares').send({ year }).expect(401);
    await request(t.url).get('/api/me/shares').expect(401);
  });

  it("shows the year's numbers from /api/me/history/stats on a public page without any identifier", async () => {
    const stats = (await api(owner.token).get(`/api/me/history/stats?from=${year}-01-01&to=${year}-12-31`).expect(200)).body;
    const page = await request(t.url).get(`/share/${slug}`).expect(200).expect('Content-Type', /html/);
    const html = page.text;
    expect(html).toContain(`<span class="share-name">Marcus’s</span> <span class="share-year">${year}</span> in music`);
    expect(Number(textOf(html, 'share-hours').replace(/,/g, ''))).toBe(stats.hours);
    expect(Number(textOf(html, 'share-plays').replace(/,/g, ''))).toBe(stats.plays);
    expect(listOf(html, 'share-top-artists')).toEqual(stats.top_artists.slice(0, 5).map((a: { name: string }) => a.name));
    expect(listOf(html, 'share-top-tracks')).toEqual(stats.top_tracks.slice(0, 5).map((x: { name: string }) => x.name));
    expect(textOf(html, 'share-streak')).toBe(`${stats.longest_streak.days} days`);
    const topMonth = [...stats.per_month].sort((a, b) => b.ms - a.ms)[0].month as string;
    expect(textOf(html, 'share-top-month')).toBe(MONTHS[Number(topMonth.slice(5)) - 1]);

    // Nothing that identifies the account: user (= Spotify) id, e-mail, time zone, country, avatar.
    const { user } = (await api(owner.token).get('/api/me/summary').expect(200)).body;
    expect(user.id).toBeTruthy();
    const secrets = [user.id, 'sandbox.invalid', 'Asia/Tokyo', 'Tokyo', user.image].filter(Boolean);
    for (const secret of secrets) expect(html).not.toContain(secret);

    // Open Graph: absolute URLs to the page and the image; a large Twitter card.
    expect(meta(html, 'og:title')).toBe(`Marcus’s ${year} in music`);
    expect(meta(html, 'og:url')).toBe(`${t.url}/share/${slug}`);
    expect(meta(html, 'og:image')).toBe(`${t.url}/share/${slug}/og.png`);
    expect(meta(html, 'og:description')).toContain(`${stats.plays.toLocaleString('en-US')} plays`);
    expect(meta(html, 'twitter:card')).toBe('summary_large_image');

    // Works under the strict CSP: no inline script or style.
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="/);
    expect(page.headers['x-robots-tag']).toBe('noindex');
  });

  it('serves the Open Graph image as a 1200×630 PNG that crawlers may cache', async () => {
    const first = await request(t.url).get(`/share/${slug}/og.png`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.headers['cache-control']).toBe('public, max-age=3600');
    expect(pngSize(first.body as Buffer)).toEqual({ width: 1200, height: 630 });
    // The same card again is the cached one (same ETag), and a revalidation costs no body.
    const second = await request(t.url).get(`/share/${slug}/og.png`).expect(200);
    expect(second.headers.etag).toBe(first.headers.etag);
    await request(t.url).get(`/share/${slug}/og.png`).set('If-None-Match', first.headers.etag).expect(304);
  });

  it('lets only the owner revoke; a revoked or unknown link answers 404', async () => {
    const other = await loggedIn(t, 'rin.demo');
    await api(other.token).del(`/api/me/shares/${slug}`).expect(404);
    await request(t.url).get(`/share/${slug}`).expect(200);
    // Nor through the settings form.
    const otherSettings = await other.agent.get('/settings').expect(200);
    await other.agent.post(`/settings/shares/${slug}/revoke`).type('form').send({ _csrf: csrfFrom(otherSettings.text) }).expect(404);
    await request(t.url).get(`/share/${slug}`).expect(200);

    await api(owner.token).del(`/api/me/shares/${slug}`).expect(204);
    const gone = await request(t.url).get(`/share/${slug}`).expect(404);
    expect(gone.text).toContain('does not exist or has been revoked');
    await request(t.url).get(`/share/${slug}/og.png`).expect(404);
    await api(owner.token).del(`/api/me/shares/${slug}`).expect(404);
    expect((await api(owner.token).get('/api/me/shares').expect(200)).body.shares).toEqual([]);
    await request(t.url).get('/share/AAAAAAAAAAAAAAAAAAAAAA').expect(404);
    await request(t.url).get('/share/not-a-slug').expect(404);
  });

  it('creates and revokes from the settings form, which needs the CSRF token', async () => {
    const settings = await owner.agent.get('/settings').expect(200);
    await owner.agent.post('/settings/shares').type('form').send({ year }).expect(403);
    await owner.agent.post('/settings/shares').type('form').send({ _csrf: csrfFrom(settings.text), year }).expect(303).expect('Location', '/settings#share');
    const withLink = await owner.agent.get('/settings').expect(200);
    const formSlug = new RegExp(`href="${t.url}/share/([A-Za-z0-9_-]{22})"`).exec(withLink.text)![1];
    await request(t.url).get(`/share/${formSlug}`).expect(200);
    await owner.agent.post(`/settings/shares/${formSlug}/revoke`).type('form').send({}).expect(403);
    await request(t.url).get(`/share/${formSlug}`).expect(200);
    await owner.agent.post(`/settings/shares/${formSlug}/revoke`).type('form').send({ _csrf: csrfFrom(withLink.text) }).expect(303);
    await request(t.url).get(`/share/${formSlug}`).expect(404);
    expect((await owner.agent.get('/settings').expect(200)).text).not.toContain('id="share-table"');
  });

  it('deleteAllForUser removes every link of a user and only theirs', async () => {
    const a = (await api(owner.token).post('/api/me/shares', { year }).expect(201)).body.slug;
    const other = await loggedIn(t, 'rin.demo');
    await demoImport(t, other.agent);
    const otherYear = (await api(other.token).get('/api/me/history/stats').expect(200)).body.years[0].year;
    const b = (await api(other.token).post('/api/me/shares', { year: otherYear }).expect(201)).body.slug;
    const ownerId = (await api(owner.token).get('/api/me/summary').expect(200)).body.user.id;
    expect(await new ShareRepository(t.store).deleteAllForUser(ownerId)).toBe(1);
    await request(t.url).get(`/share/${a}`).expect(404);
    expect((await api(owner.token).get('/api/me/shares').expect(200)).body.shares).toEqual([]);
    await request(t.url).get(`/share/${b}`).expect(200);
  });
});

describe('hostile names on a share page and its image', () => {
  const HOSTILE_ARTIST = '</script><script>alert(1)</script> & <b>Co';
  const HOSTILE_TRACK = '<img src=x onerror=alert(2)> "quoted" \'single\'';

  it('escapes artist and track names in the HTML and in the SVG, and still renders the PNG', async () => {
    const t = await startTestApp();
    try {
      const { token } = await loggedIn(t, 'ava.demo');
      const entry = (ts: string, track: string, artist: string, ms: number) => ({
        ts, platform: 'web_player', ms_played: ms, conn_country: 'GB', ip_addr: '192.0.2.1',
        master_metadata_track_name: track, master_metadata_album_artist_name: artist, master_metadata_album_album_name: 'LP',
        spotify_track_uri: null, episode_name: null, episode_show_name: null, spotify_episode_uri: null,
        audiobook_title: null, audiobook_uri: null, audiobook_chapter_uri: null, audiobook_chapter_title: null,
        reason_start: 'clickrow', reason_end: 'trackdone', shuffle: false, skipped: false, offline: false, offline_timestamp: null, incognito_mode: false,
      });
      const plays = [entry('2023-05-01T10:00:00Z', HOSTILE_TRACK, HOSTILE_ARTIST, 200_000), entry('2023-05-02T10:00:00Z', 'Calm', 'Plain Band', 100_000)];
      const up = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).attach('file', Buffer.from(JSON.stringify(plays)), 'Streaming_History_Audio_2023.json').expect(202);
      await t.services.historyImports.idle();
      expect((await request(t.url).get(`/api/me/history/imports/${up.body.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body.status).toBe('done');
      const { slug } = (await request(t.url).post('/api/me/shares').set('Authorization', `Bearer ${token}`).send({ year: '2023' }).expect(201)).body;

      const html = (await request(t.url).get(`/share/${slug}`).expect(200)).text;
      expect(html).not.toContain('<script>alert(1)');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('</script><script>');
      expect(listOf(html, 'share-top-artists')).toEqual([HOSTILE_ARTIST, 'Plain Band']);
      expect(listOf(html, 'share-top-tracks')).toEqual([HOSTILE_TRACK, 'Calm']);
      expect(meta(html, 'og:description')).toContain(`Top artist: ${HOSTILE_ARTIST}`);

      const png = await request(t.url).get(`/share/${slug}/og.png`).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(pngSize(png.body as Buffer)).toEqual({ width: 1200, height: 630 });
    } finally {
      await t.close();
    }
  });

  it('builds well-formed SVG from any names, control characters included', async () => {
    const summary: ShareSummary = {
      slug: 'x'.repeat(22), year: '2023', display_name: '<i>E</i>&"\u0000\u001b', hours: 12.5, plays: 345, distinct_artists: 2,
      top_artists: [{ name: '</script>&<b>', hours: 3, plays: 20 }, { name: 'A'.repeat(300), hours: 1, plays: 5 }],
      top_tracks: [{ name: '<img src=x>', artist: "'x' & \"y\"", hours: 1, plays: 4 }],
      longest_streak: { days: 4, from: '2023-05-01', to: '2023-05-04' }, top_month: { month: '2023-05', name: 'May', hours: 4 },
    };
    const svg = ogSvg(summary);
    expect(svg).toContain('>&lt;/script&gt;&amp;&lt;b&gt;</text>');
    expect(svg).toContain('>&lt;i&gt;E&lt;/i&gt;&amp;&quot;’s</text>');
    expect(svg).toContain('>&lt;img src=x&gt;</text>');
    expect(svg).toContain('>&#39;x&#39; &amp; &quot;y&quot;</text>');
    expect(svg).not.toMatch(/<\/?(script|img|b|i)\b|\u0000|\u001b/);
    expect(svg).toContain('…'); // the 300-character name was cut to fit
    expect(pngSize(await ogPng(svg))).toEqual({ width: 1200, height: 630 });
  });
});
