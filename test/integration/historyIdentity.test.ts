import { encodeDay, groupByDay } from '../../src/history/dayCodec';
import { toPlay } from '../../src/history/import/exportFormats';
import type { Play } from '../../src/history/play';
import { buildSyntheticCatalog, generateListeningHistory } from '../../src/sandbox';
import { accountId } from '../../src/sandbox/objects';
import { HistoryRepository } from '../../src/store/HistoryRepository';
import { exportFixtureBytes, loadExportFixture } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/harness';
import { stats, tokenFor, upload } from '../helpers/history';

jest.setTimeout(120_000);

/** The rule this project used before issue 11: same track ending in the same minute, first in file order wins. */
const oldKey = (p: Play) => `${Math.floor(p.ts / 60_000)}|${p.kind[0]}|${p.artist.toLowerCase()}|${p.name.toLowerCase()}`;
function oldRule(plays: Play[]): Play[] {
  const seen = new Set<string>();
  return plays.filter((p) => !seen.has(oldKey(p)) && seen.add(oldKey(p)));
}

describe('play identity through the upload path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('same-minute-replay: both plays are kept (the 0.4 s skip and the 124 s replay); re-importing adds 0', async () => {
    const token = await tokenFor(t, 'ava.demo');
    const job = await upload(t, token, 'StreamingHistory_music_0.json', exportFixtureBytes('same-minute-replay'));
    expect(job).toMatchObject({ status: 'done', plays_read: 2, plays_added: 2 });
    const s = await stats(t, token);
    expect(s.entries).toBe(2);
    expect(s.ms_played).toBe(412 + 124_000);
    expect(s.plays).toBe(1); // the fragment is listening time, not a play (under 30 s)
    const again = await upload(t, token, 'StreamingHistory_music_0.json', exportFixtureBytes('same-minute-replay'));
    expect(again).toMatchObject({ status: 'done', plays_read: 2, plays_added: 0 });
    expect((await stats(t, token)).entries).toBe(2);
  });

  it('same-second-distinct: extended entries sharing one ts but differing in ms, platform or offline time are all kept', async () => {
    const token = await tokenFor(t, 'marcus.demo');
    const fixture = loadExportFixture('same-second-distinct');
    const job = await upload(t, token, 'Streaming_History_Audio_2024_1.json', exportFixtureBytes('same-second-distinct'));
    expect(job).toMatchObject({ status: 'done', plays_added: fixture.length });
    const s = await stats(t, token);
    expect(s.entries).toBe(fixture.length);
    expect(s.ms_played).toBe(fixture.reduce((sum, e) => sum + (e.ms_played as number), 0));
    expect((await upload(t, token, 'Streaming_History_Audio_2024_1.json', exportFixtureBytes('same-second-distinct'))).plays_added).toBe(0);
  });

  it('a generated extended export where the old rule lost plays imports with every play; account data of the same plays adds none', async () => {
    const entries = [...generateListeningHistory('rin.demo', { plays: 20_000, years: 3, catalog: buildSyntheticCatalog(), end: Date.UTC(2026, 0, 1) })];
    const music = entries.map((e) => toPlay('extended', e as unknown as Record<string, unknown>)).filter((p): p is Play => p !== null && p.kind === 'music');
    expect(oldRule(music).length).toBeLessThan(music.length); // the export has plays the old rule merged
    const token = await tokenFor(t, 'rin.demo');
    const job = await upload(t, token, 'Streaming_History_Audio_2023-2025_0.json', JSON.stringify(entries));
    expect(job).toMatchObject({ status: 'done', plays_read: music.length, plays_added: music.length });
    // Private-session plays are left out by the default counting rules.
    const counted = music.filter((p) => !p.incognito).length;
    expect((await stats(t, token)).entries).toBe(counted);
    // The same plays as minute-precision account data: each pairs with its extended copy.
    const asAccount = entries.filter((e) => e.master_metadata_track_name).map((e) => ({
      endTime: e.ts.slice(0, 16).replace('T', ' '), artistName: e.master_metadata_album_artist_name, trackName: e.master_metadata_track_name, msPlayed: e.ms_played,
    }));
    const account = await upload(t, token, 'StreamingHistory_music_0.json', JSON.stringify(asAccount));
    expect(account).toMatchObject({ status: 'done', plays_read: music.length, plays_added: 0 });
    expect((await stats(t, token)).entries).toBe(counted);
  });

  it('a history stored under the old rule gets its lost plays back by re-importing the original files, and nothing doubles', async () => {
    const token = await tokenFor(t, 'newcomer.demo');
    const userId = accountId('newcomer.demo');
    const files = [exportFixtureBytes('same-minute-replay'), exportFixtureBytes('same-second-distinct')];
    const parsed = [
      ...loadExportFixture('same-minute-replay').map((e) => toPlay('account', e)!),
      ...loadExportFixture('same-second-distinct').map((e) => toPlay('extended', e)!),
    ];
    const stored = oldRule(parsed);
    expect(stored.length).toBeLessThan(parsed.length);
    // Stored as the old import stored them: the day items hold the first play of each minute.
    const repo = new HistoryRepository(t.store);
    await repo.putDays(userId, [...groupByDay(stored)].map(([date, plays]) => ({ date, item: encodeDay(date, plays) })));
    await repo.bumpVersion(userId);
    expect((await stats(t, token)).entries).toBe(stored.length);

    const a = await upload(t, token, 'StreamingHistory_music_0.json', files[0]);
    const b = await upload(t, token, 'Streaming_History_Audio_2024_1.json', files[1]);
    expect(a.plays_added + b.plays_added).toBe(parsed.length - stored.length);
    const s = await stats(t, token);
    expect(s.entries).toBe(parsed.length);
    expect(s.ms_played).toBe(parsed.reduce((sum, p) => sum + p.ms, 0));
  });
});
