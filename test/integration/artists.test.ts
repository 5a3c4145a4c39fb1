import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { startSandbox } from '../../src/sandbox';
import { startEmbeddedDynamo } from '../../src/store/embedded';
import { expectedIngest, getStats, resetStats, webApiCount } from '../helpers/catalog';
import { startTestApp, type RunningSandbox, type TestApp } from '../helpers/harness';

jest.setTimeout(120_000);

type ArtistJson = {
  artist: Record<string, unknown> & { id: string; name: string; genres: string[]; genres_source: string };
  albums: { id: string; image?: string | null }[];
  tracks: (Record<string, unknown> & { id: string; energy: number | null; tempo: number | null })[];
  complete: boolean;
  fetched_at: string;
};

function catalogOf(t: TestApp) {
  return t.sandbox.catalog;
}

function ownerOf(t: TestApp, albumId: string): string {
  return catalogOf(t).albums.get(albumId)!.artistIds[0];
}

describe.each(['development', 'extended'] as const)('artist ingest, %s profile', (profile) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ sandboxOptions: { profile }, env: { SPOTIFY_API_PROFILE: 'auto' } });
  });
  afterAll(() => t.close());

  it('ingests a small artist completely with the minimal number of Spotify requests', async () => {
    const id = catalogOf(t).notable.smallArtistId;
    const expected = expectedIngest(catalogOf(t), id);
    await resetStats(t.sandbox.url);
    const res = await request(t.url).get(`/api/artists/${id}`).expect(200).expect('content-type', /json/);
    const body = res.body as ArtistJson;
    expect(body.complete).toBe(true);
    expect(body.albums).toHaveLength(expected.albums);
    expect(body.tracks).toHaveLength(expected.tracks);
    expect(new Date(body.fetched_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const catalogArtist = catalogOf(t).artists.get(id)!;
    expect(body.artist.name).toBe(catalogArtist.name);

    const stats = await getStats(t.sandbox.url);
    // One detection request (GET /v1/artists?ids=) the first time under SPOTIFY_API_PROFILE=auto.
    expect(stats.by_endpoint['GET /v1/artists']).toBe(1);
    expect(webApiCount(stats) - 1).toBe(expected[profile]);

    if (profile === 'development') {
      expect(body.artist.popularity).toBeNull();
      expect(body.artist.followers).toBeNull();
      expect(body.artist.genres_source).toBe('musicbrainz');
      expect(body.artist.genres.length).toBeGreaterThan(0);
      expect(stats.by_endpoint['GET /reccobeats/v1/audio-features']).toBe(Math.ceil(expected.tracks / 40));
      expect(stats.by_endpoint['GET /v1/audio-features'] ?? 0).toBe(0);
    } else {
      expect(body.artist.popularity).toBe(catalogArtist.popularity);
      expect(body.artist.followers).toBe(catalogArtist.followers);
      expect(body.artist.genres).toEqual(catalogArtist.genres);
      expect(body.artist.genres_source).toBe('spotify');
      expect(stats.by_endpoint['GET /v1/audio-features']).toBe(Math.ceil(expected.tracks / 100));
      expect(stats.by_endpoint['GET /reccobeats/v1/audio-features'] ?? 0).toBe(0);
    }
    // Features are the catalog's, per track.
    for (const track of body.tracks) {
      const f = catalogOf(t).tracks.get(track.id)!.features;
      expect(track.energy).toBe(f ? f.energy : null);
      expect(track.tempo).toBe(f ? f.tempo : null);
    }
  });

  it('serves the second request from DynamoDB without any Spotify request', async () => {
    const id = catalogOf(t).notable.smallArtistId;
    await request(t.url).get(`/api/artists/${id}`).expect(200);
    await resetStats(t.sandbox.url);
    const res = await request(t.url).get(`/api/artists/${id}`).expect(200);
    expect(res.body.complete).toBe(true);
    expect((await getStats(t.sandbox.url)).total).toBe(0);
  });

  it('ingests the largest artist (hundreds of releases) with exactly the minimal requests', async () => {
    const id = catalogOf(t).notable.largestArtistId;
    const expected = expectedIngest(catalogOf(t), id);
    expect(expected.albums).toBeGreaterThanOrEqual(300);
    await resetStats(t.sandbox.url);
    const res = await request(t.url).get(`/api/artists/${id}`).expect(200);
    expect(res.body.albums).toHaveLength(expected.albums);
    expect(res.body.tracks).toHaveLength(expected.tracks);
    const stats = await getStats(t.sandbox.url);
    expect(webApiCount(stats)).toBe(expected[profile]); // the profile is known by now: no detection
    expect(stats.by_endpoint['GET /v1/artists'] ?? 0).toBe(0);
  });

  it('pages the tracks of an album with more than 50 tracks', async () => {
    const albumId = catalogOf(t).notable.bigAlbumId;
    const artistId = ownerOf(t, albumId);
    const expected = expectedIngest(catalogOf(t), artistId);
    expect(expected.extraPages).toBeGreaterThan(0);
    await resetStats(t.sandbox.url);
    const res = await request(t.url).get(`/api/artists/${artistId}?refresh=1`).expect(200);
    const onBigAlbum = (res.body as ArtistJson).tracks.filter((tr) => tr.album_id === albumId);
    expect(onBigAlbum).toHaveLength(catalogOf(t).albums.get(albumId)!.trackIds.length);
    const stats = await getStats(t.sandbox.url);
    expect(stats.by_endpoint['GET /v1/albums/{id}/tracks']).toBe(expected.extraPages);
    expect(webApiCount(stats)).toBe(expected[profile]);
  });
});

describe('artist API errors and exports', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('rejects malformed ids with 400 and unknown artists with 404', async () => {
    const bad = await request(t.url).get('/api/artists/not-an-id').expect(400);
    expect(bad.body.error.code).toBe('invalid_artist_id');
    await request(t.url).get('/api/artists/0123456789abcdefABCDEF/tracks.csv').expect(404);
    const unknown = await request(t.url).get('/api/artists/0123456789abcdefABCDEF').expect(404);
    expect(unknown.body.error.code).toBe('not_found');
    await request(t.url).get('/artists/%3Cscript%3E').expect(400);
    const page = await request(t.url).get('/artists/0123456789abcdefABCDEF').expect(404);
    expect(page.text).toContain('Spotify has no artist with this id');
  });

  it('exports a CSV that parses back to the same rows as the JSON', async () => {
    const id = catalogOf(t).notable.hostileArtistId;
    const json = (await request(t.url).get(`/api/artists/${id}`).expect(200)).body as ArtistJson;
    const csv = await request(t.url).get(`/api/artists/${id}/tracks.csv`).expect(200).expect('content-type', /text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="?[0-9A-Za-z]{22}-tracks\.csv"?/);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(json.tracks.length);
    rows.forEach((row, i) => {
      const tr = json.tracks[i];
      expect(row.track_id).toBe(tr.id);
      expect(row.track_name).toBe(tr.name);
      expect(row.album_name).toBe(tr.album_name);
      expect(row.artist_name).toBe(json.artist.name);
      expect(row.duration_ms).toBe(String(tr.duration_ms));
      expect(row.energy).toBe(tr.energy === null ? '' : String(tr.energy));
      expect(row.key).toBe(tr.key === null ? '' : String(tr.key));
    });
    const exported = await request(t.url).get(`/api/artists/${id}/export.json`).expect(200);
    expect(exported.body.tracks).toHaveLength(json.tracks.length);
  });

  it('renders names with markup as text on the artist and search pages', async () => {
    const id = catalogOf(t).notable.hostileArtistId;
    const name = catalogOf(t).artists.get(id)!.name;
    expect(name).toMatch(/<\/?script|<img/);
    await request(t.url).get(`/api/artists/${id}`).expect(200);
    const page = await request(t.url).get(`/artists/${id}`).expect(200);
    expect(page.text).not.toContain(name);
    expect(page.text).not.toMatch(/<script>alert|<img src=x onerror/i);
    expect(page.text).toContain('&lt;');
    // The embedded chart data cannot close its script element.
    const data = /<script type="application\/json" id="artist-data">([\s\S]*?)<\/script>/.exec(page.text)?.[1] ?? '';
    expect(data).not.toMatch(/<\/?script/i);
    expect(JSON.parse(data).artist.name).toBe(name);
    const search = await request(t.url).get('/search').query({ q: name.slice(0, 20) }).expect(200);
    expect(search.text).not.toMatch(/<script>alert|<img src=x onerror/i);
  });

  it('says when a fetch failed, offers a retry, and recovers on the next request', async () => {
    const id = [...catalogOf(t).artists.values()].find((a) => a.albumIds.length >= 3 && a.albumIds.length < 10)!.id;
    // Every Web API request fails with 500: the retries run out.
    t.sandbox.faults.failRate = 1;
    const failed = await request(t.url).get(`/api/artists/${id}`).expect(502);
    expect(failed.body.error.code).toBe('upstream_error');
    const status = await request(t.url).get(`/api/artists/${id}/status`).expect(200);
    expect(status.body).toMatchObject({ complete: false });
    const page = await request(t.url).get(`/artists/${id}`).expect(502);
    expect(page.text).toContain('We could not fetch this artist');
    expect(page.text).toContain('Try again');
    t.sandbox.faults.failRate = 0;
    t.sandbox.faults.resetNext();
    const ok = await request(t.url).get(`/api/artists/${id}`).expect(200);
    expect(ok.body.complete).toBe(true);
    expect(ok.body.tracks).toHaveLength(expectedIngest(catalogOf(t), id).tracks);
  });

  it('re-fetches with ?refresh=1 and after ARTIST_TTL, and says when the data was fetched', async () => {
    const id = catalogOf(t).notable.smallArtistId;
    const first = (await request(t.url).get(`/api/artists/${id}`).expect(200)).body as ArtistJson;
    await resetStats(t.sandbox.url);
    const again = (await request(t.url).get(`/api/artists/${id}?refresh=1`).expect(200)).body as ArtistJson;
    expect((await getStats(t.sandbox.url)).total).toBeGreaterThan(0);
    expect(again.fetched_at > first.fetched_at).toBe(true);
    expect(again.tracks).toEqual(first.tracks);
    const page = await request(t.url).get(`/artists/${id}`).expect(200);
    // One locale-aware format everywhere (src/routes/format.ts): English without Accept-Language, the zone named.
    expect(page.text).toMatch(/Fetched <time datetime="[^"]+">[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d\s[AP]M \(UTC\)/);
  });
});

describe('search', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('finds artists by name with image, and null for fields the profile does not give', async () => {
    const artist = catalogOf(t).artists.get(catalogOf(t).notable.smallArtistId)!;
    const res = await request(t.url).get('/api/search').query({ q: artist.name, limit: 5 }).expect(200);
    const hit = res.body.artists.find((a: { id: string }) => a.id === artist.id);
    expect(hit).toMatchObject({ id: artist.id, name: artist.name, popularity: null, followers: null });
    expect(hit.image).toMatch(/^http/);
  });

  it('stitches Development Mode pages of 10 up to the requested limit', async () => {
    const genre = catalogOf(t).genres[0];
    const res = await request(t.url).get('/api/search').query({ q: `genre:"${genre}"`, limit: 25 }).expect(200);
    expect(res.body.artists.length).toBeGreaterThan(10);
    expect(new Set(res.body.artists.map((a: { id: string }) => a.id)).size).toBe(res.body.artists.length);
  });

  it('rejects empty, blank and over-long queries with a clear 400', async () => {
    for (const q of ['', '   ', 'x'.repeat(101)]) {
      const res = await request(t.url).get('/api/search').query({ q }).expect(400);
      expect(res.body.error.message).toMatch(/artist name|limited to 100/);
    }
    await request(t.url).get('/api/search').query({ q: 'a', limit: 500 }).expect(400);
    const page = await request(t.url).get('/search').query({ q: '  ' }).expect(400);
    expect(page.text).toContain('Type an artist name');
    await request(t.url).get('/search').expect(200);
  });

  it('shows a friendly empty state when nothing matches', async () => {
    const api = await request(t.url).get('/api/search').query({ q: 'zzqqxxnomatch' }).expect(200);
    expect(api.body.artists).toEqual([]);
    const page = await request(t.url).get('/search').query({ q: 'zzqqxxnomatch' }).expect(200);
    expect(page.text).toContain('No artists match');
  });
});

describe('single flight', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, latencyMs: 20 });
  });
  afterAll(() => sandbox.close());

  it('runs one ingest for concurrent requests in one process', async () => {
    const t = await startTestApp({ sandbox });
    try {
      const id = [...sandbox.catalog.artists.values()].find((a) => a.albumIds.length >= 5 && a.albumIds.length < 20)!.id;
      await resetStats(sandbox.url);
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => request(t.url).get(`/api/artists/${id}`)));
      for (const r of results) expect(r.status).toBe(200);
      const stats = await getStats(sandbox.url);
      expect(stats.by_endpoint['GET /v1/artists/{id}']).toBe(1);
      expect(webApiCount(stats)).toBe(expectedIngest(sandbox.catalog, id).development + 1);
    } finally {
      await t.close();
    }
  });

  it('runs one ingest for concurrent requests across two workers sharing DynamoDB (lease)', async () => {
    const dynamo = await startEmbeddedDynamo();
    const a = await startTestApp({ sandbox, dynamo });
    const b = await startTestApp({ sandbox, dynamo });
    try {
      const id = [...sandbox.catalog.artists.values()].filter((x) => x.albumIds.length >= 5 && x.albumIds.length < 20)[1].id;
      await resetStats(sandbox.url);
      const [ra, rb] = await Promise.all([request(a.url).get(`/api/artists/${id}`), request(b.url).get(`/api/artists/${id}`)]);
      expect(ra.status).toBe(200);
      expect(rb.status).toBe(200);
      expect(rb.body.tracks).toEqual(ra.body.tracks);
      const stats = await getStats(sandbox.url);
      expect(stats.by_endpoint['GET /v1/artists/{id}']).toBe(1);
    } finally {
      await a.close();
      await b.close();
      await dynamo.close();
    }
  });
});

describe('faults during an ingest', () => {
  it('ends complete and identical to a clean run despite 500s and 429s with Retry-After', async () => {
    const clean = await startTestApp();
    const id = [...clean.sandbox.catalog.artists.values()].find((a) => a.albumIds.length >= 4 && a.albumIds.length < 12)!.id;
    const reference = (await request(clean.url).get(`/api/artists/${id}`).expect(200)).body as ArtistJson;
    await clean.close();

    const faulty = await startTestApp({ sandboxOptions: { failRate: 0.2 } });
    try {
      faulty.sandbox.faults.failNext(2, 429); // Retry-After: 1
      faulty.sandbox.faults.failNext(1, 503, 'reccobeats');
      await resetStats(faulty.sandbox.url);
      const started = Date.now();
      const res = await request(faulty.url).get(`/api/artists/${id}`).expect(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // waited for Retry-After
      const body = res.body as ArtistJson;
      expect(body.complete).toBe(true);
      expect(body.tracks).toEqual(reference.tracks);
      // Image URLs point at each sandbox's own origin (a different port); everything else is equal.
      const sameHost = (albums: { id: string; image?: string | null }[]) => albums.map((a) => ({ ...a, image: a.image?.replace(/^http:\/\/[^/]+/, '') }));
      expect(sameHost(body.albums)).toEqual(sameHost(reference.albums));
      const stats = await getStats(faulty.sandbox.url);
      const minimum = expectedIngest(faulty.sandbox.catalog, id).development + 1;
      const metrics = (await request(faulty.url).get('/metrics').set('Authorization', `Bearer ${faulty.config.metricsToken}`).expect(200)).text;
      const retries = [...metrics.matchAll(/^upstream_retries_total\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
      console.log(`faults: ${webApiCount(stats) - minimum} extra Spotify requests over the minimum ${minimum}; ${retries} retries`);
      expect(webApiCount(stats)).toBeGreaterThan(minimum); // the faults really happened
      expect(retries).toBeGreaterThanOrEqual(3);
    } finally {
      await faulty.close();
    }
  });

  it('explains on the page when Spotify refuses audio features to this app', async () => {
    const t = await startTestApp({ env: { FEATURES_PROVIDER: 'spotify' } }); // development profile: /audio-features is 403
    try {
      const id = t.sandbox.catalog.notable.smallArtistId;
      const body = (await request(t.url).get(`/api/artists/${id}`).expect(200)).body as ArtistJson;
      expect(body.complete).toBe(true);
      for (const tr of body.tracks) expect(tr.energy).toBeNull();
      expect(body.artist.features_note).toMatch(/FEATURES_PROVIDER=reccobeats/);
      const page = await request(t.url).get(`/artists/${id}`).expect(200);
      expect(page.text).toContain('id="features-note"');
      expect(page.text).toContain('Audio features for 0 of');
    } finally {
      await t.close();
    }
  });
});
