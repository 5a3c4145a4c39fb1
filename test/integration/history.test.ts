import request from 'supertest';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { makeZip } from '../helpers/zip';
import { ext, stats, tokenFor, upload, waitForJob, type Ext } from '../helpers/history';

jest.setTimeout(60_000);

const FIXTURE: Ext[] = [
  ext('2023-12-31T23:10:00Z', 'Alpha', 'Band A', 200_000),
  ext('2024-01-01T10:00:00Z', 'Alpha', 'Band A', 180_000, { shuffle: true }),
  ext('2024-01-01T10:05:00Z', 'Beta', 'Band B', 10_000, { skipped: true, reason_end: 'fwdbtn' }), // short: time, no play
  ext('2024-01-02T08:00:00Z', 'Gamma, "quoted" <b>', 'Band </script> C', 240_000, { platform: 'Windows 10 (10.0.19045; x64)', conn_country: 'FR' }),
  ext('2024-01-03T21:00:00Z', 'Beta', 'Band B', 30_000), // exactly 30 s: counts
  ext('2024-03-31T00:30:00Z', 'Alpha', 'Band A', 100_000), // Berlin: 01:30 CET, before the DST switch at 01:00 UTC
  ext('2024-03-31T01:30:00Z', 'Alpha', 'Band A', 100_000), // Berlin: 03:30 CEST, after it
  ext('2024-04-01T12:00:00Z', null, '', 1_500_000, { episode_name: 'Episode 1', episode_show_name: 'A Podcast', spotify_episode_uri: 'spotify:episode:abc' }),
  ext('2024-04-02T12:00:00Z', null, '', 900_000, { audiobook_title: 'A Book', audiobook_chapter_title: 'Chapter 1' }),
  ext('2024-04-03T07:00:00Z', null, '', 5_000), // no track, episode or chapter: not a play at all
];

/** What the statistics must say about a set of extended entries, computed directly. */
function expected(entries: Ext[]) {
  const music = entries.filter((e) => e.master_metadata_track_name);
  const plays = music.filter((e) => (e.ms_played as number) >= 30_000);
  const byArtist = new Map<string, number>();
  for (const e of music) byArtist.set(e.master_metadata_album_artist_name as string, (byArtist.get(e.master_metadata_album_artist_name as string) ?? 0) + (e.ms_played as number));
  return {
    plays: plays.length,
    ms: music.reduce((s, e) => s + (e.ms_played as number), 0),
    topArtist: [...byArtist].sort((a, b) => b[1] - a[1])[0],
  };
}

describe('listening history import', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await tokenFor(t, 'ava.demo');
  });
  afterAll(() => t.close());

  it('imports an extended history file and the API numbers equal a direct computation', async () => {
    const job = await upload(t, token, 'Streaming_History_Audio_2023-2024_0.json', JSON.stringify(FIXTURE));
    expect(job).toMatchObject({ status: 'done', plays_read: 7, plays_added: 7, episodes_read: 2, error: null });
    const s = await stats(t, token);
    const e = expected(FIXTURE);
    expect(s.plays).toBe(e.plays);
    expect(s.ms_played).toBe(e.ms);
    expect(s.top_artists[0]).toMatchObject({ name: e.topArtist[0], ms_played: e.topArtist[1], plays: 4 });
    expect(s.top_tracks_by_plays[0]).toMatchObject({ name: 'Alpha', artist: 'Band A', plays: 4, ms_played: 580_000 });
    expect(s.top_tracks.find((x: { name: string }) => x.name === 'Beta')).toMatchObject({ plays: 1, ms_played: 40_000 });
    expect(s.distinct).toEqual({ tracks: 3, artists: 3, albums: 3 });
    // Podcast episodes and audiobook chapters are each counted apart.
    expect(s.episodes).toMatchObject({ entries: 1, ms_played: 1_500_000 });
    expect(s.audiobooks).toMatchObject({ entries: 1, ms_played: 900_000 });
    expect(s.skip_rate).toBeCloseTo(1 / 7);
    expect(s.shuffle_share).toBeCloseTo(1 / 7);
    expect(s.platforms.map((p: { name: string }) => p.name)).toEqual(['Android', 'Windows']);
    expect(s.countries.map((c: { name: string }) => c.name)).toEqual(['DE', 'FR']);
    expect(s.top_artists.find((a: { name: string }) => a.name === 'Band A').first_listen).toBe('2023-12-31T23:10:00.000Z');
    // A date range: January 2024 only (UTC).
    const jan = await stats(t, token, { from: '2024-01-01', to: '2024-01-31', tz: 'UTC' });
    expect(jan.plays).toBe(3);
    expect(jan.ms_played).toBe(180_000 + 10_000 + 240_000 + 30_000);
  });

  it('adds nothing when the same file or an overlapping account-data file is imported again', async () => {
    const before = await stats(t, token);
    const again = await upload(t, token, 'Streaming_History_Audio_2023-2024_0.json', JSON.stringify(FIXTURE));
    expect(again).toMatchObject({ status: 'done', plays_read: 7, plays_added: 0 });
    // The same plays in the account-data format (minute precision) plus one new one.
    const account = [
      { endTime: '2024-01-01 10:00', artistName: 'Band A', trackName: 'Alpha', msPlayed: 180_000 },
      { endTime: '2024-01-02 08:00', artistName: 'Band </script> C', trackName: 'Gamma, "quoted" <b>', msPlayed: 240_000 },
      { endTime: '2024-05-05 18:45', artistName: 'Band D', trackName: 'Delta', msPlayed: 120_000 },
    ];
    const zip = makeZip([
      { name: 'MyData/StreamingHistory_music_0.json', data: JSON.stringify(account) },
      { name: 'MyData/Userdata.json', data: '{"username":"ava"}' },
      { name: 'MyData/Read_Me_First.pdf', data: Buffer.alloc(2000, 7) },
      { name: 'MyData/Playlist1.json', data: '{"playlists":[]}' },
    ]);
    const job = await upload(t, token, 'my_spotify_data.zip', zip);
    expect(job).toMatchObject({ status: 'done', plays_read: 3, plays_added: 1, files: [{ name: 'MyData/StreamingHistory_music_0.json', format: 'account', plays: 3 }] });
    expect(job.skipped).toEqual([
      { name: 'MyData/Read_Me_First.pdf', reason: 'not a .json file' },
      { name: 'MyData/Playlist1.json', reason: 'not a JSON array of entries (not listening history)' },
      { name: 'MyData/Userdata.json', reason: 'not a JSON array of entries (not listening history)' },
    ]);
    const after = await stats(t, token);
    expect(after.plays).toBe(before.plays + 1);
    expect(after.ms_played).toBe(before.ms_played + 120_000);
  });

  it('reports malformed JSON with the file name and position, and writes nothing', async () => {
    const before = await stats(t, token);
    const good = JSON.stringify([ext('2025-06-01T10:00:00Z', 'New', 'Band N', 100_000)]);
    const bad = JSON.stringify([ext('2025-06-02T10:00:00Z', 'Newer', 'Band N', 100_000), ext('2025-06-03T10:00:00Z', 'X', 'Y', 1)]).slice(0, -40);
    const zip = makeZip([
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2025_0.json', data: good },
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2025_1.json', data: bad },
    ]);
    const job = await upload(t, token, 'export.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/Streaming_History_Audio_2025_1\.json: .*at character \d+ \(entry 2\)/);
    const after = await stats(t, token);
    expect(after.plays).toBe(before.plays);

    const wrongField = await upload(t, token, 'Streaming_History_Audio_x.json', JSON.stringify([{ ...ext('2025-01-01T00:00:00Z', 'A', 'B', 1000), ms_played: 'lots' }]));
    expect(wrongField.error).toMatch(/Streaming_History_Audio_x\.json: entry 1: invalid ms_played/);
    const notHistory = await upload(t, token, 'notes.json', '{"hello": "world"}');
    expect(notHistory.error).toMatch(/expected a JSON array/);
  });

  it('rejects path tricks and zip bombs, and says when a zip holds no history', async () => {
    const evil = makeZip([{ name: '../../etc/Streaming_History_Audio_2020_0.json', data: '[]' }]);
    expect((await upload(t, token, 'evil.zip', evil)).error).toMatch(/unsafe path/);
    const bomb = makeZip([{ name: 'Streaming_History_Audio_2020_0.json', data: Buffer.alloc(30 * 2 ** 20, 32) }]);
    expect((await upload(t, token, 'bomb.zip', bomb)).error).toMatch(/zip bomb/);
    const empty = makeZip([{ name: 'Userdata.json', data: '{}' }]);
    expect((await upload(t, token, 'empty.zip', empty)).error).toMatch(/No listening history found/);
    const emptyArray = await upload(t, token, 'StreamingHistory_music_0.json', '[]');
    expect(emptyArray).toMatchObject({ status: 'done', plays_read: 0, plays_added: 0 });
  });

  it('puts days, hours and weekdays in the chosen time zone, across a DST change', async () => {
    const utc = await stats(t, token, { from: '2024-03-31', to: '2024-03-31', tz: 'UTC' });
    expect(utc.plays).toBe(2);
    const berlin = await stats(t, token, { from: '2024-03-31', to: '2024-03-31', tz: 'Europe/Berlin' });
    expect(berlin.plays).toBe(2);
    // Sunday: 01:30 CET and 03:30 CEST (02:30 local does not exist that night).
    expect(berlin.hour_weekday[6][1]).toBe(1);
    expect(berlin.hour_weekday[6][3]).toBe(1);
    expect(utc.hour_weekday[6][0]).toBe(1);
    expect(utc.hour_weekday[6][1]).toBe(1);
    // 2023-12-31T23:10Z is already New Year's Day in Berlin.
    const ny = await stats(t, token, { from: '2024-01-01', to: '2024-01-01', tz: 'Europe/Berlin' });
    expect(ny.per_day).toEqual([{ date: '2024-01-01', ms: 200_000 + 180_000 + 10_000, plays: 2 }]);
    const bad = await request(t.url).get('/api/me/history/stats').query({ tz: 'Mars/Olympus' }).set('Authorization', `Bearer ${token}`).expect(400);
    expect(bad.body.error.code).toBe('invalid_time_zone');
    await request(t.url).get('/api/me/history/stats').query({ from: '2024-13-45' }).set('Authorization', `Bearer ${token}`).expect(400);
  });

  it('keeps two users’ histories apart', async () => {
    const other = await tokenFor(t, 'rin.demo');
    const empty = await stats(t, other);
    expect(empty.plays).toBe(0);
    await upload(t, other, 'Streaming_History_Audio_2024_0.json', JSON.stringify([ext('2024-02-02T02:02:00Z', 'Solo', 'Rin Band', 60_000)]));
    expect((await stats(t, other)).plays).toBe(1);
    const mine = await stats(t, token);
    expect(mine.top_artists.map((a: { name: string }) => a.name)).not.toContain('Rin Band');
  });

  it('refuses uploads that are not multipart, have the wrong type, or no file', async () => {
    const notMultipart = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).send({ a: 1 }).expect(400);
    expect(notMultipart.body.error.code).toBe('expected_multipart');
    const wrongType = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).attach('file', Buffer.from('x'), 'photo.png').expect(400);
    expect(wrongType.body.error.code).toBe('unsupported_file');
    const noFile = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).field('x', 'y').expect(400);
    expect(noFile.body.error.code).toBe('missing_file');
    await request(t.url).post('/api/me/history/imports').attach('file', Buffer.from('[]'), 'a.json').expect(401);
  });
});

describe('history pages', () => {
  it('imports the demo export with one click and shows the statistics, within an upload size limit', async () => {
    const t = await startTestApp({ env: { HISTORY_UPLOAD_MAX_MB: '1' } });
    try {
      const agent = t.agent();
      await login(t, agent, 'marcus.demo');
      const page = await agent.get('/history').expect(200);
      expect(page.text).toContain('id="history-empty"');
      const csrf = csrfFrom(page.text);
      await agent.post('/history/demo-import').type('form').send({ _csrf: csrf }).expect(303);
      await t.services.historyImports.idle();
      const after = await agent.get('/history').expect(200);
      if (!after.text.includes('data-status="done"')) throw new Error(/<ul class="job-list"[\s\S]*?<\/ul>/.exec(after.text)?.[0] ?? 'no jobs');
      expect(after.text).toContain('data-status="done"');
      expect(after.text).toContain('id="chart-calendar"');
      const plays = Number(/id="total-plays">([\d,]+)</.exec(after.text)![1].replace(/,/g, ''));
      expect(plays).toBeGreaterThan(1000);
      // The HTML form posts multipart with the CSRF token in its action URL; too large is 413.
      const action = /action="(\/history\/imports\?_csrf=[^"]+)"/.exec(after.text)![1].replace(/&amp;/g, '&');
      const big = await agent.post(action).attach('file', Buffer.alloc(2 * 2 ** 20, 32), 'StreamingHistory_music_0.json');
      expect(big.status).toBe(413);
      const noToken = await agent.post('/history/imports').attach('file', Buffer.from('[]'), 'StreamingHistory_music_0.json');
      expect(noToken.status).toBe(403);
      // The time zone chosen in settings is the one statistics use; UTC until then.
      const settings = await agent.get('/settings').expect(200);
      expect(settings.text).toContain('<option value="UTC" selected>');
      const tzCsrf = csrfFrom(settings.text);
      await agent.post('/settings/time-zone').type('form').send({ _csrf: tzCsrf, time_zone: 'Mars/Base' }).expect(400);
      await agent.post('/settings/time-zone').type('form').send({ _csrf: tzCsrf, time_zone: 'Asia/Tokyo' }).expect(303);
      expect((await agent.get('/history').expect(200)).text).toContain('Times in <strong>Asia/Tokyo</strong>');
      const thisYear = await agent.get('/history?range=this_year').expect(200);
      expect(thisYear.text).toContain('aria-current="page">This year');
      const custom = await agent.get('/history?range=custom&from=2030-01-01&to=2020-01-01').expect(400);
      expect(custom.text).toContain('from must not be after to');
    } finally {
      await t.close();
    }
  });
});

describe('interrupted imports', () => {
  it('reports a job whose server died as interrupted and resuming; without its upload on this server it fails with what to do', async () => {
    const t = await startTestApp();
    try {
      const token = await tokenFor(t, 'ava.demo');
      const me = (await request(t.url).get('/api/me/summary').set('Authorization', `Bearer ${token}`).expect(200)).body.user.id;
      const { HistoryRepository } = await import('../../src/store/HistoryRepository');
      const repo = new HistoryRepository(t.store);
      const old = new Date(Date.now() - 5 * 60_000).toISOString();
      await repo.putJob(me, { id: '00000000-0000-4000-8000-000000000001', status: 'running', file_name: 'x.zip', plays_read: 10, plays_added: 10, episodes_read: 0, files: [], error: null, created_at: old, updated_at: old, finished_at: null });
      const res = await request(t.url).get('/api/me/history/imports/00000000-0000-4000-8000-000000000001').set('Authorization', `Bearer ${token}`).expect(200);
      expect(res.body.status).toBe('waiting');
      expect(res.body.error).toMatch(/interrupted.*continues from its checkpoint \(10 plays written\)/);
      await repo.addPending(me, '00000000-0000-4000-8000-000000000001', '/nonexistent/upload', 'x.zip');
      expect(await t.services.historyImports.resumePending()).toEqual([]);
      const after = await request(t.url).get('/api/me/history/imports/00000000-0000-4000-8000-000000000001').set('Authorization', `Bearer ${token}`).expect(200);
      expect(after.body.status).toBe('failed');
      expect(after.body.error).toMatch(/upload is not on this server.*Upload the file again/);
      expect(await repo.pendingJobs()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
