import request from 'supertest';
import { artistKey } from '../../src/history/personalKeys';
import { login, startTestApp, type TestApp } from '../helpers/harness';
import { ext, tokenFor, upload } from '../helpers/history';

jest.setTimeout(60_000);

const MIN = 60_000;
// 120 plays, one an hour from 1 March 2024; every 10th of "Needle" by Band N, every 7th skipped, every 5th on shuffle, every 3rd on iOS.
const ENTRIES = Array.from({ length: 120 }, (_, i) => {
  const ts = new Date(Date.parse('2024-03-01T00:00:00Z') + i * 3_600_000).toISOString().replace('.000', '');
  const needle = i % 10 === 0;
  return ext(ts, needle ? 'Needle' : `Hay ${i}`, needle ? 'Band N' : 'Band H', 3 * MIN, {
    skipped: i % 7 === 0, shuffle: i % 5 === 0, platform: i % 3 === 0 ? 'iOS 17.1 (iPhone15,2)' : 'Android OS 13 API 33 (Google, Pixel 7)',
  });
});
ENTRIES.push(ext('2024-03-06T12:30:00Z', null, '', 20 * MIN, { episode_name: 'Episode 9', episode_show_name: 'A Podcast', spotify_episode_uri: 'spotify:episode:abc' }));

describe('the play log', () => {
  let t: TestApp;
  let token: string;
  const api = (q: Record<string, string>) => request(t.url).get('/api/me/history/plays').query(q).set('Authorization', `Bearer ${token}`);
  beforeAll(async () => {
    t = await startTestApp();
    token = await tokenFor(t, 'ava.demo');
    const job = await upload(t, token, 'Streaming_History_Audio_2024_0.json', JSON.stringify(ENTRIES));
    // The job tells how far its first pass got: bytes of the upload, files and entries read.
    expect(job).toMatchObject({ status: 'done', plays_added: 120, files_done: 1, files_total: 1, rows_read: 121, bytes_read: Buffer.byteLength(JSON.stringify(ENTRIES)), bytes_total: Buffer.byteLength(JSON.stringify(ENTRIES)) });
  });
  afterAll(() => t.close());

  it('pages newest first with an opaque cursor until every entry was listed once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api({ limit: '50', ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...res.body.plays.map((p: { ts: string }) => p.ts));
      cursor = res.body.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(121);
    expect(new Set(seen).size).toBe(121);
    expect([...seen].sort().reverse()).toEqual(seen);
    const first = (await api({ limit: '2' }).expect(200)).body;
    expect(first.plays[0]).toMatchObject({ ts: '2024-03-06T12:30:00.000Z', kind: 'episode', name: 'Episode 9', artist: 'A Podcast', artist_key: null, track_key: null });
    expect(first.plays[1]).toMatchObject({ ts: '2024-03-05T23:00:00.000Z', name: 'Hay 119', artist: 'Band H', counted: 'play', artist_key: artistKey('Band H'), platform: 'Android' });
    expect((await api({ cursor: 'nonsense' }).expect(400)).body.error.code).toBe('invalid_cursor');
    expect((await api({ limit: '1000' }).expect(400)).body.error.code).toBe('invalid_query');
  });

  it('one search answers "when did I last play X?": the first hit is the last play', async () => {
    const res = (await api({ q: 'needle band n' }).expect(200)).body;
    expect(res.plays).toHaveLength(12);
    expect(res.plays[0]).toMatchObject({ name: 'Needle', ts: '2024-03-05T14:00:00.000Z' }); // i = 110
    expect((await api({ q: 'Hay 11' }).expect(200)).body.plays.map((p: { name: string }) => p.name)).toEqual(['Hay 119', 'Hay 118', 'Hay 117', 'Hay 116', 'Hay 115', 'Hay 114', 'Hay 113', 'Hay 112', 'Hay 111', 'Hay 11']);
  });

  it('filters by period, artist, skipped, shuffle, platform and podcasts', async () => {
    const count = async (q: Record<string, string>) => (await api({ limit: '200', ...q }).expect(200)).body.plays.length;
    expect(await count({ from: '2024-03-02', to: '2024-03-02' })).toBe(24);
    expect(await count({ period: '2024-03' })).toBe(121);
    expect(await count({ period: '2024-04' })).toBe(0);
    expect(await count({ artist: artistKey('Band N') })).toBe(12);
    expect(await count({ skipped: 'yes' })).toBe(18);
    expect(await count({ shuffle: 'yes', kind: 'music' })).toBe(24);
    expect(await count({ platform: 'iOS', kind: 'music' })).toBe(40);
    expect(await count({ kind: 'podcasts' })).toBe(1);
    expect(await count({ kind: 'music' })).toBe(120);
    expect((await api({ skipped: 'maybe' }).expect(400)).body.error.code).toBe('invalid_query');
  });

  it('the page: rows with links, the answer in words, and the next page for the script', async () => {
    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const page = await agent.get('/history/plays').expect(200);
    expect((page.text.match(/class="play-row/g) ?? []).length).toBe(50);
    expect(page.text).toMatch(/id="play-log"[^>]*data-next="[A-Za-z0-9_-]+"/);
    expect(page.text).toContain(`href="/me/artists/${artistKey('Band H')}"`);
    const search = await agent.get('/history/plays?q=needle').expect(200);
    expect(search.text).toMatch(/You last played <strong>Needle<\/strong> by Band N on <strong>Mar 5, 2024, 2:00\sPM \(UTC\)<\/strong>/);
    // The filter form sends unset selects and dates empty: they mean "any".
    const form = await agent.get('/history/plays?period=all&q=needle&skipped=&shuffle=&platform=&kind=&from=&to=').expect(200);
    expect(form.text).toContain('You last played <strong>Needle</strong>');
    const none = await agent.get('/history/plays?q=nothing+like+it&period=30d').expect(200);
    expect(none.text).toContain('Nothing you played in this period matches “nothing like it”');
    await agent.get('/history/plays?period=someday').expect(400);
  });
});
