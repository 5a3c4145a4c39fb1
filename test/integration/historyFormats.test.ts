import { buildExportZip, exportFixtureBytes, EXPORT_FIXTURES, loadExportFixture, type ExportFixture } from '../helpers/fixtures';
import { login, startTestApp, type TestApp } from '../helpers/harness';
import { stats, tokenFor, upload } from '../helpers/history';
import { makeZip } from '../helpers/zip';

jest.setTimeout(60_000);

/** Milliseconds of a fixture's entries. */
const msOf = (quirk: ExportFixture) => loadExportFixture(quirk).reduce((s, e) => s + Number(e.msPlayed ?? e.ms_played), 0);

describe('every real export format, through the upload path', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await tokenFor(t, 'ava.demo');
  });
  afterAll(() => t.close());

  it('split-music, split-podcast, split-audiobook: the three account-data files of one zip are read, audiobooks counted apart', async () => {
    const before = await stats(t, token);
    const job = await upload(t, token, 'my_spotify_data.zip', buildExportZip(['split-music', 'split-podcast', 'split-audiobook']));
    expect(job.status).toBe('done');
    expect(job.files).toEqual([
      { name: 'Spotify Account Data/StreamingHistory_audiobook_0.json', format: 'account-audiobook', plays: 2 },
      { name: 'Spotify Account Data/StreamingHistory_music_0.json', format: 'account', plays: 2 },
      { name: 'Spotify Account Data/StreamingHistory_podcast_0.json', format: 'account-podcast', plays: 2 },
    ]);
    expect(job).toMatchObject({ plays_read: 2, plays_added: 2, episodes_read: 4, skipped: [] });
    const after = await stats(t, token);
    expect(after.entries - before.entries).toBe(2);
    expect(after.episodes.entries - before.episodes.entries).toBe(2);
    expect(after.episodes.ms_played - before.episodes.ms_played).toBe(msOf('split-podcast'));
    expect(after.audiobooks.entries - before.audiobooks.entries).toBe(2);
    expect(after.audiobooks.ms_played - before.audiobooks.ms_played).toBe(msOf('split-audiobook'));
    expect(after.audiobooks.top_books).toEqual([{ name: 'The Lighthouse Ledger', ms_played: msOf('split-audiobook') }]);
  });

  it('split-audiobook: the audiobook file uploaded alone is read, not silently ignored', async () => {
    const other = await tokenFor(t, 'marcus.demo');
    const job = await upload(t, other, 'StreamingHistory_audiobook_0.json', exportFixtureBytes('split-audiobook'));
    expect(job).toMatchObject({ status: 'done', episodes_read: 2, files: [{ name: 'StreamingHistory_audiobook_0.json', format: 'account-audiobook', plays: 2 }] });
    expect((await stats(t, other)).audiobooks.entries).toBe(2);
  });

  it.each([
    ['endsong-skipped-null', 'extended'],
    ['audio-years-index', 'extended'],
    ['audio-year-no-index', 'extended'],
    ['mixed-podcasts', 'account'],
  ] as const)('%s: read as %s history', async (quirk, format) => {
    const before = await stats(t, token);
    const entries = loadExportFixture(quirk);
    const job = await upload(t, token, 'export.zip', buildExportZip([quirk], { folder: 'MyData/' }));
    expect(job).toMatchObject({ status: 'done', files: [{ name: `MyData/${EXPORT_FIXTURES[quirk]}`, format, plays: entries.length }] });
    const after = await stats(t, token);
    expect(after.ms_played + after.episodes.ms_played - before.ms_played - before.episodes.ms_played).toBe(msOf(quirk));
  });

  it('video: Streaming_History_Video files are podcasts\' video plays, kept with episodes', async () => {
    const before = await stats(t, token);
    const job = await upload(t, token, 'export.zip', buildExportZip(['video']));
    expect(job).toMatchObject({ status: 'done', plays_read: 0, episodes_read: 1, files: [{ format: 'extended', plays: 1 }] });
    const after = await stats(t, token);
    expect(after.episodes.entries - before.episodes.entries).toBe(1);
    expect(after.episodes.ms_played - before.episodes.ms_played).toBe(msOf('video'));
  });

  it('rezipped-name: "StreamingHistory1 (1).json" in a re-packed zip is read by its content', async () => {
    const job = await upload(t, token, 'export.zip', buildExportZip(['rezipped-name']));
    expect(job).toMatchObject({ status: 'done', plays_read: 1, plays_added: 1, files: [{ name: 'Spotify Account Data/StreamingHistory1 (1).json', format: 'account', plays: 1 }] });
  });

  it('a history file renamed anything ("my plays.json") is read by its first entry\'s keys; any other .json is listed as skipped', async () => {
    const zip = makeZip([
      { name: 'my plays.json', data: JSON.stringify([{ endTime: '2020-02-02 20:20', artistName: 'Odile Brennan', trackName: 'Renamed', msPlayed: 99_000 }]) },
      { name: 'Userdata.json', data: '{"username":"x"}' },
      { name: 'Inferences.json', data: '[{"inference":"likes music"}]' },
      { name: 'empty.json', data: '[]' },
    ]);
    const job = await upload(t, token, 'export.zip', zip);
    expect(job).toMatchObject({ status: 'done', plays_added: 1, files: [{ name: 'my plays.json', format: 'account', plays: 1 }] });
    expect(job.skipped).toEqual(expect.arrayContaining([
      { name: 'Userdata.json', reason: 'not a JSON array of entries (not listening history)' },
      { name: 'Inferences.json', reason: 'not listening history (its entries have inference)' },
      { name: 'empty.json', reason: 'an empty list, not named like a history file' },
    ]));
  });

  it('macosx: the __MACOSX/._*.json resource forks a Mac adds are skipped and listed, the files beside them read', async () => {
    const job = await upload(t, token, 'export.zip', buildExportZip(['split-music'], { macosx: true, rename: { 'split-music': 'StreamingHistory_music_7.json' } }));
    expect(job).toMatchObject({ status: 'done', files: [{ name: 'Spotify Account Data/StreamingHistory_music_7.json', plays: 2 }] });
    expect(job.skipped).toEqual([{ name: '__MACOSX/Spotify Account Data/._StreamingHistory_music_7.json', reason: 'a macOS resource fork (__MACOSX), not part of the export' }]);
  });

  it('nested: the Spotify zip inside another zip is opened (one level), its files listed under the inner zip\'s name', async () => {
    const other = await tokenFor(t, 'rin.demo');
    const job = await upload(t, other, 'forwarded.zip', buildExportZip(['split-music', 'audio-years-index'], { nested: true }));
    expect(job.status).toBe('done');
    expect(job.files.map((f: { name: string }) => f.name).sort()).toEqual([
      'my_spotify_data.zip/Spotify Account Data/StreamingHistory_music_0.json',
      'my_spotify_data.zip/Spotify Account Data/Streaming_History_Audio_2019-2021_0.json',
    ]);
    expect((await stats(t, other)).entries).toBe(2 + loadExportFixture('audio-years-index').length);
    // Two levels deep: not opened, and said so.
    const deeper = makeZip([{ name: 'outer.zip', data: buildExportZip(['split-music'], { nested: true }), deflate: false }]);
    const failed = await upload(t, other, 'deeper.zip', deeper);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/No listening history found/);
    expect(failed.skipped).toEqual([{ name: 'outer.zip/my_spotify_data.zip', reason: 'a zip inside a zip inside a zip: not opened' }]);
  });

  it('a nested zip gets the same path limits: an unsafe path inside it refuses the upload', async () => {
    const inner = makeZip([{ name: 'a/../../StreamingHistory_music_0.json', data: '[]' }]);
    const job = await upload(t, token, 'evil.zip', makeZip([{ name: 'inner.zip', data: inner, deflate: false }]));
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/unsafe path/);
  });
});

describe('coverage of rates, through the upload path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('endsong-skipped-null: where skipped is null the skip comes from reason_end, and the rate says what it is based on', async () => {
    const token = await tokenFor(t, 'ava.demo');
    const entries = loadExportFixture('endsong-skipped-null');
    const job = await upload(t, token, 'endsong_0.json', exportFixtureBytes('endsong-skipped-null'));
    expect(job.status).toBe('done');
    const s = await stats(t, token);
    const nullSkipped = entries.filter((e) => e.skipped === null);
    // fwdbtn and backbtn: skipped; trackdone: not (skipFromReasonEnd).
    const skips = entries.filter((e) => e.skipped === true || (e.skipped === null && ['fwdbtn', 'backbtn'].includes(e.reason_end as string)));
    expect(s.skip_coverage).toEqual({ entries: entries.length, known: entries.length, from_reason_end: nullSkipped.length });
    expect(s.skip_rate).toBeCloseTo(skips.length / entries.length, 10);
    expect(s.shuffle_coverage).toEqual({ entries: entries.length, known: entries.length });
    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const page = (await agent.get('/history').expect(200)).text;
    expect(page).toContain(`of ${entries.length} of ${entries.length} entries; for ${nullSkipped.length} the export had no skip flag and we read it from why the play ended`);
    // Re-importing adds nothing: a skip read from reason_end is not a fact of identity.
    expect((await upload(t, token, 'endsong_0.json', exportFixtureBytes('endsong-skipped-null'))).plays_added).toBe(0);
  });

  it('an entry whose reason_end says nothing (logout) stays unknown and the rate is based on fewer entries than there are', async () => {
    const token = await tokenFor(t, 'marcus.demo');
    const entries = loadExportFixture('endsong-skipped-null').map((e) => ({ ...e, skipped: null, reason_end: e.reason_end === 'trackdone' ? 'logout' : e.reason_end }));
    await upload(t, token, 'endsong_1.json', JSON.stringify(entries));
    const s = await stats(t, token);
    const known = entries.filter((e) => e.reason_end !== 'logout').length;
    expect(known).toBeLessThan(entries.length);
    expect(s.skip_coverage).toEqual({ entries: entries.length, known, from_reason_end: known });
    expect(s.skip_rate).toBe(1); // every entry that says anything was a fwdbtn/backbtn
  });
});
