import request from 'supertest';
import { DEFAULT_RULES } from '../../src/history/countingRules';
import { playKey } from '../../src/history/play';
import { playFromRecent } from '../../src/spotify/mappers';
import { buildCaptureService } from '../../src/buildServices';
import { startSandbox } from '../../src/sandbox';
import { accountId } from '../../src/sandbox/objects';
import type { LiveCaptureOptions, LiveCaptureService } from '../../src/services/LiveCaptureService';
import { CaptureRepository } from '../../src/store/CaptureRepository';
import { HistoryRepository } from '../../src/store/HistoryRepository';
import { startEmbeddedDynamo } from '../../src/store/embedded';
import { getStats, resetStats } from '../helpers/catalog';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(60_000);

const RECENT = 'GET /v1/me/player/recently-played';
type Agent = ReturnType<TestApp['agent']>;
type RecentItem = { played_at: string; track: { name: string; duration_ms: number; artists: { name: string }[] } };

const services = (t: TestApp) => t.services;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A capture service with a test pace: due users are polled at the first tick. */
function scheduler(t: TestApp, opts: Partial<LiveCaptureOptions> = {}): LiveCaptureService {
  return buildCaptureService(t.config, services(t), { tickMs: 100, intervalMs: 60_000, leaseMs: 1500, spreadMs: 0, ...opts });
}

async function loggedIn(t: TestApp, listener: string): Promise<{ agent: Agent; userId: string }> {
  const agent = t.agent();
  await login(t, agent, listener);
  return { agent, userId: accountId(listener) };
}

/** The oracle: what the sandbox holds as the user's recent plays (asked directly, then the stats are reset). */
async function sandboxRecent(t: TestApp, userId: string): Promise<RecentItem[]> {
  const tokens = await services(t).users.getTokens(userId);
  const res = await request(t.sandbox.url).get('/v1/me/player/recently-played').query({ limit: 50 }).set('Authorization', `Bearer ${tokens!.accessToken}`).expect(200);
  await resetStats(t.sandbox.url);
  return res.body.items as RecentItem[];
}

/** How many plays the history should gain from these items: one per exact play (playKey); counted by the default rules. */
function expectedFrom(items: RecentItem[]): { added: number; counted: number } {
  const plays = items.map((i) => playFromRecent(i as unknown as SpotifyApi.PlayHistoryObject)!);
  const unique = new Map(plays.map((p) => [playKey(p), p]));
  return { added: unique.size, counted: [...unique.values()].filter((p) => p.ms >= DEFAULT_RULES.min_play_seconds * 1000).length };
}

const recentRequests = async (t: TestApp) => (await getStats(t.sandbox.url)).by_endpoint[RECENT] ?? 0;
const historyPlays = async (agent: Agent) => (await agent.get('/api/me/history/stats').expect(200)).body.plays as number;
const captureState = async (agent: Agent) => (await agent.get('/api/me/capture').expect(200)).body;
/** Makes a user due now, as if their slot had come. */
const makeDue = (t: TestApp, userId: string) => new CaptureRepository(t.store).setEnabled(userId, true, Date.now() - 1);

describe('live capture into the history store', () => {
  let t: TestApp;
  let ava: { agent: Agent; userId: string };
  let capture: LiveCaptureService;
  beforeAll(async () => {
    t = await startTestApp();
    ava = await loggedIn(t, 'ava.demo');
    // Users enrolled here get first slots spread over a day: only those made due below are polled by a tick.
    capture = scheduler(t, { spreadMs: 24 * 3600_000 });
  });
  afterAll(() => t.close());

  it('a capture adds the recent plays to the history: the stats go up by the plays that were new', async () => {
    const state = await captureState(ava.agent);
    expect(state).toMatchObject({ enabled: true, last_run_at: null, last_added: null, interval_minutes: 30 });
    const items = await sandboxRecent(t, ava.userId);
    expect(items.length).toBe(50);
    const want = expectedFrom(items);
    const before = await historyPlays(ava.agent);

    const result = await capture.captureUser(ava.userId);
    expect(result).toMatchObject({ fetched: 50, added: want.added });
    expect(await historyPlays(ava.agent)).toBe(before + want.counted);
    const stats = (await ava.agent.get('/api/me/history/stats').expect(200)).body;
    expect(stats.platforms.map((p: { name: string }) => p.name)).toEqual(['spotify-api']);
    expect(await recentRequests(t)).toBe(1);

    const after = await captureState(ava.agent);
    const newest = Math.max(...items.map((i) => Date.parse(i.played_at)));
    expect(after).toMatchObject({ enabled: true, last_added: want.added, last_error: null, cursor: new Date(newest).toISOString() });
    expect(Date.parse(after.last_run_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('capturing again adds nothing: the sandbox honours after=<cursor> and returns no plays', async () => {
    const before = await historyPlays(ava.agent);
    await resetStats(t.sandbox.url);
    const result = await capture.captureUser(ava.userId);
    expect(result).toMatchObject({ fetched: 0, added: 0 });
    expect(await historyPlays(ava.agent)).toBe(before);
    expect(await recentRequests(t)).toBe(1);
    expect((await captureState(ava.agent)).last_added).toBe(0);
  });

  it('merges with imported history without duplicates: a captured play pairs with the imported play of its track ending in the same minute, in either order', async () => {
    // Export first (the demo export, then the recent plays in the minute-precision account format), capture second.
    const marcus = await loggedIn(t, 'marcus.demo');
    const page = await marcus.agent.get('/history').expect(200);
    await marcus.agent.post('/history/demo-import').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    await services(t).historyImports.idle();
    const items = await sandboxRecent(t, marcus.userId);
    const asAccountData = (list: RecentItem[]) => JSON.stringify(list.map((i) => ({
      endTime: i.played_at.slice(0, 16).replace('T', ' '), // the same minute, seconds dropped
      artistName: i.track.artists[0].name, trackName: i.track.name, msPlayed: i.track.duration_ms,
    })));
    const token = await createApiToken(marcus.agent, 'import');
    await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`)
      .attach('file', Buffer.from(asAccountData(items)), 'StreamingHistory_music_0.json').expect(202);
    await services(t).historyImports.idle();
    const imported = await historyPlays(marcus.agent);
    expect(imported).toBeGreaterThan(1000);

    const result = await capture.captureUser(marcus.userId);
    expect(result).toMatchObject({ fetched: 50, added: 0 });
    expect(await historyPlays(marcus.agent)).toBe(imported);

    // Capture first (Ava, above), export second: the import adds none of the captured plays.
    const avaItems = await sandboxRecent(t, ava.userId);
    const avaToken = await createApiToken(ava.agent, 'import');
    const before = await historyPlays(ava.agent);
    const job = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${avaToken}`)
      .attach('file', Buffer.from(asAccountData(avaItems)), 'StreamingHistory_music_0.json').expect(202);
    await services(t).historyImports.idle();
    const done = (await request(t.url).get(`/api/me/history/imports/${job.body.id}`).set('Authorization', `Bearer ${avaToken}`).expect(200)).body;
    expect(done).toMatchObject({ status: 'done', plays_read: 50, plays_added: 0 });
    expect(await historyPlays(ava.agent)).toBe(before);
  });

  it('does not poll users who turned capture off, and the settings page switches it', async () => {
    const rin = await loggedIn(t, 'rin.demo');
    const settings = await rin.agent.get('/settings').expect(200);
    expect(settings.text).toContain('id="capture"');
    expect(settings.text).toContain('Turn live capture off');
    await rin.agent.post('/settings/capture').type('form').send({ _csrf: csrfFrom(settings.text), enabled: 'false' }).expect(303);
    expect(await captureState(rin.agent)).toMatchObject({ enabled: false, next_run_at: null });
    const off = await rin.agent.get('/settings').expect(200);
    expect(off.text).toContain('Turn live capture on');
    expect(off.text).not.toContain('id="capture-now"');

    await makeDue(t, ava.userId);
    await resetStats(t.sandbox.url);
    await capture.tick();
    expect(await recentRequests(t)).toBe(1); // Ava only
    expect(await captureState(rin.agent)).toMatchObject({ enabled: false, last_run_at: null });
    await rin.agent.post('/settings/capture/now').type('form').send({ _csrf: csrfFrom(off.text) }).expect(409);
    expect(await recentRequests(t)).toBe(1);

    // A script turns it back on with a personal token; "capture now" then polls.
    const token = await createApiToken(rin.agent, 'script');
    await request(t.url).put('/api/me/capture').set('Authorization', `Bearer ${token}`).send({ enabled: 'yes' }).expect(400);
    const on = await request(t.url).put('/api/me/capture').set('Authorization', `Bearer ${token}`).send({ enabled: true }).expect(200);
    expect(on.body).toMatchObject({ enabled: true, next_run_at: expect.any(String) });
    const page = await rin.agent.get('/settings').expect(200);
    await rin.agent.post('/settings/capture/now').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect(await recentRequests(t)).toBe(2);
    const shown = await rin.agent.get('/settings').expect(200);
    expect(shown.text).toMatch(/id="capture-last-added">\d+</);
    // Without a session or token: 401; a form post without its CSRF token: 403.
    await request(t.url).get('/api/me/capture').expect(401);
    await rin.agent.post('/settings/capture').type('form').send({ enabled: 'false' }).expect(403);
  });

  it('deleteAllForUser removes the state and the index entry', async () => {
    const repo = new CaptureRepository(t.store);
    await makeDue(t, ava.userId);
    await repo.deleteAllForUser(ava.userId);
    expect(await repo.get(ava.userId)).toBeNull();
    expect((await repo.dueUsers(Date.now())).map((u) => u.userId)).not.toContain(ava.userId);
  });

  // Needs captureRouter mounted before pagesRouter/historyRouter in src/app.ts (they answer /dashboard
  // and /history without calling next()). Until then this documents the gap; drop `.failing` then.
  it('enrolls a person on their first /history visit (capture is on by default)', async () => {
    const newcomer = await loggedIn(t, 'newcomer.demo');
    await newcomer.agent.get('/history').expect(200);
    const due = await new CaptureRepository(t.store).dueUsers(Date.now() + 3600_000);
    expect(due.map((u) => u.userId)).toContain(newcomer.userId);
  });

  it('steps aside while another writer (an import merge in another process, an undo) holds the person\'s writer lease; the next poll, after its release, goes on', async () => {
    const ava = await loggedIn(t, 'ava.demo');
    const history = new HistoryRepository(t.store);
    await capture.ensureEnrolled(ava.userId);
    const cursor = (await new CaptureRepository(t.store).get(ava.userId))?.cursor ?? null;
    const versionBefore = (await history.meta(ava.userId)).version;
    const lease = history.writerLease(ava.userId);
    expect(await lease.acquire('another-process', 60_000)).toBe(true);
    const deferred = await capture.captureUser(ava.userId);
    expect(deferred).toMatchObject({ added: 0, deferred: true, cursor });
    expect((await new CaptureRepository(t.store).get(ava.userId))?.cursor ?? null).toBe(cursor);
    expect((await history.meta(ava.userId)).version).toBe(versionBefore);
    await lease.release('another-process');
    const after = await capture.captureUser(ava.userId);
    expect(after.deferred).toBeUndefined();
    expect(after.fetched).toBeGreaterThan(0);
    // Released after the write: the next writer can take it at once.
    expect(await lease.acquire('next-writer', 1000)).toBe(true);
    await lease.release('next-writer');
  });

  it('waits while an import of the person is writing, so neither overwrites the other; the plays come on the next poll', async () => {
    const rin = await loggedIn(t, 'rin.demo');
    const history = new HistoryRepository(t.store);
    const now = new Date().toISOString();
    const job = { id: '00000000-0000-4000-8000-000000000001', status: 'running' as const, file_name: 'x.json', plays_read: 0, plays_added: 0, episodes_read: 0, files: [], error: null, created_at: now, updated_at: now, finished_at: null };
    await history.putJob(rin.userId, job);
    await capture.ensureEnrolled(rin.userId);
    const cursor = (await new CaptureRepository(t.store).get(rin.userId))?.cursor ?? null;
    await resetStats(t.sandbox.url);
    const deferred = await capture.captureUser(rin.userId);
    expect(deferred).toMatchObject({ fetched: 0, added: 0, deferred: true, cursor });
    expect(await recentRequests(t)).toBe(0);
    expect((await new CaptureRepository(t.store).get(rin.userId))?.cursor ?? null).toBe(cursor);
    await history.updateJob(rin.userId, job.id, { status: 'done' });
    const after = await capture.captureUser(rin.userId);
    expect(after.deferred).toBeUndefined();
    expect(await recentRequests(t)).toBeGreaterThan(0);
  });
});

describe('the capture scheduler across processes', () => {
  const listeners = ['ava.demo', 'marcus.demo', 'rin.demo'];

  it('two app instances over one dynalite: only the lease holder polls, each due user once; the other takes over when it stops', async () => {
    const sandbox = await startSandbox({ port: 0 });
    const dynamo = await startEmbeddedDynamo();
    const t1 = await startTestApp({ sandbox, dynamo });
    const t2 = await startTestApp({ sandbox, dynamo });
    const a = scheduler(t1);
    const b = scheduler(t2);
    try {
      const users = [];
      for (const l of listeners) users.push((await loggedIn(t1, l)).userId);
      for (const u of users) await makeDue(t1, u);
      await resetStats(sandbox.url);

      await Promise.all([a.tick(), b.tick()]);
      expect(await recentRequests(t1)).toBe(3);
      const [holder, other] = a.counters.leaseTicks === 1 ? [a, b] : [b, a];
      expect(holder.counters).toMatchObject({ leaseTicks: 1, polls: 3 });
      expect(other.counters).toMatchObject({ leaseTicks: 0, polls: 0 });

      // Both tick on timers; nobody is due and the holder keeps the lease.
      a.start();
      b.start();
      await sleep(700);
      expect(await recentRequests(t1)).toBe(3);
      expect(other.counters.leaseTicks).toBe(0);
      expect(other.counters.ticks).toBeGreaterThan(3);

      // The holder stops (a pm2 worker exits): it hands the lease on and the other polls what is due.
      await holder.stop();
      for (const u of users) await makeDue(t1, u);
      for (let i = 0; i < 50 && (await recentRequests(t1)) < 6; i++) await sleep(100);
      expect(await recentRequests(t1)).toBe(6);
      expect(other.counters.polls).toBe(3);
      expect(holder.counters.polls).toBe(3);
    } finally {
      await a.stop();
      await b.stop();
      await t1.close();
      await t2.close();
      await dynamo.close();
      await sandbox.close();
    }
  });

  it('the schedule survives a restart: a new scheduler does not poll a user before next_run_at', async () => {
    const sandbox = await startSandbox({ port: 0 });
    const dynamo = await startEmbeddedDynamo();
    let t = await startTestApp({ sandbox, dynamo });
    let s = scheduler(t, { intervalMs: 3000 });
    try {
      const ava = await loggedIn(t, 'ava.demo');
      await makeDue(t, ava.userId);
      await resetStats(sandbox.url);
      await s.tick();
      expect(await recentRequests(t)).toBe(1);
      const next = Date.parse((await captureState(ava.agent)).next_run_at);
      expect(next).toBeGreaterThan(Date.now() + 1000);
      await s.stop();
      await t.close();

      t = await startTestApp({ sandbox, dynamo });
      s = scheduler(t, { intervalMs: 3000 });
      s.start();
      await sleep(Math.min(1000, next - Date.now() - 500));
      expect(s.counters.leaseTicks).toBeGreaterThan(2);
      expect(await recentRequests(t)).toBe(1);
      await sleep(next - Date.now() + 700);
      expect(await recentRequests(t)).toBe(2);
      expect(s.counters.polls).toBe(1);
    } finally {
      await s.stop();
      await t.close();
      await dynamo.close();
      await sandbox.close();
    }
  });

  it('waits out a 429 (Retry-After) instead of dropping the poll; a revoked user is recorded and the others are polled', async () => {
    // Tokens live 3 s: long enough that the ones refreshed at the tick outlast the 429's 1 s Retry-After
    // (a 1 s life made them expire during the wait, and the 401 and its retry added requests).
    const t = await startTestApp({ sandboxOptions: { tokenTtlSeconds: 3 } });
    const s = scheduler(t);
    try {
      const people = [];
      for (const l of listeners) people.push(await loggedIn(t, l));
      const [ava, marcus, rin] = people;
      for (const p of people) await makeDue(t, p.userId);
      t.sandbox.revokeListener('rin.demo');
      await sleep(3100); // access tokens expire: the next call must refresh, which fails for Rin
      await resetStats(t.sandbox.url);
      const rateLimitedBefore = services(t).spotify.http.stats.rateLimited;
      t.sandbox.faults.failNext(1, 429);

      await s.tick();
      expect(services(t).spotify.http.stats.rateLimited).toBe(rateLimitedBefore + 1);
      expect(await recentRequests(t)).toBe(3); // one 429, then Ava's and Marcus's polls
      for (const p of [ava, marcus]) {
        expect(await captureState(p.agent)).toMatchObject({ last_error: null, last_added: expect.any(Number) });
        expect((await captureState(p.agent)).last_added).toBeGreaterThan(0);
      }
      const rinState = (await new CaptureRepository(t.store).get(rin.userId))!;
      expect(rinState.last_error).toMatch(/log in again/i);
      expect(rinState.next_run_at).toBeGreaterThan(Date.now());

      // The loop lives on: the next tick polls whoever is due.
      await makeDue(t, ava.userId);
      await s.tick();
      expect(await recentRequests(t)).toBe(4);
    } finally {
      await s.stop();
      await t.close();
    }
  });
});
