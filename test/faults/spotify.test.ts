import request from 'supertest';
import { FAULT_MALFORMED, FAULT_PASS, FAULT_RESET, FAULT_TRUNCATED } from '../../src/sandbox';
import { expectedIngest, getStats, resetStats, webApiCount } from '../helpers/catalog';
import { startTestApp } from '../helpers/harness';

jest.setTimeout(120_000);

describe('Spotify faults during an ingest', () => {
  it('survives latency, a 429 storm, 500s, connection resets, truncated and malformed JSON, and ends identical to a clean run', async () => {
    const clean = await startTestApp();
    const id = [...clean.sandbox.catalog.artists.values()].find((a) => a.albumIds.length >= 12 && a.albumIds.length < 30)!.id;
    const reference = (await request(clean.url).get(`/api/artists/${id}`).expect(200)).body;
    await clean.close();

    const t = await startTestApp({ sandboxOptions: { latencyMs: 30, failRate: 0.1 } });
    try {
      const f = t.sandbox.faults;
      f.failNext(4, 429); // a storm, each with Retry-After: 1
      // Transport faults spaced by a success each: queued back to back they would all land on the
      // one request in flight at the start and exhaust its five attempts (a 502, rightly).
      for (const fault of [FAULT_RESET, FAULT_TRUNCATED, FAULT_MALFORMED, 503, FAULT_RESET, FAULT_TRUNCATED, FAULT_MALFORMED, 503]) {
        f.failNext(1, fault);
        f.failNext(1, FAULT_PASS);
      }
      f.failNext(2, FAULT_RESET, 'reccobeats');
      f.failNext(1, 429, 'musicbrainz');
      await resetStats(t.sandbox.url);
      const res = await request(t.url).get(`/api/artists/${id}`).expect(200);
      expect(res.body.complete).toBe(true);
      expect(res.body.tracks).toEqual(reference.tracks);
      expect(res.body.artist.genres).toEqual(reference.artist.genres);
      const stats = await getStats(t.sandbox.url);
      const minimum = expectedIngest(t.sandbox.catalog, id).development + 1;
      const metrics = (await request(t.url).get('/metrics').set('Authorization', `Bearer ${t.config.metricsToken}`).expect(200)).text;
      const retries = [...metrics.matchAll(/^upstream_retries_total\{service="(\w+)",reason="([^"]+)"\} (\d+)/gm)].map((m) => `${m[1]} ${m[2]}: ${m[3]}`);
      console.log(`Spotify faults: ${webApiCount(stats)} Web API requests for a minimum of ${minimum}; retries by reason: ${retries.join(', ')}`);
      const total = retries.reduce((s, r) => s + Number(r.split(': ')[1]), 0);
      expect(total).toBeGreaterThanOrEqual(4 + 2 + 2 + 2 + 2 + 2 + 1);
      expect(metrics).toMatch(/reason="ECONNRESET"/);
      expect(metrics).toMatch(/reason="429"/);
    } finally {
      await t.close();
    }
  });
});
