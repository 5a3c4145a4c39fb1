import crypto from 'node:crypto';
import request from 'supertest';
import { buildSyntheticCatalog } from '../../src/sandbox/catalog';
import { DEMO_LISTENERS, listenerTops } from '../../src/sandbox/listeners';
import { startTestApp, type TestApp } from '../helpers/harness';
import { ext, stats, tokenFor, upload } from '../helpers/history';
import { makeZip } from '../helpers/zip';

jest.setTimeout(300_000);

/** Random text that deflate cannot shrink much (a hostile export's names). */
const noise = (chars: number, seed: string) => {
  let out = '';
  for (let i = 0; out.length < chars; i++) out += crypto.createHash('sha256').update(`${seed}:${i}`).digest('hex');
  return out.slice(0, chars);
};

const at = (day: string, second: number) => new Date(Date.parse(`${day}T00:00:00Z`) + second * 1000).toISOString().replace('.000', '');

/**
 * Two hostile days: 2023-03-01 with 20,000 plays of 2,000 tracks whose names are 500 characters
 * (the longest an import keeps), and 2023-03-02 with 300 plays whose names (track, artist, album)
 * are 10,000 characters (kept as their first 500). Each day's encoded item is far over 400 KB.
 */
function hostileExport() {
  const many = Array.from({ length: 20_000 }, (_, i) => ext(at('2023-03-01', i * 4), noise(500, `t${i % 2000}`), noise(500, `a${i % 400}`), 200_000));
  const longNames = Array.from({ length: 300 }, (_, i) => ext(at('2023-03-02', i * 60), noise(10_000, `lt${i % 100}`), noise(10_000, `la${i % 10}`), 200_000));
  return { many, longNames, all: [...many, ...longNames] };
}

describe('DynamoDB item limits: a huge day is split, never half-written', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('an export with a 20,000-play day and a day of 10,000-character names imports in full: job done, every play counted, stats correct', async () => {
    const token = await tokenFor(t, 'ava.demo');
    const { all, longNames } = hostileExport();
    const job = await upload(t, token, 'Streaming_History_Audio_2023.json', JSON.stringify(all));
    expect(job).toMatchObject({ status: 'done', plays_read: 20_300, plays_added: 20_300, error: null });
    const s = await stats(t, token);
    expect(s.plays).toBe(20_300);
    expect(s.ms_played).toBe(20_300 * 200_000);
    // The long names come back as the import keeps them: their first 500 characters, every play there.
    const day2 = await stats(t, token, { from: '2023-03-02', to: '2023-03-02' });
    expect(day2.plays).toBe(300);
    const expected = new Set(longNames.map((p) => String(p.master_metadata_album_artist_name).slice(0, 500)));
    expect(day2.top_artists.length).toBe(10);
    for (const a of day2.top_artists as { name: string; plays: number }[]) {
      expect(expected.has(a.name)).toBe(true);
      expect(a.plays).toBe(30);
    }
    // The same file again adds nothing: the split days are read back whole for the duplicate check.
    const again = await upload(t, token, 'Streaming_History_Audio_2023.json', JSON.stringify(all));
    expect(again).toMatchObject({ status: 'done', plays_read: 20_300, plays_added: 0 });
    expect((await stats(t, token)).plays).toBe(20_300);
    // Undo of the first import finds every part and removes every play.
    const undone = await request(t.url).delete(`/api/me/history/imports/${job.id}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(undone.body).toMatchObject({ status: 'undone', plays_removed: 20_300 });
    expect((await stats(t, token)).plays).toBe(0);
  });

  it('a zip with hundreds of long file names next to the history: the job record stays bounded, the import is done', async () => {
    const token = await tokenFor(t, 'rin.demo');
    const plays = Array.from({ length: 50 }, (_, i) => ext(at('2022-05-05', i * 600), `song ${i}`, 'artist', 200_000));
    const junk = Array.from({ length: 300 }, (_, i) => ({ name: `Spotify Extended Streaming History/${noise(2000, `f${i}`)}.txt`, data: 'x' }));
    const zip = makeZip([{ name: 'Spotify Extended Streaming History/Streaming_History_Audio_2022.json', data: JSON.stringify(plays) }, ...junk]);
    const job = await upload(t, token, 'my_spotify_data.zip', zip);
    expect(job).toMatchObject({ status: 'done', plays_added: 50 });
    expect(job.skipped.length).toBeLessThanOrEqual(201);
    expect(job.skipped.at(-1).name).toMatch(/more/);
    for (const f of job.skipped) expect(f.name.length).toBeLessThanOrEqual(300);
  });

  it('a job that fails after writing part of its plays says how many it wrote, and the statistics are recomputed', async () => {
    const token = await tokenFor(t, 'marcus.demo');
    expect((await stats(t, token)).plays).toBe(0); // caches the (empty) statistics
    const repo = (t.services.historyImports as unknown as { repo: { putDays: (...a: unknown[]) => Promise<void> } }).repo;
    const original = repo.putDays.bind(repo);
    const spy = jest.spyOn(repo, 'putDays').mockImplementation(async (userId: unknown, days: unknown) => {
      const list = days as unknown[];
      // Half of the days land, then the database refuses the rest (not a transient error).
      await original(userId, list.slice(0, Math.ceil(list.length / 2)));
      throw Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException' });
    });
    let job: { id: string; status: string; plays_added: number; error: string | null };
    try {
      const plays = Array.from({ length: 400 }, (_, i) => ext(new Date(Date.UTC(2021, 0, 1) + i * 3 * 3600_000).toISOString().replace('.000', ''), `song ${i % 30}`, `artist ${i % 7}`, 200_000));
      job = await upload(t, token, 'Streaming_History_Audio_2021.json', JSON.stringify(plays));
      expect(job.status).toBe('failed');
      expect(job.plays_added).toBeGreaterThan(0);
      // The statistics were invalidated when the job ended, and count what the job says it wrote.
      expect((await stats(t, token)).plays).toBe(job.plays_added);
      expect(job.error).toMatch(new RegExp(`${job.plays_added} new plays were written before it stopped and kept`));
    } finally {
      spy.mockRestore();
    }
    // What it wrote can be undone like a finished import.
    const undone = await request(t.url).delete(`/api/me/history/imports/${job.id}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(undone.body.plays_removed).toBe(job.plays_added);
    expect((await stats(t, token)).plays).toBe(0);
  });
});

describe('dashboard snapshots with 10,000-character names', () => {
  let t: TestApp;
  let other: string;
  let longArtist: string;
  beforeAll(async () => {
    // A catalog whose names (artists, albums, tracks) Ava sees on her dashboard are 10,000 characters long.
    const catalog = buildSyntheticCatalog();
    const ava = DEMO_LISTENERS.find((l) => l.id === 'ava.demo')!;
    const artists = new Set<string>();
    const tracks = new Set<string>();
    for (const r of Object.values(listenerTops(catalog, ava))) {
      r.artists.forEach((id) => artists.add(id));
      r.tracks.forEach((id) => tracks.add(id));
    }
    // Recent plays come from the same top tracks.
    for (const id of tracks) {
      const tr = catalog.tracks.get(id);
      if (!tr) continue;
      tr.name = `${tr.name} ${noise(10_000, `track:${id}`)}`;
      const album = catalog.albums.get(tr.albumId);
      if (album && album.name.length < 10_000) album.name = `${album.name} ${noise(10_000, `album:${album.id}`)}`;
      for (const aid of tr.artistIds) artists.add(aid);
    }
    for (const id of artists) {
      const a = catalog.artists.get(id)!;
      if (a.name.length < 10_000) a.name = `${a.name} ${noise(10_000, `artist:${id}`)}`;
    }
    longArtist = [...artists].find((id) => catalog.artists.get(id)!.albumIds.length <= 4) ?? [...artists][0];
    other = [...catalog.artists.values()].find((a) => !artists.has(a.id) && a.albumIds.length <= 3)!.id;
    t = await startTestApp({ sandboxOptions: { catalog } });
  });
  afterAll(() => t.close());

  it('/api/me/summary and /api/compare?me=1 answer 200 (the snapshot is bounded), and again from the cache', async () => {
    const token = await tokenFor(t, 'ava.demo');
    const first = await request(t.url).get('/api/me/summary').set('Authorization', `Bearer ${token}`);
    expect(first.status).toBe(200);
    expect(first.body.ranges.short_term.artists.length).toBeGreaterThan(0);
    const names = (first.body.ranges.short_term.artists as { name: string }[]).map((a) => a.name);
    expect(names.some((n) => n.length === 300 && n.endsWith('…'))).toBe(true);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(300);
    const second = await request(t.url).get('/api/me/summary').set('Authorization', `Bearer ${token}`);
    expect(second.status).toBe(200);
    // Every name in the document is bounded (a genre's artists are plain strings of names, too).
    const long: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (typeof v === 'string' && v.length > 300) long.push(path);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(first.body, '');
    expect(long).toEqual([]);
    // Served from the cache this time: the same document, names as the first load showed them.
    expect(second.body.generated_at).toBe(first.body.generated_at);
    expect(second.body.ranges.short_term.artists).toEqual(first.body.ranges.short_term.artists);
    const compare = await request(t.url).get('/api/compare').query({ me: '1', b: other }).set('Authorization', `Bearer ${token}`);
    expect(compare.status).toBe(200);
    // An artist whose own names are 10,000 characters can be compared with, too (its ingest fits).
    const longOne = await request(t.url).get('/api/compare').query({ me: '1', b: longArtist }).set('Authorization', `Bearer ${token}`);
    expect(longOne.status).toBe(200);
    expect(t.logs.join('\n')).not.toMatch(/Item size has exceeded/i);
  });

  it('a snapshot write the database refuses is logged, and the read still answers 200 with the fresh summary', async () => {
    const token = await tokenFor(t, 'rin.demo');
    const repo = (t.services.dashboard as unknown as { d: { repo: { putSummary: () => Promise<void>; putDaily: () => Promise<void> } } }).d.repo;
    const refuse = () => Promise.reject(Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' }));
    const s1 = jest.spyOn(repo, 'putSummary').mockImplementation(refuse);
    const s2 = jest.spyOn(repo, 'putDaily').mockImplementation(refuse);
    try {
      const res = await request(t.url).get('/api/me/summary').query({ refresh: '1' }).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body.user.display_name).toBe('Rin');
      const compare = await request(t.url).get('/api/compare').query({ me: '1', b: other }).set('Authorization', `Bearer ${token}`);
      expect(compare.status).toBe(200);
      const warnings = t.logs.filter((l) => /snapshot|cache/i.test(l) && /ValidationException|Item size/.test(l));
      expect(warnings.length).toBeGreaterThan(0);
      for (const w of warnings) expect(w).not.toContain(token);
    } finally {
      s1.mockRestore();
      s2.mockRestore();
    }
  });
});
