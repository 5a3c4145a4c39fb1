/**
 * Every fixture in test/fixtures/{spotify,exports} parses as JSON and still shows the one quirk
 * it was written for, so a fixture cannot silently rot into a plain sample.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  EXPORT_FIXTURES, type ExportFixture, FIXTURES_DIR, SPOTIFY_FIXTURES, type SpotifyFixture, buildExportZip,
  loadExportFixture, loadSpotifyFixture,
} from '../helpers/fixtures';
import { readZip } from '../helpers/zip';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const BASE62_ID = /^[0-9A-Za-z]{22}$/;
const sameMinute = (a: Json, b: Json) => a.endTime === b.endTime;

const spotifyQuirks: Record<SpotifyFixture, (data: Json) => void> = {
  'artist-albums-market-copies': (page) => {
    const copies = page.items.filter((a: Json) => a.name === 'Harbour Lights');
    expect(new Set(copies.map((a: Json) => a.id)).size).toBeGreaterThanOrEqual(2);
    const seen = new Set<string>();
    for (const c of copies) for (const m of c.available_markets) { expect(seen.has(m)).toBe(false); seen.add(m); }
    expect(copies.some((a: Json) => a.available_markets.length === 0)).toBe(true);
  },
  'albums-market-copies-full': ({ albums }) => {
    expect(albums.length).toBeGreaterThanOrEqual(2);
    const trackIds = albums.flatMap((a: Json) => a.tracks.items.map((t: Json) => t.id));
    expect(new Set(trackIds).size).toBe(trackIds.length);
    const list = (a: Json) => a.tracks.items.map((t: Json) => `${t.disc_number}/${t.track_number}/${t.name}/${t.duration_ms}`).join('|');
    for (const a of albums) expect(list(a)).toBe(list(albums[0]));
  },
  'albums-same-name-different-tracks': ({ albums }) => {
    const [a, b] = albums;
    expect([a.name, a.album_type, a.release_date]).toEqual([b.name, b.album_type, b.release_date]);
    expect(a.tracks.items.map((t: Json) => t.name)).not.toEqual(b.tracks.items.map((t: Json) => t.name));
  },
  'track-embedded-album-type-upper-case': (t) => {
    expect(t.album.album_type).toBe('ALBUM');
  },
  'albums-release-date-precision': ({ albums }) => {
    expect(albums.map((a: Json) => [a.release_date, a.release_date_precision])).toEqual([['1983', 'year'], ['1983-05', 'month']]);
  },
  'album-images-empty': (a) => {
    expect(a.images).toEqual([]);
  },
  'image-size-null': (a) => {
    expect(a.images[0]).toEqual(expect.objectContaining({ height: null, width: null }));
    expect(typeof a.images[0].url).toBe('string');
  },
  'track-preview-url-string': (t) => {
    expect(typeof t.preview_url).toBe('string');
  },
  'track-relinked-linked-from': (t) => {
    expect(t.is_playable).toBe(true);
    expect(BASE62_ID.test(t.linked_from.id)).toBe(true);
    expect(t.linked_from.id).not.toBe(t.id);
  },
  'track-restricted-market': (t) => {
    expect(t.is_playable).toBe(false);
    expect(t.restrictions).toEqual({ reason: 'market' });
  },
  'playlist-items-local-track': (page) => {
    const local = page.items.find((i: Json) => i.is_local);
    expect(local.track).toEqual(expect.objectContaining({ id: null, is_local: true }));
    expect(local.track.uri).toMatch(/^spotify:local:/);
    expect(local.track.album.album_type).toBeNull();
  },
  'recently-played-contexts': (page) => {
    expect(page.items.map((i: Json) => i.context?.type ?? null)).toEqual(['album', 'playlist', 'artist', 'show', null]);
  },
};

const exportQuirks: Record<ExportFixture, (rows: Json[]) => void> = {
  'mixed-podcasts': (rows) => {
    // Old account data: an episode is a row like any other, the show's name in artistName.
    expect(rows.every((r) => 'artistName' in r && 'trackName' in r)).toBe(true);
    expect(rows.some((r) => r.msPlayed > 20 * 60_000 && /^Ep\. \d+/.test(r.trackName))).toBe(true);
  },
  'split-music': (rows) => {
    expect(rows.every((r) => typeof r.endTime === 'string' && typeof r.artistName === 'string' && typeof r.msPlayed === 'number')).toBe(true);
  },
  'split-podcast': (rows) => {
    expect(rows.every((r) => typeof r.podcastName === 'string' && typeof r.episodeName === 'string' && !('artistName' in r))).toBe(true);
  },
  'split-audiobook': (rows) => {
    expect(rows.every((r) => typeof r.audiobookName === 'string' && typeof r.chapterName === 'string' && !('artistName' in r))).toBe(true);
  },
  'same-minute-replay': ([a, b]) => {
    expect(sameMinute(a, b) && a.trackName === b.trackName && a.artistName === b.artistName).toBe(true);
    expect(a.msPlayed).not.toBe(b.msPlayed);
  },
  'endsong-skipped-null': (rows) => {
    expect(rows.every((r) => 'username' in r && 'ip_addr_decrypted' in r && 'user_agent_decrypted' in r)).toBe(true);
    const nulls = rows.filter((r) => r.skipped === null).length;
    expect(nulls).toBeGreaterThan(rows.length / 2);
    expect(nulls).toBeLessThan(rows.length);
    expect(rows.some((r) => r.skipped === null && r.reason_end === 'fwdbtn')).toBe(true);
  },
  'audio-years-index': (rows) => {
    expect(rows.every((r) => typeof r.ts === 'string' && 'ip_addr' in r && !('username' in r))).toBe(true);
  },
  'audio-year-no-index': (rows) => {
    expect(rows.every((r) => typeof r.ts === 'string' && 'audiobook_title' in r)).toBe(true);
  },
  'same-second-distinct': ([a, b]) => {
    expect(a.ts).toBe(b.ts);
    expect(a.spotify_track_uri).toBe(b.spotify_track_uri);
    expect(a.ms_played).not.toBe(b.ms_played);
    expect(a.offline_timestamp).not.toBe(b.offline_timestamp);
  },
  video: (rows) => {
    expect(rows.every((r) => r.spotify_track_uri === null && typeof r.spotify_episode_uri === 'string')).toBe(true);
  },
  'rezipped-name': (rows) => {
    expect(rows.every((r) => typeof r.endTime === 'string' && typeof r.msPlayed === 'number')).toBe(true);
  },
};

describe('fixtures from reality', () => {
  it('every fixture file on disk is listed with the quirk it covers', () => {
    const spotifyOnDisk = readdirSync(path.join(FIXTURES_DIR, 'spotify')).map((f) => f.replace(/\.json$/, '')).sort();
    expect(spotifyOnDisk).toEqual([...SPOTIFY_FIXTURES].sort());
    const exportsOnDisk = readdirSync(path.join(FIXTURES_DIR, 'exports')).flatMap((d) =>
      readdirSync(path.join(FIXTURES_DIR, 'exports', d)).map((f) => `${d}/${f}`)).sort();
    expect(exportsOnDisk).toEqual(Object.entries(EXPORT_FIXTURES).map(([q, f]) => `${q}/${f}`).sort());
  });

  it.each(SPOTIFY_FIXTURES)('spotify/%s shows its quirk', (name) => {
    spotifyQuirks[name](loadSpotifyFixture<Json>(name));
  });

  it.each(SPOTIFY_FIXTURES)('spotify/%s uses 22-character base62 ids', (name) => {
    const ids: string[] = [];
    JSON.stringify(loadSpotifyFixture(name), (key, value: unknown) => {
      if (key === 'id' && typeof value === 'string' && !value.includes('.')) ids.push(value);
      return value;
    });
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(BASE62_ID);
  });

  it.each(Object.keys(EXPORT_FIXTURES) as ExportFixture[])('exports/%s shows its quirk', (quirk) => {
    const rows = loadExportFixture<Json[]>(quirk);
    expect(Array.isArray(rows) && rows.length > 0).toBe(true);
    exportQuirks[quirk](rows);
  });

  it('buildExportZip wraps fixtures as people send them: __MACOSX entries and a zip inside the zip', async () => {
    const outer = await readZip(buildExportZip(['mixed-podcasts', 'rezipped-name'], { macosx: true, nested: true }));
    expect([...outer.keys()]).toEqual(['my_spotify_data.zip']);
    const inner = await readZip(outer.get('my_spotify_data.zip')!);
    expect([...inner.keys()].sort()).toEqual([
      'Spotify Account Data/StreamingHistory0.json', 'Spotify Account Data/StreamingHistory1 (1).json',
      '__MACOSX/Spotify Account Data/._StreamingHistory0.json', '__MACOSX/Spotify Account Data/._StreamingHistory1 (1).json',
    ]);
    expect(() => JSON.parse(inner.get('__MACOSX/Spotify Account Data/._StreamingHistory0.json')!.toString('utf8'))).toThrow();
    expect(JSON.parse(inner.get('Spotify Account Data/StreamingHistory0.json')!.toString('utf8'))).toEqual(loadExportFixture('mixed-podcasts'));
  });
});
