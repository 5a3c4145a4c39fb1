import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Metrics } from '../../src/metrics';
import { loadShedding } from '../../src/routes/loadShedding';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function appWith(opts: { maxInFlight: number; maxLagMs: number }, metrics = new Metrics()) {
  const app = express();
  app.use(loadShedding({ ...opts, metrics }));
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.get('/slow', async (_req, res) => {
    await sleep(300);
    res.json({ ok: true });
  });
  app.get('/fast', (_req, res) => res.json({ ok: true }));
  return app;
}

describe('load shedding', () => {
  it('answers 503 with Retry-After past the in-flight bound, keeps /healthz answering, and recovers when requests finish', async () => {
    const metrics = new Metrics();
    const server = http.createServer(appWith({ maxInFlight: 2, maxLagMs: 10_000 }, metrics));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const slow = [request(url).get('/slow'), request(url).get('/slow')].map((r) => r.then((x) => x));
      await sleep(100); // both are in flight now
      const turnedAway = await request(url).get('/fast').set('Accept', 'application/json');
      expect(turnedAway.status).toBe(503);
      expect(turnedAway.headers['retry-after']).toBe('1');
      expect(turnedAway.body.error.code).toBe('overloaded');
      const page = await request(url).get('/fast').set('Accept', 'text/html');
      expect(page.status).toBe(503);
      expect(page.text).toMatch(/busy/);
      await request(url).get('/healthz').expect(200);
      expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
      await request(url).get('/fast').expect(200);
      expect(await metrics.registry.getSingleMetricAsString('http_shed_total')).toMatch(/reason="in_flight"\} 2/);
    } finally {
      server.close();
    }
  });

  it('answers 503 while the event loop runs late, then recovers by itself', async () => {
    const app = appWith({ maxInFlight: 100, maxLagMs: 50 });
    await sleep(250); // the sampler is running
    const until = Date.now() + 400;
    while (Date.now() < until) {
      // block the event loop: the next sample sees the lag
    }
    // The sampler's timer, late by ~400 ms, fires before the request is read: the lag is seen.
    const busy = await request(app).get('/fast').set('Accept', 'application/json');
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe('overloaded');
    // A later on-time sample clears it.
    let recovered = false;
    for (let i = 0; i < 20 && !recovered; i++) {
      await sleep(120);
      recovered = (await request(app).get('/fast')).status === 200;
    }
    expect(recovered).toBe(true);
  });
});
