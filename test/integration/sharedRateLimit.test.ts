import request from 'supertest';
import { minimalIngest, startSandbox } from '../../src/sandbox';
import { startEmbeddedDynamo } from '../../src/store/embedded';
import { startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(120_000);

/**
 * The learned Spotify rate limit outlives the process that learned it: two app instances on one
 * DynamoDB and one sandbox (one app's rate limit). A short window (4 s instead of 30 s) keeps the
 * test fast; the sandbox and the app's limiter use the same.
 */
const WINDOW_MS = 4000;
const RATE_LIMIT = 15;

describe('a restarted server finds the learned Spotify rate budget in DynamoDB', () => {
  it('instance B, started after A learned the budget from 429s, sends no more than the budget into a window', async () => {
    const sandbox = await startSandbox({ port: 0, profile: 'development', latencyMs: 30, rateLimit: RATE_LIMIT, rateWindowMs: WINDOW_MS });
    const dynamo = await startEmbeddedDynamo();
    const start = (sharedRateState = true) => startTestApp({
      sandbox, dynamo, env: { SPOTIFY_API_PROFILE: 'development' }, tuning: { spotifyRateWindowMs: WINDOW_MS, sharedRateState },
    });
    // Three artists of 36-38 requests each (Development Mode): each needs three windows of 15.
    const catalog = sandbox.catalog;
    const [first, second, control] = ['WFdQeaaYxfBavCfydMk5jZ', 'XQofN4ub9sAAC8P7VLcXn0', 'tpT1vimqAdqP7Qph1I4Lwr'];
    for (const id of [first, second, control]) expect(minimalIngest(catalog, id).development).toBeGreaterThan(2 * RATE_LIMIT);
    const ingest = async (t: TestApp, id: string) => {
      await request(t.url).get(`/api/artists/${id}`).expect(200);
      // Then the upstream's window empties, as between a server's last request and its restart.
      await new Promise((r) => setTimeout(r, WINDOW_MS + 500));
      return t.services.spotify.http.stats.rateLimited;
    };
    let a: TestApp | undefined;
    let b: TestApp | undefined;
    let c: TestApp | undefined;
    try {
      a = await start();
      const limitedA = await ingest(a, first);
      expect(limitedA).toBeGreaterThan(0);
      expect(a.services.spotify.http.limiter.learnedBudget).toBe(RATE_LIMIT);
      await a.close();
      a = undefined;

      b = await start();
      const limitedB = await ingest(b, second);
      expect(b.services.spotify.http.limiter.learnedBudget).toBe(RATE_LIMIT);
      expect(b.logs.join('')).not.toMatch(/shared rate state/);

      // The control: the same with a limiter that learns alone wastes what was in flight.
      c = await start(false);
      const limitedC = await ingest(c, control);
      expect({ limitedA, limitedB, limitedC }).toEqual({ limitedA, limitedB: 0, limitedC: expect.any(Number) });
      expect(limitedC).toBeGreaterThan(1);
    } finally {
      await a?.close();
      await b?.close();
      await c?.close();
      await dynamo.close();
      await sandbox.close();
    }
  });
});
