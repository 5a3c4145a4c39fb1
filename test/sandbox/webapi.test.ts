import request from 'supertest';
import { NOTABLE, createSandbox } from '../../src/sandbox';
import { appToken, bearer, userToken } from './helpers';

const ORIGIN_RE = /^http:\/\/127\.0\.0\.1(:\d+)?\/v1\//;
const UNKNOWN_ID = '0000000000000000000000';

function expectWebObject(o: { href: string; uri: string; type: string; id: string; external_urls: { spotify: string } }, type: string) {
  expect(o.type).toBe(type);
  expect(o.id).toMatch(/^[0-9A-Za-z]{22}$/);
  expect(o.uri).toBe(`spotify:${type}:${o.id}`);
  expect(o.href).toMatch(ORIGIN_RE);
  expect(o.external_urls.spotify).toBe(`https://open.spotify.com/${type}/${o.id}`);
}

/** Follows `next` links (absolute URLs on the sandbox) until null; returns every item. */
async function walk<T>(app: Parameters<typeof request>[0], token: string, first: string): Promise<{ items: T[]; totals: number[]; requests: number }> {
  const items: T[] = [];
  const totals: number[] = [];
  let next: string | null = first;
  let requests = 0;
  while (next) {
    const url = new URL(next, 'http://127.0.0.1');
    const res = await request(app).get(url.pathname + url.search).set(...bearer(token)).expect(200);
    requests++;
    items.push(...(res.body.items as T[]));
    totals.push(res.body.total as number);
    next = res.body.next as string | null;
  }
  return { items, totals, requests };
}

describe('Web API, extended profile', () => {
  const { app, catalog } = createSandbox({ profile: 'extended' });
  let token: string;
  beforeAll(async () => {
    token = (await userToken(app, 'ava.demo')).access_token;
  });
  const get = (path: string) => request(app).get(path).set(...bearer(token));

  it('artist objects carry genres, popularity and followers, with correct links and images', async () => {
    const res = await get(`/v1/artists/${NOTABLE.largestArtistId}`).expect(200);
    expectWebObject(res.body, 'artist');
    expect(res.body.genres).toContain('hard bop');
    expect(res.body.popularity).toBeGreaterThan(0);
    expect(res.body.followers.total).toBeGreaterThan(0);
    expect(res.body.images[0]).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1(:\d+)?\/images\/artist\/.+\.svg/), height: 640, width: 640 });
  });

  it('walks every album of the largest artist through next links; totals agree', async () => {
    const first = `/v1/artists/${NOTABLE.largestArtistId}/albums?include_groups=album,single,compilation&limit=50`;
    const { items, totals, requests } = await walk<{ id: string; album_group: string }>(app, token, first);
    const artist = catalog.artists.get(NOTABLE.largestArtistId)!;
    expect(artist.albumIds.length).toBeGreaterThanOrEqual(300);
    expect(items).toHaveLength(artist.albumIds.length);
    expect(new Set(items.map((a) => a.id)).size).toBe(items.length);
    expect(new Set(totals)).toEqual(new Set([artist.albumIds.length]));
    expect(requests).toBe(Math.ceil(artist.albumIds.length / 50));
    expect(items.every((a) => ['album', 'single', 'compilation'].includes(a.album_group))).toBe(true);
  });

  it('filters include_groups and lists appears_on', async () => {
    const singles = await get(`/v1/artists/${NOTABLE.largestArtistId}/albums?include_groups=single&limit=50`).expect(200);
    expect(singles.body.items.every((a: { album_type: string }) => a.album_type === 'single')).toBe(true);
    const guest = [...catalog.artists.values()].find((a) => a.appearsOnAlbumIds.length > 0)!;
    const res = await get(`/v1/artists/${guest.id}/albums?include_groups=appears_on`).expect(200);
    expect(res.body.total).toBe(guest.appearsOnAlbumIds.length);
    expect(res.body.items[0].album_group).toBe('appears_on');
  });

  it('a full album embeds at most 50 tracks with a next link; /albums/{id}/tracks pages the rest', async () => {
    const album = await get(`/v1/albums/${NOTABLE.bigAlbumId}`).expect(200);
    expectWebObject(album.body, 'album');
    expect(album.body.total_tracks).toBeGreaterThan(50);
    expect(album.body.tracks.items).toHaveLength(50);
    expect(album.body.tracks.total).toBe(album.body.total_tracks);
    expect(album.body.label).toEqual(expect.any(String));
    expect(album.body.popularity).toEqual(expect.any(Number));
    const rest = await walk<{ id: string; track_number: number; disc_number: number }>(app, token, album.body.tracks.next);
    const all = [...album.body.tracks.items, ...rest.items];
    expect(all).toHaveLength(album.body.total_tracks);
    expect(new Set(all.map((t: { id: string }) => t.id)).size).toBe(all.length);
  });

  it('batch endpoints work, keep request order and answer null for unknown ids', async () => {
    const albumIds = catalog.artists.get(NOTABLE.smallArtistId)!.albumIds;
    const albums = await get(`/v1/albums?ids=${albumIds[0]},${UNKNOWN_ID}`).expect(200);
    expect(albums.body.albums[0].id).toBe(albumIds[0]);
    expect(albums.body.albums[1]).toBeNull();
    const artists = await get(`/v1/artists?ids=${UNKNOWN_ID},${NOTABLE.smallArtistId}`).expect(200);
    expect(artists.body.artists[0]).toBeNull();
    expect(artists.body.artists[1].id).toBe(NOTABLE.smallArtistId);
    const trackIds = catalog.albums.get(albumIds[0])!.trackIds.slice(0, 3);
    const tracks = await get(`/v1/tracks?ids=${trackIds.join(',')}`).expect(200);
    expect(tracks.body.tracks.map((t: { id: string }) => t.id)).toEqual(trackIds);
    expectWebObject(tracks.body.tracks[0], 'track');
    expect(tracks.body.tracks[0].popularity).toEqual(expect.any(Number));
    expectWebObject(tracks.body.tracks[0].album, 'album');
    const features = await get(`/v1/audio-features?ids=${trackIds[0]},${NOTABLE.trackWithoutFeaturesId},${UNKNOWN_ID}`).expect(200);
    expect(features.body.audio_features).toHaveLength(3);
    expect(features.body.audio_features[0]).toMatchObject({ id: trackIds[0], type: 'audio_features', uri: `spotify:track:${trackIds[0]}` });
    expect(features.body.audio_features[0].tempo).toBeGreaterThan(0);
    expect(features.body.audio_features[1]).toBeNull();
    expect(features.body.audio_features[2]).toBeNull();
    const top = await get(`/v1/artists/${NOTABLE.largestArtistId}/top-tracks`).expect(200);
    expect(top.body.tracks).toHaveLength(10);
  });

  it('enforces batch and page limits with 400', async () => {
    const ids = (n: number) => Array.from({ length: n }, () => UNKNOWN_ID).join(',');
    expect((await get(`/v1/albums?ids=${ids(21)}`).expect(400)).body.error.status).toBe(400);
    await get(`/v1/albums?ids=${ids(20)}`).expect(200);
    await get(`/v1/artists?ids=${ids(51)}`).expect(400);
    await get(`/v1/tracks?ids=${ids(51)}`).expect(400);
    await get(`/v1/audio-features?ids=${ids(101)}`).expect(400);
    await get(`/v1/audio-features?ids=${ids(100)}`).expect(200);
    expect((await get(`/v1/artists/${NOTABLE.largestArtistId}/albums?limit=51`).expect(400)).body)
      .toEqual({ error: { status: 400, message: 'Invalid limit' } });
    await get(`/v1/artists/${NOTABLE.largestArtistId}/albums?limit=0`).expect(400);
    await get(`/v1/artists/${NOTABLE.largestArtistId}/albums?limit=50`).expect(200);
    await get('/v1/search?q=a&type=artist&limit=50').expect(200);
    await get('/v1/search?q=a&type=artist&limit=51').expect(400);
    await get('/v1/search?q=a&type=artist&offset=1001').expect(400);
    await get(`/v1/albums/${NOTABLE.bigAlbumId}/tracks?limit=51`).expect(400);
    await get('/v1/artists/not-an-id').expect(400);
    await get(`/v1/artists?ids=abc`).expect(400);
    expect((await get(`/v1/artists/${UNKNOWN_ID}`).expect(404)).body).toEqual({ error: { status: 404, message: 'Resource not found' } });
    await get(`/v1/albums/${UNKNOWN_ID}`).expect(404);
    await get(`/v1/tracks/${UNKNOWN_ID}`).expect(404);
  });

  it('search finds artists by genre filter and free text, tracks by artist, with paging', async () => {
    const byGenre = await get(`/v1/search?q=${encodeURIComponent('genre:"deep house"')}&type=artist&limit=5`).expect(200);
    expect(byGenre.body.artists.total).toBeGreaterThanOrEqual(5);
    expect(byGenre.body.artists.items.every((a: { genres: string[] }) => a.genres.includes('deep house'))).toBe(true);
    expect(byGenre.body.artists.next).toMatch(/offset=5/);
    const byName = await get('/v1/search?q=marlowe&type=artist').expect(200);
    expect(byName.body.artists.items[0].id).toBe(NOTABLE.largestArtistId);
    const tracks = await get(`/v1/search?q=${encodeURIComponent('artist:"Juniper Vale"')}&type=track,artist`).expect(200);
    expect(tracks.body.tracks.total).toBe(catalog.artists.get(NOTABLE.smallArtistId)!.albumIds
      .reduce((n, id) => n + catalog.albums.get(id)!.trackIds.length, 0));
    expect(tracks.body.artists.items[0].id).toBe(NOTABLE.smallArtistId);
    const unicode = await get(`/v1/search?q=${encodeURIComponent('sigur ros')}&type=artist`).expect(200);
    expect(unicode.body.artists.items[0].name).toBe('Sigur Rós');
    await get('/v1/search?type=artist').expect(400);
    await get('/v1/search?q=x&type=playlist').expect(400);
  });

  it('/me has the extended fields; top items and recent plays page correctly', async () => {
    const me = await get('/v1/me').expect(200);
    expect(me.body).toMatchObject({ id: 'ava.demo', display_name: 'Ava', type: 'user', uri: 'spotify:user:ava.demo', country: 'GB', product: 'premium' });
    expect(me.body.email).toContain('@');
    expect(me.body.account_id).toEqual(expect.any(String));

    for (const range of ['short_term', 'medium_term', 'long_term']) {
      const artists = await get(`/v1/me/top/artists?time_range=${range}&limit=50`).expect(200);
      expect(artists.body.items).toHaveLength(50);
      expect(artists.body.total).toBeGreaterThanOrEqual(50);
      expectWebObject(artists.body.items[0], 'artist');
      const tracks = await get(`/v1/me/top/tracks?time_range=${range}&limit=50&offset=50`).expect(200);
      expect(tracks.body.items).toHaveLength(50);
      expect(tracks.body.previous).toMatch(/offset=0/);
    }
    const short = (await get('/v1/me/top/artists?time_range=short_term&limit=20').expect(200)).body.items.map((a: { id: string }) => a.id);
    const long = (await get('/v1/me/top/artists?time_range=long_term&limit=20').expect(200)).body.items.map((a: { id: string }) => a.id);
    expect(short).not.toEqual(long);
    expect(short.filter((id: string) => long.includes(id)).length).toBeGreaterThan(3);
    await get('/v1/me/top/artists?time_range=forever').expect(400);
    await get('/v1/me/top/artists?limit=51').expect(400);
  });

  it('recently played: 50 plays, newest first, before/after cursors', async () => {
    const all = await get('/v1/me/player/recently-played?limit=50').expect(200);
    expect(all.body.items).toHaveLength(50);
    expect(all.body.next).toBeNull();
    const times = all.body.items.map((p: { played_at: string }) => Date.parse(p.played_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times[0]).toBeLessThanOrEqual(Date.now());
    expect(times[0] - times[49]).toBeLessThan(4 * 86_400_000);

    const page1 = await get('/v1/me/player/recently-played?limit=20').expect(200);
    expect(page1.body.cursors.before).toBe(String(times[19]));
    const next = new URL(page1.body.next);
    expect(next.searchParams.get('before')).toBe(String(times[19]));
    const page2 = await get(next.pathname + next.search).expect(200);
    expect(page2.body.items.map((p: { played_at: string }) => Date.parse(p.played_at))).toEqual(times.slice(20, 40));

    const after = await get(`/v1/me/player/recently-played?after=${times[10]}&limit=50`).expect(200);
    expect(after.body.items).toHaveLength(10);
    expect(after.body.items[0].track.id).toBe(all.body.items[0].track.id);
    await get(`/v1/me/player/recently-played?after=1&before=2`).expect(400);
    await get('/v1/me/player/recently-played?limit=51').expect(400);
  });

  it('the newcomer has no top items and no recent plays', async () => {
    const { access_token } = await userToken(app, 'newcomer.demo');
    const top = await request(app).get('/v1/me/top/artists').set(...bearer(access_token)).expect(200);
    expect(top.body).toMatchObject({ items: [], total: 0, next: null });
    const recent = await request(app).get('/v1/me/player/recently-played').set(...bearer(access_token)).expect(200);
    expect(recent.body.items).toEqual([]);
  });

  it('listeners are isolated: each token sees its own profile and top items', async () => {
    const marcus = (await userToken(app, 'marcus.demo')).access_token;
    const me = await request(app).get('/v1/me').set(...bearer(marcus)).expect(200);
    expect(me.body.id).toBe('marcus.demo');
    const a = (await get('/v1/me/top/artists?limit=10').expect(200)).body.items.map((x: { id: string }) => x.id);
    const m = (await request(app).get('/v1/me/top/artists?limit=10').set(...bearer(marcus)).expect(200)).body.items.map((x: { id: string }) => x.id);
    expect(a).not.toEqual(m);
  });

  it('hostile names come back verbatim in JSON', async () => {
    const res = await get(`/v1/artists/${NOTABLE.hostileArtistId}`).expect(200);
    expect(res.body.name).toBe('</script><script>alert(1)</script>');
  });
});

describe('Web API, development profile (default)', () => {
  const { app, catalog } = createSandbox();
  let token: string;
  beforeAll(async () => {
    token = await appToken(app);
  });
  const get = (path: string) => request(app).get(path).set(...bearer(token));

  it('removed endpoints answer 403 with a Spotify error body', async () => {
    const album = catalog.artists.get(NOTABLE.smallArtistId)!.albumIds[0];
    const track = catalog.albums.get(album)!.trackIds[0];
    for (const path of [
      `/v1/albums?ids=${album}`, `/v1/artists?ids=${NOTABLE.smallArtistId}`, `/v1/tracks?ids=${track}`,
      `/v1/artists/${NOTABLE.smallArtistId}/top-tracks`, `/v1/audio-features?ids=${track}`, `/v1/audio-features/${track}`,
    ]) {
      const res = await get(path).expect(403);
      expect(res.body.error.status).toBe(403);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
  });

  it('removed fields are absent, not zero', async () => {
    const artist = (await get(`/v1/artists/${NOTABLE.smallArtistId}`).expect(200)).body;
    expect(Object.keys(artist).sort()).toEqual(['external_urls', 'href', 'id', 'images', 'name', 'type', 'uri']);
    const albumId = catalog.artists.get(NOTABLE.smallArtistId)!.albumIds[0];
    const album = (await get(`/v1/albums/${albumId}`).expect(200)).body;
    for (const f of ['album_group', 'available_markets', 'label', 'popularity']) expect(album).not.toHaveProperty(f);
    expect(album.tracks.items[0]).not.toHaveProperty('available_markets');
    const track = (await get(`/v1/tracks/${album.tracks.items[0].id}`).expect(200)).body;
    for (const f of ['available_markets', 'linked_from', 'popularity']) expect(track).not.toHaveProperty(f);
    expect(track.external_ids.isrc).toEqual(expect.any(String));
    const page = (await get(`/v1/artists/${NOTABLE.smallArtistId}/albums`).expect(200)).body;
    expect(page.items[0]).not.toHaveProperty('album_group');
    const { access_token } = await userToken(app, 'rin.demo');
    const me = (await request(app).get('/v1/me').set(...bearer(access_token)).expect(200)).body;
    for (const f of ['country', 'email', 'explicit_content', 'followers', 'product']) expect(me).not.toHaveProperty(f);
    expect(me.account_id).toEqual(expect.any(String));
    const top = (await request(app).get('/v1/me/top/artists?limit=1').set(...bearer(access_token)).expect(200)).body;
    expect(top.items[0]).not.toHaveProperty('genres');
  });

  it('smaller pages: search max 10 (default 5), artist albums max 10 (default 5)', async () => {
    const search = await get('/v1/search?q=genre:techno&type=artist').expect(200);
    expect(search.body.artists.limit).toBe(5);
    expect(search.body.artists.items).toHaveLength(5);
    await get('/v1/search?q=genre:techno&type=artist&limit=10').expect(200);
    expect((await get('/v1/search?q=genre:techno&type=artist&limit=11').expect(400)).body.error.message).toBe('Invalid limit');
    const albums = await get(`/v1/artists/${NOTABLE.largestArtistId}/albums`).expect(200);
    expect(albums.body.limit).toBe(5);
    expect((await get(`/v1/artists/${NOTABLE.largestArtistId}/albums?limit=11`).expect(400)).body.error.message).toBe('Invalid limit');
    const walked = await walk<{ id: string }>(app, token, `/v1/artists/${NOTABLE.largestArtistId}/albums?include_groups=album,single,compilation&limit=10`);
    expect(walked.items).toHaveLength(catalog.artists.get(NOTABLE.largestArtistId)!.albumIds.length);
  });
});
