import fs from 'node:fs';
import path from 'node:path';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import request from 'supertest';
import { buildCaptureService } from '../../src/buildServices';
import { accountId } from '../../src/sandbox/objects';
import { HistoryRepository } from '../../src/store/HistoryRepository';
import { APP_KEY } from '../../src/store/keys';
import { TombstoneRepository } from '../../src/store/TombstoneRepository';
import { startTestApp, type TestApp } from '../helpers/harness';
import { ext, stats, tokenFor, upload } from '../helpers/history';

jest.setTimeout(120_000);

/** A door the code under test waits at: `reached` resolves when the first caller arrives; everyone passes once `open()` is called. */
function door() {
  let arrive!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (open = r));
  return { reached, open, wait: async () => { arrive(); await opened; } };
}

async function appItems(t: TestApp): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await t.store.doc.send(new ScanCommand({ TableName: t.store.tables.app, ExclusiveStartKey: start }));
    items.push(...((page.Items as Record<string, unknown>[]) ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of the person: their partitions, their pending imports and capture index entry, anything naming them. */
async function itemsOf(t: TestApp, userId: string): Promise<Record<string, unknown>[]> {
  return (await appItems(t)).filter(
    (i) => i.pk === `USER#${userId}` || i.pk === `HIST#${userId}` || String(i.sk).startsWith(`${userId}#`) || i.sk === userId || JSON.stringify(i).includes(userId),
  );
}

/** Resolves once the deletion has begun (its tombstone is written) or `settled` resolves, whichever is first. */
async function deletionStarted(t: TestApp, userId: string, settled: Promise<unknown>): Promise<void> {
  let done = false;
  void settled.finally(() => (done = true));
  while (!done) {
    const out = await t.store.doc.send(new GetCommand({ TableName: t.store.tables.app, Key: APP_KEY.tombstone(userId), ConsistentRead: true }));
    if (out.Item) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

const deleteAccount = (t: TestApp, token: string) =>
  request(t.url).delete('/api/me').set('Authorization', `Bearer ${token}`).send({ confirm: 'DELETE' }).then((res) => res);

/** Plays spread over many days (one every 3 hours), so the import writes many day items. */
const playsOf = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ext(new Date(Date.UTC(2019, 0, 1) + i * 3 * 3600_000).toISOString().replace('.000', ''), `${tag} song ${i % 300}`, `${tag} artist ${i % 40}`, 180_000));

describe('deleting an account while an import runs is final', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('DELETE /api/me mid-import cancels the import and waits for it: no item of the person is left, and a new login starts empty', async () => {
    const userId = accountId('ava.demo');
    const token = await tokenFor(t, 'ava.demo');
    // The import is held at its first write of day items, so the deletion lands mid-import, deterministically.
    const held = door();
    const putDays = HistoryRepository.prototype.putDays;
    jest.spyOn(HistoryRepository.prototype, 'putDays').mockImplementation(async function (this: HistoryRepository, ...args) {
      await held.wait();
      return putDays.apply(this, args);
    });
    const started = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`)
      .attach('file', Buffer.from(JSON.stringify(playsOf(6000, 'a'))), 'Streaming_History_Audio_2019.json').expect(202);
    await held.reached;
    const uploads = path.join(t.config.dataDir, 'uploads');
    expect(fs.readdirSync(uploads).length).toBeGreaterThan(0);
    expect((await request(t.url).get(`/api/me/history/imports/${started.body.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body.status).toBe('running');

    const deleting = deleteAccount(t, token);
    await deletionStarted(t, userId, deleting);
    held.open(); // the held write goes on: the deletion must wait for it and sweep after it
    const res = await deleting;
    expect(res.status).toBe(200);
    expect(res.body.deleted).toBe(true);

    // Whatever the import service still does by itself (its end, a resume, a retry) brings nothing back.
    await t.services.historyImports.idle();
    expect(await t.services.historyImports.resumePending()).toEqual([]);
    await t.services.historyImports.idle();
    expect(await itemsOf(t, userId)).toEqual([]);
    expect(fs.readdirSync(uploads)).toEqual([]);
    expect(t.logs.some((l) => l.includes('history import cancelled'))).toBe(true);

    // The same Spotify user logs in again: a new, empty account, whose own imports are not blocked by the old deletion.
    jest.restoreAllMocks();
    const again = await tokenFor(t, 'ava.demo');
    expect((await stats(t, again)).plays).toBe(0);
    const job = await upload(t, again, 'Streaming_History_Audio_2019.json', JSON.stringify(playsOf(20, 'b')));
    expect(job).toMatchObject({ status: 'done', plays_added: 20 });
    expect((await stats(t, again)).plays).toBe(20);
  });

  it('a deletion queued behind a running import takes the queued one out of the queue too', async () => {
    const userId = accountId('marcus.demo');
    const token = await tokenFor(t, 'marcus.demo');
    const held = door();
    const putDays = HistoryRepository.prototype.putDays;
    jest.spyOn(HistoryRepository.prototype, 'putDays').mockImplementation(async function (this: HistoryRepository, ...args) {
      await held.wait();
      return putDays.apply(this, args);
    });
    const post = (n: number, tag: string) => request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`)
      .attach('file', Buffer.from(JSON.stringify(playsOf(n, tag))), `Streaming_History_Audio_${tag}.json`).expect(202);
    await post(3000, 'm1');
    await held.reached;
    const queued = (await post(50, 'm2')).body.id as string; // queued: one import of a person at a time
    const deleting = deleteAccount(t, token);
    await deletionStarted(t, userId, deleting);
    held.open();
    expect((await deleting).status).toBe(200);
    await t.services.historyImports.idle();
    await t.services.historyImports.resumePending();
    await t.services.historyImports.idle();
    expect(await itemsOf(t, userId)).toEqual([]);
    expect(fs.readdirSync(path.join(t.config.dataDir, 'uploads'))).toEqual([]);
    // The queued job never ran.
    expect(t.logs.filter((l) => l.includes('history import done') && l.includes(queued))).toEqual([]);
  });

  it('resumePending drops a job of an account deleted after the job was created (another worker is mid-deletion): not resumed, its upload and records go', async () => {
    const userId = accountId('rin.demo');
    await tokenFor(t, 'rin.demo');
    const { historyImports } = t.services;
    const repo = new HistoryRepository(t.store);
    const uploadPath = historyImports.uploadPath();
    fs.writeFileSync(uploadPath, JSON.stringify(playsOf(10, 'r')));
    const jobId = '00000000-0000-4000-8000-0000000000aa';
    const stale = new Date(Date.now() - 3600_000).toISOString();
    await repo.putJob(userId, {
      id: jobId, status: 'running', file_name: 'x.json', plays_read: 0, plays_added: 0, episodes_read: 0, files: [], error: null,
      created_at: stale, updated_at: stale, finished_at: null,
    });
    await repo.addPending(userId, jobId, uploadPath, 'x.json');
    // Another process began deleting the account and has not swept yet.
    await new TombstoneRepository(t.store).mark(userId);
    expect(await historyImports.resumePending()).toEqual([]);
    await historyImports.idle();
    expect(await repo.getJob(userId, jobId)).toBeNull();
    expect((await repo.pendingJobs()).map((p) => p.jobId)).not.toContain(jobId);
    expect(fs.existsSync(uploadPath)).toBe(false);
    expect(await repo.dayDates(userId)).toEqual(new Set());
  });
});

describe('deleting an account while live capture runs is final', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  /** Holds polls after Spotify answered (the plays fetched, about to be written) until the door opens. */
  function holdRecent(spotify: TestApp['services']['spotify']) {
    const held = door();
    const recent = spotify.recentlyPlayed.bind(spotify);
    jest.spyOn(spotify, 'recentlyPlayed').mockImplementation(async (...args: Parameters<typeof recent>) => {
      const answer = await recent(...args);
      await held.wait();
      return answer;
    });
    return held;
  }

  it('a poll in flight in this process is waited for and writes nothing; no capture item is left', async () => {
    const userId = accountId('ava.demo');
    const token = await tokenFor(t, 'ava.demo');
    expect((await request(t.url).get('/api/me/capture').set('Authorization', `Bearer ${token}`).expect(200)).body.enabled).toBe(true);
    const held = holdRecent(t.services.spotify);
    const polling = t.services.capture.captureUser(userId);
    await held.reached;
    const deleting = deleteAccount(t, token);
    await deletionStarted(t, userId, deleting);
    held.open();
    expect((await deleting).status).toBe(200);
    expect(await polling).toMatchObject({ added: 0 });
    // A scheduler tick afterwards finds nobody to poll.
    await t.services.capture.tick();
    expect(await itemsOf(t, userId)).toEqual([]);
  });

  it("another worker's poll that started before the deletion writes nothing when it ends after it (the tombstone rule)", async () => {
    const userId = accountId('marcus.demo');
    const token = await tokenFor(t, 'marcus.demo');
    await request(t.url).get('/api/me/capture').set('Authorization', `Bearer ${token}`).expect(200);
    // A second capture service stands in for another pm2 worker: the deletion cannot cancel it or wait for it.
    const other = buildCaptureService(t.config, t.services, { tickMs: 100, intervalMs: 60_000, spreadMs: 0 });
    const held = holdRecent(t.services.spotify);
    const polling = other.captureUser(userId);
    await held.reached;
    expect((await deleteAccount(t, token)).status).toBe(200);
    held.open();
    expect(await polling).toMatchObject({ added: 0 });
    expect(await itemsOf(t, userId)).toEqual([]);

    // A new login of the same person captures again (the new account started after the deletion).
    jest.restoreAllMocks();
    await tokenFor(t, 'marcus.demo');
    const fresh = await t.services.capture.captureUser(userId);
    expect(fresh.added).toBeGreaterThan(0);
  });
});
