/**
 * The sandbox with `quirks: true` answers like the real service does (test/fixtures/QUIRKS.md),
 * through real HTTP against a listening sandbox. Which albums and tracks carry a quirk is read
 * from src/sandbox/quirks.ts; what the responses say is checked only through the API.
 */
import { type RunningSandbox, startSandbox } from '../../src/sandbox';
import { parseArgs } from '../../src/sandbox/cli';
import { COPY_MARKETS, copyCount, imageQuirk, releaseDateOf, upperCaseAlbumType } from '../../src/sandbox/quirks';
import type { CatalogAlbum } from '../../src/sandbox/catalog';
import { collapseReleaseCopies, type ReleaseAlbum, type ReleaseTrack } from '../../src/spotify/releaseCopies';
import { appToken, userToken } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function api(sandbox: RunningSandbox, token: string, path: string, status = 200): Promise<Json> {
  const res = await fetch(`${sandbox.url}/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await res.json()) as Json;
  expect({ path, status: res.status }).toEqual({ path, status });
  return body;
}

/** An artist with a 3-copy release and few enough albums that one page of 50 lists them all. */
function artistWithCopies(sandbox: RunningSandbox): { artistId: string; release: CatalogAlbum } {
  for (const artist of sandbox.catalog.artists.values()) {
    const albums = artist.albumIds.map((id) => sandbox.catalog.albums.get(id)!).filter((a) => a.albumType === 'album');
    const listed = albums.reduce((n, a) => n + copyCount(a), 0);
    const release = albums.find((a) => copyCount(a) === 3);
    if (release && listed <= 50 && new Set(albums.map((a) => a.name)).size === albums.length) return { artistId: artist.id, release };
  }
  throw new Error('no artist with a 3-copy release in the catalog');
}

const albumsOf = (sandbox: RunningSandbox, pick: (a: CatalogAlbum) => boolean): CatalogAlbum[] =>
  [...sandbox.catalog.albums.values()].filter(pick);

describe('sandbox quirks (extended profile)', () => {
  let sandbox: RunningSandbox;
  let user: string; // ava.demo, country GB
  let userUS: string; // marcus.demo, country US
  let app: string;
  let artistId: string;
  let release: CatalogAlbum;
  beforeAll(async () => {
    sandbox = await startSandbox({ profile: 'extended', quirks: true });
    user = (await userToken(sandbox.app, 'ava.demo')).access_token;
    userUS = (await userToken(sandbox.app, 'marcus.demo')).access_token;
    app = await appToken(sandbox.app);
    ({ artistId, release } = artistWithCopies(sandbox));
  });
  afterAll(() => sandbox.close());

  const copiesListed = async (query: string, token = app) => {
    const page = await api(sandbox, token, `/artists/${artistId}/albums?include_groups=album&limit=50${query}`);
    return { page, copies: (page.items as Json[]).filter((a) => a.name === release.name) };
  };

  it('per-market copies: without market one release is listed once per market group, own ids, disjoint available_markets, one []', async () => {
    const { page, copies } = await copiesListed('');
    expect(copies).toHaveLength(3);
    expect(new Set(copies.map((c) => c.id)).size).toBe(3);
    expect(copies.map((c) => c.available_markets)).toEqual(COPY_MARKETS.map((m) => [...m]));
    const all = copies.flatMap((c) => c.available_markets as string[]);
    expect(new Set(all).size).toBe(all.length);
    expect(page.total).toBe(page.items.length);

    const tracklists = await Promise.all(copies.map((c) => api(sandbox, app, `/albums/${c.id}/tracks?limit=50`)));
    const ids = tracklists.flatMap((t) => t.items.map((x: Json) => x.id));
    expect(new Set(ids).size).toBe(ids.length);
    const shape = (t: Json) => t.items.map((x: Json) => [x.name, x.duration_ms, x.disc_number, x.track_number]);
    expect(shape(tracklists[1])).toEqual(shape(tracklists[0]));
    expect(shape(tracklists[2])).toEqual(shape(tracklists[0]));
  });

  it('per-market copies: market=XX lists only the copy playable there, without available_markets', async () => {
    const all = (await copiesListed('')).copies;
    const us = (await copiesListed('&market=US')).copies;
    const se = (await copiesListed('&market=SE')).copies;
    expect(us.map((c) => c.id)).toEqual([all[1].id]);
    expect(se.map((c) => c.id)).toEqual([all[0].id]);
    expect(us[0].available_markets).toBeUndefined();
    // A market no copy is sold in: the release is not listed at all.
    expect((await copiesListed('&market=IT')).copies).toEqual([]);
  });

  it('per-market copies: market=from_token takes the user\'s country; with an app token it is refused', async () => {
    const all = (await copiesListed('')).copies;
    expect((await copiesListed('&market=from_token', user)).copies.map((c) => c.id)).toEqual([all[0].id]);
    expect((await copiesListed('&market=from_token', userUS)).copies.map((c) => c.id)).toEqual([all[1].id]);
    const refused = await api(sandbox, app, `/artists/${artistId}/albums?market=from_token`, 400);
    expect(refused.error).toEqual({ status: 400, message: 'Invalid market code' });
    await api(sandbox, app, `/artists/${artistId}/albums?market=usa`, 400);
  });

  it('linked_from: a copy\'s track asked for in a market it is not sold in is relinked to its playable twin', async () => {
    const all = (await copiesListed('')).copies;
    const usTrack = (await api(sandbox, app, `/albums/${all[1].id}/tracks?limit=1`)).items[0];
    const seTrack = (await api(sandbox, app, `/albums/${all[0].id}/tracks?limit=1`)).items[0];
    const relinked = await api(sandbox, app, `/tracks/${usTrack.id}?market=SE`);
    expect(relinked.id).toBe(seTrack.id);
    expect(relinked.is_playable).toBe(true);
    expect(relinked.linked_from).toEqual(expect.objectContaining({ id: usTrack.id, type: 'track', uri: `spotify:track:${usTrack.id}` }));
    expect(relinked.album.id).toBe(all[0].id);
    const asked = await api(sandbox, app, `/tracks/${usTrack.id}?market=US`);
    expect([asked.id, asked.is_playable, asked.linked_from]).toEqual([usTrack.id, true, undefined]);
    // Album tracks of the []-copy, with a market, come relinked too.
    const fromEmptyCopy = await api(sandbox, app, `/albums/${all[2].id}?market=GB`);
    expect(fromEmptyCopy.tracks.items[0]).toEqual(expect.objectContaining({ id: seTrack.id, is_playable: true, linked_from: expect.objectContaining({ type: 'track' }) }));
  });

  it('restrictions: a track sold in no copy for the market is is_playable false with reason market', async () => {
    const all = (await copiesListed('')).copies;
    const track = (await api(sandbox, app, `/albums/${all[0].id}/tracks?limit=1&market=IT`)).items[0];
    expect(track).toEqual(expect.objectContaining({ is_playable: false, restrictions: { reason: 'market' } }));
    expect(track.linked_from).toBeUndefined();
  });

  it('collapseReleaseCopies on the sandbox\'s listing keeps one copy per release, the one sold in the market', async () => {
    const { page } = await copiesListed('');
    const ids = (page.items as Json[]).map((a) => a.id);
    const full: Json[] = [];
    for (let i = 0; i < ids.length; i += 20) full.push(...(await api(sandbox, app, `/albums?ids=${ids.slice(i, i + 20).join(',')}`)).albums);
    const tracks = new Map<string, ReleaseTrack[]>();
    for (const a of full) tracks.set(a.id, (await api(sandbox, app, `/albums/${a.id}/tracks?limit=50`)).items);
    const out = collapseReleaseCopies(page.items as ReleaseAlbum[], 'US', tracks);
    const names = out.albums.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    const kept = out.albums.find((a) => a.name === release.name)!;
    expect(kept.available_markets).toEqual(COPY_MARKETS[1]);
    expect(out.dropped.filter((d) => d.keptId === kept.id).map((d) => d.reason).sort()).toEqual(['no_markets', 'not_playable_in_market']);
  });

  it('album_type in upper case in some embedded album objects, lower case in the album itself', async () => {
    const upper = albumsOf(sandbox, (a) => a.albumType === 'album' && copyCount(a) === 1 && upperCaseAlbumType(a.id))[0];
    const lower = albumsOf(sandbox, (a) => a.albumType === 'album' && copyCount(a) === 1 && !upperCaseAlbumType(a.id))[0];
    expect((await api(sandbox, app, `/tracks/${upper.trackIds[0]}`)).album.album_type).toBe('ALBUM');
    expect((await api(sandbox, app, `/albums/${upper.id}`)).album_type).toBe('album');
    expect((await api(sandbox, app, `/tracks/${lower.trackIds[0]}`)).album.album_type).toBe('album');
  });

  it('release_date with precision year ("1983") and month ("1983-05")', async () => {
    const byPrecision = (p: string) => albumsOf(sandbox, (a) => a.releaseDatePrecision === 'day' && releaseDateOf(a, a.id).precision === p)[0];
    const year = await api(sandbox, app, `/albums/${byPrecision('year').id}`);
    const month = await api(sandbox, app, `/albums/${byPrecision('month').id}`);
    expect([year.release_date, year.release_date_precision]).toEqual([expect.stringMatching(/^\d{4}$/), 'year']);
    expect([month.release_date, month.release_date_precision]).toEqual([expect.stringMatching(/^\d{4}-\d{2}$/), 'month']);
    // The same date wherever the album appears.
    const embedded = await api(sandbox, app, `/tracks/${byPrecision('year').trackIds[0]}`);
    expect(embedded.album.release_date).toBe(year.release_date);
  });

  it('images: [] for some albums, one image with null height/width for others', async () => {
    const empty = albumsOf(sandbox, (a) => imageQuirk(a.id) === 'empty')[0];
    const unsized = albumsOf(sandbox, (a) => imageQuirk(a.id) === 'unsized')[0];
    expect((await api(sandbox, app, `/albums/${empty.id}`)).images).toEqual([]);
    const images = (await api(sandbox, app, `/albums/${unsized.id}`)).images as Json[];
    expect(images).toEqual([expect.objectContaining({ height: null, width: null, url: expect.any(String) })]);
  });

  it('preview_url is a string for some tracks and null for others', async () => {
    const box = await api(sandbox, app, `/albums/${sandbox.catalog.notable.bigAlbumId}/tracks?limit=50`);
    const previews = (box.items as Json[]).map((t) => t.preview_url);
    expect(previews.some((p) => typeof p === 'string' && p.startsWith(sandbox.url))).toBe(true);
    expect(previews.some((p) => p === null)).toBe(true);
    const clip = await fetch(previews.find((p) => typeof p === 'string')!);
    expect([clip.status, clip.headers.get('content-type')]).toEqual([200, 'audio/mpeg']);
    expect(Buffer.from(await clip.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfb]));
  });

  it('recently played contexts: album, playlist, artist, show and null', async () => {
    const page = await api(sandbox, user, '/me/player/recently-played?limit=50');
    const kinds = new Set((page.items as Json[]).map((i) => i.context?.type ?? null));
    expect([...kinds].sort()).toEqual([null, 'album', 'artist', 'playlist', 'show'].sort());
    for (const i of page.items as Json[]) {
      if (i.context) expect(i.context.uri).toMatch(new RegExp(`^spotify:${i.context.type}:[0-9A-Za-z]{22}$`));
    }
  });

  it('deterministic: a second sandbox answers the same, and /_sandbox/stats counts the requests', async () => {
    const other = await startSandbox({ profile: 'extended', quirks: true });
    try {
      const otherToken = await appToken(other.app);
      const path = `/artists/${artistId}/albums?include_groups=album&limit=50`;
      const strip = (j: Json, url: string) => JSON.stringify(j).split(url).join('ORIGIN');
      expect(strip(await api(other, otherToken, path), other.url)).toBe(strip(await api(sandbox, app, path), sandbox.url));
      const stats = (await (await fetch(`${other.url}/_sandbox/stats`)).json()) as Json;
      expect(stats.by_endpoint['GET /v1/artists/{id}/albums']).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('sandbox quirks (development profile)', () => {
  let sandbox: RunningSandbox;
  let app: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ profile: 'development', quirks: true });
    app = await appToken(sandbox.app);
  });
  afterAll(() => sandbox.close());

  it('per-market copies stay within Development Mode limits and fields: limit max 10, no available_markets, no linked_from', async () => {
    const { artistId, release } = artistWithCopies(sandbox);
    await api(sandbox, app, `/artists/${artistId}/albums?limit=11`, 400);
    const items: Json[] = [];
    for (let offset = 0, total = 1; offset < total; offset += 10) {
      const page = await api(sandbox, app, `/artists/${artistId}/albums?include_groups=album&limit=10&offset=${offset}`);
      total = page.total;
      items.push(...page.items);
    }
    const copies = items.filter((a) => a.name === release.name);
    expect(copies).toHaveLength(3);
    expect(copies.every((c) => !('available_markets' in c))).toBe(true);
    const track = (await api(sandbox, app, `/albums/${copies[1].id}/tracks?limit=1&market=SE`)).items[0];
    expect(track.is_playable).toBe(true);
    expect(track.linked_from).toBeUndefined();
  });
});

describe('sandbox without quirks', () => {
  it('lists each release once and ignores market, as before', async () => {
    const sandbox = await startSandbox({ profile: 'extended' });
    try {
      const app = await appToken(sandbox.app);
      const { artistId, release } = artistWithCopies(sandbox);
      const page = await api(sandbox, app, `/artists/${artistId}/albums?include_groups=album&limit=50&market=from_token`);
      expect((page.items as Json[]).filter((a) => a.name === release.name)).toHaveLength(1);
      const track = await api(sandbox, app, `/tracks/${release.trackIds[0]}?market=IT`);
      expect([track.is_playable, track.restrictions, track.preview_url]).toEqual([undefined, undefined, null]);
    } finally {
      await sandbox.close();
    }
  });
});

describe('sandbox CLI', () => {
  it('--quirks switches the quirks on; --quirks=value is a usage error (exit 2)', () => {
    expect(parseArgs(['--port', '0', '--quirks'])).toEqual({ port: 0, quirks: true });
    expect(parseArgs(['--port', '0'])).toEqual({ port: 0 });
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code: number) => { throw new Error(`exit ${code}`); }) as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseArgs(['--quirks=yes'])).toThrow('exit 2');
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('--quirks takes no value'));
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
