import request from 'supertest';
import { similarity, type FeatureMeans } from '../../src/services/similarity';
import { createApiToken, login, startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(120_000);

const FEATURES = ['energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'tempo'] as const;

/** What the sandbox catalog says the compare page must show for an artist. */
function fromCatalog(t: TestApp, id: string) {
  const cat = t.sandbox.catalog;
  const artist = cat.artists.get(id)!;
  const albums = artist.albumIds.map((a) => cat.albums.get(a)!);
  const tracks = albums.flatMap((al) => al.trackIds.map((tid) => cat.tracks.get(tid)!));
  const years = new Map<number, { year: number; album: number; single: number; compilation: number; total: number }>();
  for (const al of albums) {
    const year = Number(al.releaseDate.slice(0, 4));
    const row = years.get(year) ?? { year, album: 0, single: 0, compilation: 0, total: 0 };
    row[al.albumType]++;
    row.total++;
    years.set(year, row);
  }
  const withFeatures = tracks.filter((tr) => tr.features);
  const means = Object.fromEntries(
    FEATURES.map((f) => [f, withFeatures.reduce((s, tr) => s + tr.features![f], 0) / withFeatures.length]),
  ) as FeatureMeans;
  const major = new Array(12).fill(0);
  const minor = new Array(12).fill(0);
  for (const tr of withFeatures) (tr.features!.mode === 1 ? major : minor)[tr.features!.key]++;
  return {
    name: artist.name,
    releases: albums.length,
    tracks: tracks.length,
    withFeatures: withFeatures.length,
    perYear: [...years.values()].sort((x, y) => x.year - y.year),
    means,
    major,
    minor,
  };
}

/** Two artists of the catalog with a few releases each (and features), other than the notable ones. */
function twoArtists(t: TestApp): [string, string] {
  const cat = t.sandbox.catalog;
  const a = cat.notable.smallArtistId;
  const b = [...cat.artists.values()].find((x) => x.id !== a && x.albumIds.length >= 4 && x.albumIds.length <= 8 && /^[A-Za-z ]+$/.test(x.name))!.id;
  return [a, b];
}

function compareData(html: string) {
  const data = /<script type="application\/json" id="compare-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!data) throw new Error('no compare data on the page');
  return { raw: data, json: JSON.parse(data) };
}

describe('compare two artists', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('gives both discographies side by side with the catalog\'s real numbers, without login', async () => {
    const [a, b] = twoArtists(t);
    const res = await request(t.url).get('/api/compare').query({ a, b }).expect(200).expect('content-type', /json/);
    const c = res.body;
    expect(c.kind).toBe('artists');
    expect(c.same_artist).toBe(false);
    for (const [side, id] of [['a', a], ['b', b]] as const) {
      const want = fromCatalog(t, id);
      const p = c[side];
      expect(p).toMatchObject({ id, name: want.name, releases: want.releases, tracks: want.tracks, tracks_with_features: want.withFeatures });
      // Releases per year, split by type, exactly as the catalog has them.
      expect(p.releases_per_year).toEqual(want.perYear);
      for (const f of FEATURES) expect(p.means[f]).toBeCloseTo(want.means[f]!, 3);
      expect(p.keys.major).toEqual(want.major);
      expect(p.keys.minor).toEqual(want.minor);
      const withKey = want.major.reduce((s: number, n: number) => s + n, 0) + want.minor.reduce((s: number, n: number) => s + n, 0);
      expect(p.keys.major_share).toBeCloseTo(want.major.reduce((s: number, n: number) => s + n, 0) / withKey, 3);
      // Every track lands in exactly one tempo and one duration bin.
      expect(p.tempo.histogram.counts.reduce((s: number, n: number) => s + n, 0)).toBe(want.withFeatures);
      expect(p.durations.histogram.counts.reduce((s: number, n: number) => s + n, 0)).toBe(want.tracks);
      for (const f of ['energy', 'valence', 'danceability']) {
        const box = p.distributions[f];
        expect(box.n).toBe(want.withFeatures);
        expect(box.min).toBeLessThanOrEqual(box.q1);
        expect(box.q1).toBeLessThanOrEqual(box.median);
        expect(box.median).toBeLessThanOrEqual(box.q3);
        expect(box.q3).toBeLessThanOrEqual(box.max);
      }
    }
    // The score is the pure function of the two sides' catalog averages.
    const expected = similarity(fromCatalog(t, a).means, fromCatalog(t, b).means).score;
    expect(c.similarity.score).toBe(expected);
    expect(c.similarity.score).toBeGreaterThanOrEqual(0);
    expect(c.similarity.score).toBeLessThan(100);
    expect(c.similarity.explanation).toMatch(new RegExp(`^${expected}/100: `));
    expect(c.similarity.features).toHaveLength(8);
    expect(c.similarity.method).toMatch(/50–200 BPM/);
  });

  it('scores an artist against itself 100 and says both sides are the same', async () => {
    const [a] = twoArtists(t);
    const res = await request(t.url).get('/api/compare').query({ a, b: a }).expect(200);
    expect(res.body.same_artist).toBe(true);
    expect(res.body.similarity.score).toBe(100);
    expect(res.body.similarity.explanation).toMatch(/^100\/100: both sides are/);
    expect(res.body.a).toEqual(res.body.b);
    const page = await request(t.url).get('/compare').query({ a, b: a }).expect(200);
    expect(page.text).toContain('Both sides are the same artist');
  });

  it('rejects bad input with 400 and a clear code, and unknown artists with 404', async () => {
    const [a, b] = twoArtists(t);
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ a }, 'missing_artist'],
      [{ b }, 'missing_artist'],
      [{}, 'missing_artist'],
      [{ a: 'not-an-id', b }, 'invalid_artist_id'],
      [{ a, b: '<script>alert(1)</script>' }, 'invalid_artist_id'],
      [{ a, b: `${b}x` }, 'invalid_artist_id'],
      [{ a: [a, b], b }, 'invalid_artist_id'],
      [{ a, b, me: 'yes' }, 'invalid_query'],
    ];
    for (const [query, code] of cases) {
      const res = await request(t.url).get('/api/compare').query(query).expect(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    const missing = await request(t.url).get('/api/compare').query({ a }).expect(400);
    expect(missing.body.error.message).toMatch(/b, the artist to compare with, is missing/);
    const page = await request(t.url).get('/compare').query({ a: 'not-an-id', b }).expect(400).expect('content-type', /html/);
    expect(page.text).toContain('Artist ids are 22 characters');
    await request(t.url).get('/compare').query({ a }).expect(400);
    // With nothing chosen yet, the page says how to pick artists instead of failing.
    const choose = await request(t.url).get('/compare').query({ me: 1 }).expect(200);
    expect(choose.text).toContain('id="compare-choose"');
    expect(choose.text).toContain('Compare your taste with an artist');
    const unknown = await request(t.url).get('/api/compare').query({ a, b: '0123456789abcdefABCDEF' }).expect(404);
    expect(unknown.body.error.code).toBe('not_found');
    await request(t.url).get('/compare').query({ a, b: '0123456789abcdefABCDEF' }).expect(404);
  });

  it('accepts Spotify artist links in place of ids', async () => {
    const [a, b] = twoArtists(t);
    const res = await request(t.url)
      .get('/api/compare')
      .query({ a: `https://open.spotify.com/intl-de/artist/${a}?si=abc123`, b: `spotify:artist:${b}` })
      .expect(200);
    expect([res.body.a.id, res.body.b.id]).toEqual([a, b]);
  });

  it('renders the page with the same numbers as the API and every chart container', async () => {
    const [a, b] = twoArtists(t);
    const api = (await request(t.url).get('/api/compare').query({ a, b }).expect(200)).body;
    const page = await request(t.url).get('/compare').query({ a, b }).expect(200);
    expect(page.text).toContain(`<strong id="similarity-score">${api.similarity.score}</strong>`);
    expect(page.text).toContain('How this is computed');
    for (const id of ['chart-features', 'chart-tempo', 'chart-keys', 'chart-modes', 'chart-durations', 'chart-years']) expect(page.text).toContain(`id="${id}"`);
    const data = compareData(page.text).json;
    expect(data.similarity.score).toBe(api.similarity.score);
    expect(data.a.releases_per_year).toEqual(api.a.releases_per_year);
    // No inline script (the CSP would block it): only src= scripts and the JSON element.
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*application\/json)[^>]*>/);
    const doc = (await request(t.url).get('/api/openapi.json').expect(200)).body;
    expect(doc.paths['/api/compare'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['a', 'b', 'me', 'range']);
  });

  it('shows a hostile artist name as text, and the embedded data cannot close its script element', async () => {
    const [, b] = twoArtists(t);
    const id = t.sandbox.catalog.notable.hostileArtistId;
    const name = t.sandbox.catalog.artists.get(id)!.name;
    expect(name).toMatch(/<\/script>/);
    const page = await request(t.url).get('/compare').query({ a: id, b }).expect(200);
    expect(page.text).not.toContain(name);
    expect(page.text).not.toMatch(/<script>alert/i);
    expect(page.text).toContain('&lt;/script&gt;');
    const { raw, json } = compareData(page.text);
    expect(raw).not.toMatch(/<\/?script/i);
    expect(json.a.name).toBe(name);
    const api = await request(t.url).get('/api/compare').query({ a: id, b }).expect(200);
    expect(api.body.a.name).toBe(name);
  });

  it('shows progress while an artist is fetched, then the comparison; and a failed fetch as such', async () => {
    const [a, b] = twoArtists(t);
    const cat = t.sandbox.catalog;
    const slow = [...cat.artists.values()].find((x) => x.albumIds.length >= 6 && x.albumIds.length < 12 && ![a, b].includes(x.id))!.id;
    await request(t.url).get(`/api/artists/${a}`).expect(200);
    t.sandbox.faults.latencyMs = 1200;
    try {
      const pending = await request(t.url).get('/compare').query({ a, b: slow }).expect(202);
      expect(pending.text).toContain('Fetching the discographies');
      expect(pending.text).toContain(`data-artist-id="${slow}"`);
      expect(pending.text).toContain('/static/js/artist-status.js');
      // The API waits for the ingest the page started.
      const api = await request(t.url).get('/api/compare').query({ a, b: slow }).expect(200);
      expect(api.body.b.releases).toBe(fromCatalog(t, slow).releases);
    } finally {
      t.sandbox.faults.latencyMs = 0;
    }
    await request(t.url).get('/compare').query({ a, b: slow }).expect(200);

    const broken = [...cat.artists.values()].find((x) => x.albumIds.length >= 3 && x.albumIds.length < 6 && ![a, b, slow, cat.notable.hostileArtistId].includes(x.id))!.id;
    expect((await request(t.url).get(`/api/artists/${broken}/status`).expect(200)).body.complete).toBe(false);
    t.sandbox.faults.failRate = 1;
    try {
      const failed = await request(t.url).get('/api/compare').query({ a, b: broken }).expect(502);
      expect(failed.body.error.code).toBe('upstream_error');
      const page = await request(t.url).get('/compare').query({ a, b: broken }).expect(502);
      expect(page.text).toContain('We could not fetch one of the artists');
      expect(page.text).toContain(`href="/artists/${broken}"`);
    } finally {
      t.sandbox.faults.failRate = 0;
      t.sandbox.faults.resetNext();
    }
  });

  it('a name typed instead of an id (no JavaScript) gets the choice form back with the mistake and the artists it may mean', async () => {
    const [a, b] = twoArtists(t);
    const name = t.sandbox.catalog.artists.get(b)!.name;
    const page = await request(t.url).get('/compare').query({ a, b: name }).expect(400).expect('content-type', /html/);
    expect(page.text).toContain('id="compare-choose"');
    expect(page.text).toContain(`name="a" value="${a}"`); // the first artist is kept
    expect(page.text).toMatch(new RegExp(`id="compare-b-error" role="alert" >No artist “${name}”`));
    expect(page.text).toContain(`href="/compare?a=${a}&amp;b=${b}"`);
    const missing = await request(t.url).get('/compare').query({ a }).expect(400);
    expect(missing.text).toContain('Pick the second artist.');
  });

  it('links to the comparison from the artist page', async () => {
    const [a] = twoArtists(t);
    const page = await request(t.url).get(`/artists/${a}`).expect(200);
    expect(page.text).toMatch(/<form[^>]*action="\/compare"/);
    expect(page.text).toContain(`name="a" value="${a}"`);
  });
});

describe('compare your taste with an artist', () => {
  let t: TestApp;
  let agent: ReturnType<TestApp['agent']>;
  let artist: string;
  beforeAll(async () => {
    t = await startTestApp();
    agent = t.agent();
    await login(t, agent, 'ava.demo');
    const top = (await agent.get('/api/me/top').query({ type: 'artists', range: 'medium_term' }).expect(200)).body;
    artist = top.items[0].id;
  });
  afterAll(() => t.close());

  it('needs a login or a token: 401 for the API, a login prompt for the page', async () => {
    const api = await request(t.url).get('/api/compare').query({ me: 1, b: artist }).expect(401);
    expect(api.body.error.code).toBe('unauthorized');
    const bad = await request(t.url).get('/api/compare').query({ me: 1, b: artist }).set('Authorization', 'Bearer sda_nope').expect(401);
    expect(bad.body.error.code).toBe('invalid_token');
    const page = await request(t.url).get('/compare').query({ me: 1, b: artist }).expect(401).expect('content-type', /html/);
    expect(page.text).toContain('Log in with Spotify to see how the audio features of your top tracks compare');
  });

  it('compares the dashboard taste (medium_term by default) with the discography, with the pure score', async () => {
    const summary = (await agent.get('/api/me/summary').expect(200)).body;
    for (const range of ['medium_term', 'short_term'] as const) {
      const res = await agent.get('/api/compare').query({ me: 1, b: artist, ...(range === 'short_term' ? { range } : {}) }).expect(200);
      const c = res.body;
      expect(c).toMatchObject({ kind: 'taste', range, range_label: summary.ranges[range].label });
      const taste = summary.ranges[range].taste;
      expect(c.you.tracks_with_features).toBe(taste.tracks_with_features);
      expect(c.you.top_tracks).toBe(summary.ranges[range].tracks.length);
      for (const f of FEATURES) expect(c.you.means[f]).toBeCloseTo(taste[f], 4);
      const want = fromCatalog(t, artist);
      expect(c.b).toMatchObject({ id: artist, name: want.name, releases: want.releases, tracks: want.tracks });
      expect(c.b.releases_per_year).toEqual(want.perYear);
      expect(c.similarity.score).toBe(similarity(c.you.means, want.means).score);
      expect(Math.abs(c.similarity.score - similarity(taste, want.means).score!)).toBeLessThanOrEqual(1);
      expect(c.similarity.explanation).toMatch(new RegExp(`^${c.similarity.score}/100: your top tracks are .*\\(.*\\d vs \\d.*\\)\\.$`));
    }
  });

  it('works with a personal API token, and renders the page with the score and the explanation', async () => {
    const token = await createApiToken(agent, 'compare script');
    const api = await request(t.url).get('/api/compare').query({ me: 1, b: artist }).set('Authorization', `Bearer ${token}`).expect(200);
    const page = await agent.get('/compare').query({ me: 1, b: artist }).expect(200);
    expect(page.text).toContain(`<strong id="similarity-score">${api.body.similarity.score}</strong>`);
    const explanation = api.body.similarity.explanation.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&#34;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(page.text).toContain(explanation);
    expect(compareData(page.text).json.you.means).toEqual(api.body.you.means);
    expect(page.text).toContain('aria-current="page">Last 6 months');
  });

  it('rejects me=1 together with a, and a bad range', async () => {
    const both = await agent.get('/api/compare').query({ me: 1, a: artist, b: artist }).expect(400);
    expect(both.body.error.code).toBe('invalid_query');
    const range = await agent.get('/api/compare').query({ me: 1, b: artist, range: 'forever' }).expect(400);
    expect(range.body.error.code).toBe('invalid_range');
    const noB = await agent.get('/api/compare').query({ me: 1 }).expect(400);
    expect(noB.body.error.code).toBe('missing_artist');
  });

  it('explains why there is no score for a listener without top tracks', async () => {
    const newcomer = t.agent();
    await login(t, newcomer, 'newcomer.demo');
    const res = await newcomer.get('/api/compare').query({ me: 1, b: artist }).expect(200);
    expect(res.body.similarity.score).toBeNull();
    expect(res.body.you.means).toBeNull();
    expect(res.body.similarity.explanation).toMatch(/^No similarity score: Spotify lists no top tracks of yours from the last 6 months/);
    const page = await newcomer.get('/compare').query({ me: 1, b: artist }).expect(200);
    expect(page.text).toContain('<strong id="similarity-score" class="na">n/a</strong>');
    expect(page.text).toContain('Spotify lists no top tracks of yours');
  });
});

describe('compare when no audio features are available', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { FEATURES_PROVIDER: 'none' } });
  });
  afterAll(() => t.close());

  it('still compares releases and durations, and says why there is no score', async () => {
    const [a, b] = twoArtists(t);
    const res = await request(t.url).get('/api/compare').query({ a, b }).expect(200);
    expect(res.body.similarity.score).toBeNull();
    expect(res.body.similarity.explanation).toMatch(/^No similarity score: .* have no tracks with audio features/);
    expect(res.body.a.means.energy).toBeNull();
    expect(res.body.a.distributions.energy).toBeNull();
    expect(res.body.a.releases_per_year).toEqual(fromCatalog(t, a).perYear);
    expect(res.body.a.durations.stats_ms.n).toBe(fromCatalog(t, a).tracks);
    const same = await request(t.url).get('/api/compare').query({ a, b: a }).expect(200);
    expect(same.body.similarity.explanation).toBe(`No similarity score: ${fromCatalog(t, a).name} has no tracks with audio features. Audio features are turned off (FEATURES_PROVIDER=none).`);

    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const mine = await agent.get('/api/compare').query({ me: 1, b }).expect(200);
    expect(mine.body.similarity.score).toBeNull();
    expect(mine.body.you.note).toMatch(/None of your \d+ top tracks from the last 6 months has audio features/);
    await agent.get('/compare').query({ me: 1, b }).expect(200);
  });
});
