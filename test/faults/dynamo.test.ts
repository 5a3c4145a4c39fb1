import request from 'supertest';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { startDynamoFaultProxy } from '../helpers/dynamoFaultProxy';
import { createApiToken, login, startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(180_000);

/** Plays of a small extended-history export, made here. */
function exportOf(n: number): string {
  const start = Date.UTC(2023, 0, 1);
  const plays = Array.from({ length: n }, (_, i) => ({
    ts: new Date(start + i * 47 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    ms_played: 60_000 + (i % 7) * 10_000,
    master_metadata_track_name: `Track ${i % 50}`,
    master_metadata_album_artist_name: `Artist ${i % 9}`,
    master_metadata_album_album_name: `Album ${i % 13}`,
    spotify_track_uri: null,
    episode_name: null,
    episode_show_name: null,
    platform: 'android',
    conn_country: 'SE',
    shuffle: i % 3 === 0,
    skipped: i % 11 === 0,
  }));
  return JSON.stringify(plays);
}

describe('DynamoDB faults: throttling, exceeded throughput, partial batches', () => {
  let dynamo: EmbeddedDynamo;
  let proxy: Awaited<ReturnType<typeof startDynamoFaultProxy>>;
  let t: TestApp;
  const faults = { throttle: 0.1, throughput: 0.1, partialBatch: 0.5 };
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    proxy = await startDynamoFaultProxy(dynamo.endpoint, faults);
    t = await startTestApp({ dynamo: { endpoint: proxy.endpoint, close: async () => undefined } });
  });
  afterAll(async () => {
    await t.close();
    await proxy.close();
    await dynamo.close();
  });

  it('ingests the largest artist completely, identical to a clean run', async () => {
    const clean = await startTestApp();
    const id = clean.sandbox.catalog.notable.largestArtistId;
    const reference = (await request(clean.url).get(`/api/artists/${id}`).expect(200)).body;
    await clean.close();

    const before = { ...proxy.counts };
    const res = await request(t.url).get(`/api/artists/${id}`).expect(200);
    expect(res.body.complete).toBe(true);
    expect(res.body.tracks.length).toBe(reference.tracks.length);
    // Read back from DynamoDB itself (not the in-process cache), with faults off.
    proxy.setEnabled(false);
    const other = await startTestApp({ sandbox: t.sandbox, dynamo: { endpoint: dynamo.endpoint, close: async () => undefined } });
    const stored = (await request(other.url).get(`/api/artists/${id}`).expect(200)).body;
    await other.close();
    proxy.setEnabled(true);
    const strip = (tracks: Record<string, unknown>[]) => tracks.map((x) => ({ ...x, spotify_url: null }));
    expect(strip(stored.tracks)).toEqual(strip(reference.tracks));
    const injected = proxy.counts.throttled + proxy.counts.throughputExceeded - before.throttled - before.throughputExceeded;
    console.log(
      `artist ingest under DynamoDB faults: ${proxy.counts.requests - before.requests} requests, ${injected} throttling errors retried by the SDK, ` +
        `${proxy.counts.partialBatches - before.partialBatches} partial batches with ${proxy.counts.unprocessedReturned - before.unprocessedReturned} unprocessed items retried, ` +
        `${stored.tracks.length + stored.albums.length} items written`,
    );
    expect(injected).toBeGreaterThan(0);
    expect(proxy.counts.partialBatches - before.partialBatches).toBeGreaterThan(0);
  });

  it('answers 503 database_busy with Retry-After when DynamoDB stays throttled through every retry', async () => {
    faults.throttle = 1;
    try {
      const res = await request(t.url).get('/api/artists/0123456789abcdefABCDEF/status').expect(503);
      expect(res.body.error.code).toBe('database_busy');
      expect(res.headers['retry-after']).toBe('2');
    } finally {
      faults.throttle = 0.1;
    }
  });

  it('imports a history export with nothing lost and nothing doubled', async () => {
    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const token = await createApiToken(agent, 'faults');
    const before = { ...proxy.counts };
    const up = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).attach('file', Buffer.from(exportOf(3000)), 'Streaming_History_Audio_2023.json').expect(202);
    await t.services.historyImports.idle();
    const job = (await request(t.url).get(`/api/me/history/imports/${up.body.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    expect(job).toMatchObject({ status: 'done', plays_read: 3000, plays_added: 3000 });
    const stats = (await request(t.url).get('/api/me/history/stats').set('Authorization', `Bearer ${token}`).expect(200)).body;
    expect(stats.entries).toBe(3000);
    console.log(
      `history import under DynamoDB faults: ${proxy.counts.throttled + proxy.counts.throughputExceeded - before.throttled - before.throughputExceeded} throttling errors, ` +
        `${proxy.counts.partialBatches - before.partialBatches} partial batches, 3000 plays written once`,
    );
  });

  it('an import the database keeps refusing pauses, says when it continues, and resumes from its checkpoint', async () => {
    const paused = await startTestApp({ dynamo: { endpoint: proxy.endpoint, close: async () => undefined }, sandbox: t.sandbox, tuning: { importRetryMs: 1500 } });
    const saved = { ...faults };
    try {
      const agent = paused.agent();
      await login(paused, agent, 'rin.demo');
      const token = await createApiToken(agent, 'pause');
      Object.assign(faults, { throttle: 0, throughput: 0, partialBatch: 0 });
      // Six batches: merges run side by side, so when the checkpoint first moves some are still to be written.
      const n = 150_000;
      const up = await request(paused.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).attach('file', Buffer.from(exportOf(n)), 'Streaming_History_Audio_2023.json').expect(202);
      const job = () => request(paused.url).get(`/api/me/history/imports/${up.body.id}`).set('Authorization', `Bearer ${token}`).expect(200).then((r) => r.body);
      // Once some batches are written, every BatchWriteItem is throttled until the SDK gives up.
      for (let i = 0; i < 400 && !((await job()).checkpoint > 0); i++) await new Promise((r) => setTimeout(r, 25));
      Object.assign(faults, { throttle: 1, only: ['BatchWriteItem'] });
      let j = await job();
      // Bounded wait (not a timing assertion): the SDK's eight backed-off attempts take longer on a busy machine.
      for (let i = 0; i < 1500 && j.status !== 'waiting'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        j = await job();
      }
      expect(j.status).toBe('waiting');
      expect(Date.parse(j.resume_at)).toBeGreaterThan(Date.now() - 2000);
      expect(j.checkpoint).toBeGreaterThan(0);
      const checkpoint = j.checkpoint;
      faults.throttle = 0;
      delete (faults as { only?: string[] }).only;
      // The paused job continues by itself at resume_at, from its checkpoint.
      for (let i = 0; i < 600 && j.status !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        j = await job();
      }
      expect(j).toMatchObject({ status: 'done', plays_read: n, checkpoint: n });
      const stats = (await request(paused.url).get('/api/me/history/stats').set('Authorization', `Bearer ${token}`).expect(200)).body;
      expect(stats.entries).toBe(n);
      console.log(`import paused by throttling at checkpoint ${checkpoint} of ${n} rows, resumed by itself, ${stats.entries} plays written once`);
    } finally {
      Object.assign(faults, saved);
      delete (faults as { only?: string[] }).only;
      await paused.close();
    }
  });
});
