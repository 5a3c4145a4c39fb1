import request from 'supertest';
import { HistoryStatsService } from '../../src/history/HistoryStatsService';
import { groupByDay } from '../../src/history/dayCodec';
import { mergeDays } from '../../src/history/mergeDays';
import type { Play } from '../../src/history/play';
import { buildSyntheticCatalog, generateListeningHistory } from '../../src/sandbox';
import { accountId } from '../../src/sandbox/objects';
import { HistoryRepository, splitText } from '../../src/store/HistoryRepository';
import { PodcastChoiceRepository } from '../../src/store/PodcastChoiceRepository';
import { startTestApp, type TestApp } from '../helpers/harness';
import { stats, tokenFor, upload } from '../helpers/history';

jest.setTimeout(180_000);

/**
 * The all-time statistics stored at write time (HistoryStatsService.refresh) answer exactly what
 * the computation over every day answers, and are refreshed by every kind of write.
 */
describe('all-time statistics kept at write time', () => {
  let t: TestApp;
  let repo: HistoryRepository;
  let token: string;
  const userId = accountId('ava.demo');
  const entries = [...generateListeningHistory('ava.demo', { plays: 6000, years: 3, catalog: buildSyntheticCatalog() })];

  /** Today's path: no stored aggregate, no cached answers; every day decoded. */
  const full = (q: { from?: string; to?: string; tz?: string } = {}) => {
    const noAggregate = Object.assign(Object.create(repo) as HistoryRepository, { getStatsAggregate: async () => null });
    const choices = new PodcastChoiceRepository(t.store);
    return new HistoryStatsService(noAggregate, (id) => t.services.profiles.user(id), (id) => choices.get(id)).stats(userId, q);
  };
  const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  const queries: Record<string, string>[] = [
    {},
    { tz: 'America/New_York' },
    { tz: 'Asia/Kolkata' },
    { tz: 'Australia/Lord_Howe', from: '2024-01-01' },
    { from: '2023-03-01', to: '2023-11-30' },
    { tz: 'Europe/Berlin', from: '2022-10-30', to: '2023-03-26' },
  ];
  /** Every query over HTTP equals today's computation; the stored aggregate is at the current version. */
  const expectExact = async () => {
    for (const q of queries) expect(await stats(t, token, q)).toEqual(json(await full(q)));
    const [agg, meta] = await Promise.all([repo.getStatsAggregate(userId), repo.meta(userId)]);
    expect(agg?.version).toBe(meta.version);
    expect(JSON.parse(agg!.body)).toEqual(json(await full()));
  };
  /** A restarted process: nothing in memory; the all-time answer must come from the stored aggregate, not the days. */
  const coldAllTime = async () => {
    t.services.historyStats.forget(userId);
    const allDays = jest.spyOn(HistoryRepository.prototype, 'allDays');
    try {
      const body = await stats(t, token);
      expect(allDays).not.toHaveBeenCalled();
      return body;
    } finally {
      allDays.mockRestore();
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
    repo = new HistoryRepository(t.store);
    token = await tokenFor(t, 'ava.demo');
  });
  afterAll(() => t.close());

  it('after an import, serves all-time stats from the stored aggregate, identical to the full computation for every zone and range', async () => {
    const job = await upload(t, token, 'Streaming_History_Audio_2021-2023_0.json', JSON.stringify(entries.slice(0, 4000)));
    expect(job.status).toBe('done');
    const agg = await repo.getStatsAggregate(userId);
    expect(agg).not.toBeNull();
    expect(agg!.version).toBe((await repo.meta(userId)).version);
    await expectExact();
    expect(await coldAllTime()).toEqual(json(await full()));
  });

  it('a second, overlapping import refreshes it', async () => {
    const before = await stats(t, token);
    const job = await upload(t, token, 'Streaming_History_Audio_2023-2024_1.json', JSON.stringify(entries.slice(3000)));
    expect(job.plays_added).toBeGreaterThan(0);
    const after = await coldAllTime();
    expect(after.entries).toBeGreaterThan(before.entries);
    await expectExact();
    secondJob = job.id;
  });
  let secondJob = '';

  it('an undo refreshes it', async () => {
    const before = await stats(t, token);
    const res = await request(t.url).delete(`/api/me/history/imports/${secondJob}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body.status).toBe('undone');
    const after = await stats(t, token);
    expect(after.entries).toBeLessThan(before.entries);
    await expectExact();
    expect(await coldAllTime()).toEqual(after);
  });

  it('a capture-like merge (mergeDays, bumpVersion, then the changed hook as live capture calls it) refreshes it', async () => {
    const before = await stats(t, token);
    const plays: Play[] = [0, 1, 2].map((k) => ({
      ts: Date.parse('2025-02-01T12:00:00Z') + k * 300_000, kind: 'music', name: `Captured ${k}`, artist: 'Capture Band', album: null, trackId: null,
      ms: 200_000, skipped: null, shuffle: null, offline: null, incognito: null, platform: 'spotify-api', country: null,
    }));
    const { added } = await mergeDays(repo, userId, groupByDay(plays));
    expect(added).toBe(3);
    await repo.bumpVersion(userId);
    t.services.historyStats.changed(userId);
    const after = await stats(t, token);
    expect(after.plays).toBe(before.plays + 3);
    await expectExact();
    expect(await coldAllTime()).toEqual(after);
  });

  it('stores a large document in parts under the item limit, never splitting a surrogate pair; a smaller rewrite replaces it whole', async () => {
    expect(splitText('ab\u{1F3B5}cd', 3)).toEqual(['ab', '\u{1F3B5}c', 'd']);
    const other = 'aggregate-parts-user';
    const body = JSON.stringify({ names: Array.from({ length: 40_000 }, (_, i) => `Käpt’n ${i} \u{1F3B5}`) });
    expect(body.length).toBeGreaterThan(3 * 80_000);
    await repo.putStatsAggregate(other, { version: 7, tag: 'x', body });
    expect(await repo.getStatsAggregate(other)).toEqual({ version: 7, tag: 'x', body });
    await repo.putStatsAggregate(other, { version: 8, tag: 'y', body: '{"small":true}' });
    expect(await repo.getStatsAggregate(other)).toEqual({ version: 8, tag: 'y', body: '{"small":true}' });
  });

  it('a change of the person\'s zone or rules is never answered from an aggregate of other settings', async () => {
    const users = t.services.users;
    await users.setTimeZone(userId, 'Pacific/Auckland');
    await users.setCountingRules(userId, { min_play_seconds: 90, skipped: 'time_only', offline: 'count', incognito: 'count' });
    t.services.historyStats.forget(userId);
    const body = await stats(t, token);
    expect(body.time_zone).toBe('Pacific/Auckland');
    expect(body).toEqual(json(await full()));
    await expectExact();
    expect(await coldAllTime()).toEqual(body);
  });
});
