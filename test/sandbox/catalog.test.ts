import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { NOTABLE, buildSyntheticCatalog, createSandbox, generateListeningHistory, loadCsvCatalog } from '../../src/sandbox';
import { getDefaultCatalog } from '../../src/sandbox/catalog';
import { DEMO_LISTENERS, listenerTops } from '../../src/sandbox/listeners';
import { appToken, bearer } from './helpers';

describe('synthetic catalog', () => {
  const catalog = getDefaultCatalog();

  it('has ≥300 artists over ≥25 genres, unique names, releases from the 1960s to 2026', () => {
    expect(catalog.artists.size).toBeGreaterThanOrEqual(300);
    expect(catalog.genres.length).toBeGreaterThanOrEqual(25);
    for (const g of ['indie pop', 'deep house', 'hard bop', 'k-pop', 'outlaw country', 'death metal', 'bossa nova', 'uk garage', 'lo-fi hip hop', 'baroque']) {
      expect(catalog.genres).toContain(g);
    }
    const names = [...catalog.artists.values()].map((a) => a.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    const years = [...catalog.albums.values()].map((a) => Number(a.releaseDate.slice(0, 4)));
    expect(Math.min(...years)).toBeLessThan(1970);
    expect(Math.max(...years)).toBeLessThanOrEqual(2026);
    expect(Math.max(...years)).toBeGreaterThanOrEqual(2024);
    const ids = [...catalog.artists.keys(), ...catalog.albums.keys(), ...catalog.tracks.keys()];
    expect(ids.filter((id) => !/^[0-9A-Za-z]{22}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has the notable fixtures: a very large artist, a >50-track album, a small artist and hostile names', () => {
    expect(catalog.artists.get(NOTABLE.largestArtistId)!.albumIds.length).toBeGreaterThanOrEqual(300);
    expect(catalog.albums.get(NOTABLE.bigAlbumId)!.trackIds.length).toBeGreaterThan(50);
    const small = catalog.artists.get(NOTABLE.smallArtistId)!;
    expect(small.albumIds.length).toBeGreaterThanOrEqual(1);
    expect(small.albumIds.length).toBeLessThanOrEqual(3);
    expect(catalog.artists.get(NOTABLE.hostileArtistId)!.name).toBe('</script><script>alert(1)</script>');
    const names = [...catalog.artists.values()].map((a) => a.name);
    for (const n of ['<img src=x onerror=alert(1)>', 'Sigur Rós', 'Beyoncé & the "Quotes"', '坂本龍一']) expect(names).toContain(n);
    expect(names.some((n) => n.includes(','))).toBe(true);
    expect(catalog.tracks.get(NOTABLE.trackWithoutFeaturesId)!.features).toBeNull();
  });

  it('feature values follow Spotify scales and genres; about 2% of tracks lack features', () => {
    const tracks = [...catalog.tracks.values()];
    const missing = tracks.filter((t) => !t.features).length / tracks.length;
    expect(missing).toBeGreaterThan(0.005);
    expect(missing).toBeLessThan(0.05);
    const bad = tracks.filter((t) => {
      const f = t.features;
      if (!f) return false;
      const units = [f.danceability, f.energy, f.valence, f.acousticness, f.instrumentalness, f.liveness, f.speechiness];
      return units.some((v) => v < 0 || v > 1) || f.key < 0 || f.key > 11 || ![0, 1].includes(f.mode)
        || ![3, 4, 5].includes(f.time_signature) || f.loudness >= 0 || f.tempo <= 0 || t.durationMs < 30_000;
    });
    expect(bad).toEqual([]);
    const mean = (genre: string, k: 'energy' | 'acousticness') => {
      const ids = [...catalog.artists.values()].filter((a) => a.genres[0] === genre).flatMap((a) => a.albumIds.flatMap((al) => catalog.albums.get(al)!.trackIds));
      const vals = ids.map((id) => catalog.tracks.get(id)!.features?.[k]).filter((v): v is number => v !== undefined);
      return vals.reduce((s, v) => s + v, 0) / vals.length;
    };
    expect(mean('death metal', 'energy')).toBeGreaterThan(mean('ambient', 'energy') + 0.4);
    expect(mean('baroque', 'acousticness')).toBeGreaterThan(mean('techno', 'acousticness') + 0.5);
  });

  it('is deterministic: two builds with the same seed are equal, another seed differs', () => {
    const a = buildSyntheticCatalog(1);
    const b = buildSyntheticCatalog(1);
    expect(JSON.stringify([...a.artists.values()])).toBe(JSON.stringify([...b.artists.values()]));
    expect(JSON.stringify([...a.albums.values()])).toBe(JSON.stringify([...b.albums.values()]));
    expect(JSON.stringify([...a.tracks.values()])).toBe(JSON.stringify([...b.tracks.values()]));
    expect(a.notable).toEqual(getDefaultCatalog().notable);
    expect(NOTABLE.largestArtistId).toBe(a.notable.largestArtistId);
    const c = buildSyntheticCatalog(2);
    expect([...c.artists.keys()][0]).not.toBe([...a.artists.keys()][0]);
  });
});

describe('demo listeners', () => {
  const catalog = getDefaultCatalog();

  it('three listeners with ≥50 distinct top artists and tracks per range; the newcomer has none', () => {
    for (const l of DEMO_LISTENERS) {
      const tops = listenerTops(catalog, l);
      for (const range of ['short_term', 'medium_term', 'long_term'] as const) {
        if (l.id === 'newcomer.demo') {
          expect(tops[range]).toEqual({ artists: [], tracks: [] });
        } else {
          expect(new Set(tops[range].artists).size).toBeGreaterThanOrEqual(50);
          expect(new Set(tops[range].tracks).size).toBeGreaterThanOrEqual(50);
        }
      }
    }
    const ava = listenerTops(catalog, DEMO_LISTENERS[0]).medium_term.artists.slice(0, 10);
    const genres = ava.flatMap((id) => catalog.artists.get(id)!.genres);
    expect(genres.some((g) => ['indie pop', 'dream pop', 'bedroom pop', 'shoegaze', 'indie folk'].includes(g))).toBe(true);
  });

  it('generates a streamed, chronological, taste-consistent extended streaming history with podcasts and skips', () => {
    const entries = [...generateListeningHistory('marcus.demo', { plays: 3000, years: 2, end: Date.UTC(2026, 0, 1) })];
    expect(entries).toHaveLength(3000);
    const ts = entries.map((e) => Date.parse(e.ts));
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(ts[ts.length - 1]).toBeLessThanOrEqual(Date.UTC(2026, 0, 1));
    expect(ts[0]).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 1) - 2 * 86_400_000);
    expect(Object.keys(entries[0]).sort()).toEqual([
      'audiobook_chapter_title', 'audiobook_chapter_uri', 'audiobook_title', 'audiobook_uri', 'conn_country', 'episode_name',
      'episode_show_name', 'incognito_mode', 'ip_addr', 'master_metadata_album_album_name', 'master_metadata_album_artist_name',
      'master_metadata_track_name', 'ms_played', 'offline', 'offline_timestamp', 'platform', 'reason_end', 'reason_start',
      'shuffle', 'skipped', 'spotify_episode_uri', 'spotify_track_uri', 'ts',
    ]);
    expect(entries[0].ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const episodes = entries.filter((e) => e.spotify_episode_uri);
    expect(episodes.length).toBeGreaterThan(0);
    expect(episodes.every((e) => e.master_metadata_track_name === null && e.spotify_track_uri === null)).toBe(true);
    const music = entries.filter((e) => e.spotify_track_uri);
    const skipped = music.filter((e) => e.skipped).length / music.length;
    expect(skipped).toBeGreaterThan(0.08);
    expect(skipped).toBeLessThan(0.3);
    const jazz = music.filter((e) => {
      const t = getDefaultCatalog().tracks.get(e.spotify_track_uri!.split(':')[2])!;
      return getDefaultCatalog().artists.get(t.artistIds[0])!.genres.some((g) => /jazz|bop|soul|funk|motown/.test(g));
    });
    expect(jazz.length / music.length).toBeGreaterThan(0.6);
    const night = ts.filter((t) => new Date(t).getUTCHours() >= 2 && new Date(t).getUTCHours() < 6).length / ts.length;
    expect(night).toBeLessThan(0.1);
    // Same options → same history.
    const again = generateListeningHistory('marcus.demo', { plays: 3000, years: 2, end: Date.UTC(2026, 0, 1) });
    expect(again.next().value).toEqual(entries[0]);
    expect([...generateListeningHistory('newcomer.demo', { plays: 10 })]).toEqual([]);
    expect(() => generateListeningHistory('nobody', {}).next()).toThrow();
  });

  it('can stream 250k plays without building an array', () => {
    let n = 0;
    let last = '';
    for (const e of generateListeningHistory('rin.demo', { plays: 250_000, years: 5 })) {
      n++;
      last = e.ts;
    }
    expect(n).toBe(250_000);
    expect(Date.parse(last)).toBeLessThanOrEqual(Date.now());
  });
});

describe('CSV catalog', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-csv-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const header = 'track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms';
  const features = '0.5,0.6,5,-6.5,1,0.05,0.1,2.33e-5,0.1,0.4,120.5,200000';
  const rows = [
    `6f807x0ima9a1j3VPbc7VN,"Hello, ""World""",</script><script>alert(1)</script>,66,2oCs0DGTsRO98Gh5ZSl2Cx,"<b>Bold</b> & Co",2019-06-14,Pop Remix,p1,pop,dance pop,${features}`,
    `6f807x0ima9a1j3VPbc7VN,"Hello, ""World""",</script><script>alert(1)</script>,66,2oCs0DGTsRO98Gh5ZSl2Cx,"<b>Bold</b> & Co",2019-06-14,Other list,p2,rock,album rock,${features}`,
    `0r7CVbZTWZgbTCYdfa2P31,Second,</script><script>alert(1)</script>,50,2oCs0DGTsRO98Gh5ZSl2Cx,"<b>Bold</b> & Co",2019-06-14,Pop Remix,p1,pop,dance pop,${features}`,
    `1r7CVbZTWZgbTCYdfa2P31,Ágætis byrjun,Sigur Rós,70,3oCs0DGTsRO98Gh5ZSl2Cx,Ágætis byrjun,1999,Post-rock,p3,rock,post-rock,${features}`,
    `2r7CVbZTWZgbTCYdfa2P31,Merry Christmas Mr. Lawrence,坂本龍一,60,4oCs0DGTsRO98Gh5ZSl2Cx,"Coda, Live",1983-05,Ambient,p4,edm,ambient,,,,,,,,,,,,180000`,
  ];

  it('loads a small CSV with hostile names, dedupes repeated rows, derives ids and genres, and serves it', async () => {
    const file = path.join(dir, 'songs.csv');
    fs.writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
    const catalog = await loadCsvCatalog(file);
    expect(catalog.source).toBe('csv');
    expect(catalog.tracks.size).toBe(4);
    expect(catalog.artists.size).toBe(3);
    const hostile = [...catalog.artists.values()].find((a) => a.name === '</script><script>alert(1)</script>')!;
    expect(hostile.id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(hostile.genres).toEqual(['dance pop', 'pop', 'album rock', 'rock']);
    const track = catalog.tracks.get('6f807x0ima9a1j3VPbc7VN')!;
    expect(track.name).toBe('Hello, "World"');
    expect(track.features!.instrumentalness).toBeCloseTo(2.33e-5);
    expect(track.trackNumber).toBe(1);
    expect(catalog.tracks.get('0r7CVbZTWZgbTCYdfa2P31')!.trackNumber).toBe(2);
    const album = catalog.albums.get('2oCs0DGTsRO98Gh5ZSl2Cx')!;
    expect(album).toMatchObject({ name: '<b>Bold</b> & Co', releaseDate: '2019-06-14', releaseDatePrecision: 'day', albumType: 'single' });
    expect(catalog.albums.get('3oCs0DGTsRO98Gh5ZSl2Cx')!.releaseDatePrecision).toBe('year');
    expect(catalog.albums.get('4oCs0DGTsRO98Gh5ZSl2Cx')!.releaseDatePrecision).toBe('month');
    expect(catalog.tracks.get('2r7CVbZTWZgbTCYdfa2P31')!.features).toBeNull();
    // The same name always yields the same id.
    expect((await loadCsvCatalog(file)).artists.has(hostile.id)).toBe(true);

    const { app } = createSandbox({ catalog, profile: 'extended' });
    const token = await appToken(app);
    const res = await request(app).get(`/v1/search?q=${encodeURIComponent('script')}&type=artist`).set(...bearer(token)).expect(200);
    expect(res.body.artists.items[0].name).toBe('</script><script>alert(1)</script>');
    const features = await request(app).get('/v1/audio-features?ids=2r7CVbZTWZgbTCYdfa2P31,6f807x0ima9a1j3VPbc7VN').set(...bearer(token)).expect(200);
    expect(features.body.audio_features[0]).toBeNull();
    expect(features.body.audio_features[1].tempo).toBe(120.5);
    // createSandbox({ catalogFile }) reads the same file synchronously.
    expect(createSandbox({ catalogFile: file }).catalog.tracks.size).toBe(4);
  });

  it('uses the optional artist_id, artist_genres, track_number and album_type columns', async () => {
    const file = path.join(dir, 'extra.csv');
    fs.writeFileSync(file, [
      `${header},artist_id,artist_genres,track_number,disc_number,explicit,album_type`,
      `5r7CVbZTWZgbTCYdfa2P31,B side,Band,40,6oCs0DGTsRO98Gh5ZSl2Cx,LP,2001-01-01,x,p,rock,hard rock,${features},7dHQ0Ikz2gKzCu9dCbZV9K,"shoegaze;dream pop",2,1,true,compilation`,
      `4r7CVbZTWZgbTCYdfa2P31,A side,Band,40,6oCs0DGTsRO98Gh5ZSl2Cx,LP,2001-01-01,x,p,rock,hard rock,${features},7dHQ0Ikz2gKzCu9dCbZV9K,"shoegaze;dream pop",1,1,false,compilation`,
    ].join('\n'));
    const catalog = await loadCsvCatalog(file);
    const artist = catalog.artists.get('7dHQ0Ikz2gKzCu9dCbZV9K')!;
    expect(artist.genres).toEqual(['shoegaze', 'dream pop']);
    const album = catalog.albums.get('6oCs0DGTsRO98Gh5ZSl2Cx')!;
    expect(album.albumType).toBe('compilation');
    expect(album.trackIds).toEqual(['4r7CVbZTWZgbTCYdfa2P31', '5r7CVbZTWZgbTCYdfa2P31']);
    expect(catalog.tracks.get('5r7CVbZTWZgbTCYdfa2P31')!.explicit).toBe(true);
  });
});
