import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimited, UpstreamError, UpstreamForbidden, UpstreamNotFound, UpstreamUncertain } from '../../src/errors';
import { UpstreamHttp, type TokenSource } from '../../src/upstream/UpstreamHttp';

/** A real HTTP server whose answers are scripted per request, to exercise the retry policy. */
function scriptedServer(script: ((req: http.IncomingMessage, res: http.ServerResponse) => void)[]) {
  const seen: { url: string; auth?: string; at: number }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization, at: Date.now() });
    const step = script[Math.min(seen.length - 1, script.length - 1)];
    step(req, res);
  });
  return new Promise<{ url: string; seen: typeof seen; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        seen,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const fast = { baseDelayMs: 1, timeoutMs: 500 };

describe('UpstreamHttp retry policy', () => {
  it('retries 500s, malformed JSON and connection resets, then succeeds', async () => {
    const s = await scriptedServer([
      json(500, { error: { status: 500, message: 'Server error' } }),
      (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"truncated": '); },
      (req) => req.socket.destroy(),
      json(200, { ok: true }),
    ]);
    const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: fast });
    await expect(client.get('/thing')).resolves.toEqual({ ok: true });
    expect(s.seen).toHaveLength(4);
    expect(client.stats.retries).toBe(3);
    await s.close();
  });

  it('gives up after maxAttempts with an UpstreamError naming the endpoint', async () => {
    const s = await scriptedServer([json(503, { error: { status: 503, message: 'down' } })]);
    const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: { ...fast, maxAttempts: 3 } });
    const err = await client.get('/artists/0123456789abcdefABCDEF').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/GET \/v1\/artists\/\{id\}/);
    expect(s.seen).toHaveLength(3);
    await s.close();
  });

  it('waits for Retry-After on 429 before trying again, and reports a too-long wait', async () => {
    const s = await scriptedServer([json(429, { error: { status: 429, message: 'slow down' } }, { 'retry-after': '1' }), json(200, { ok: 1 })]);
    const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: fast });
    await expect(client.get('/x')).resolves.toEqual({ ok: 1 });
    expect(s.seen[1].at - s.seen[0].at).toBeGreaterThanOrEqual(990);
    await s.close();

    const long = await scriptedServer([json(429, {}, { 'retry-after': '3600' })]);
    const impatient = new UpstreamHttp(long.url, { service: 'Spotify', retry: fast });
    const err = await impatient.get('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimited);
    expect((err as RateLimited).retryAfterSeconds).toBe(3600);
    await long.close();
  });

  it('refreshes the token once on 401 and retries with the new one', async () => {
    const s = await scriptedServer([json(401, { error: { status: 401, message: 'The access token expired' } }), json(200, { me: true })]);
    let current = 'old';
    const auth: TokenSource = { get: async () => current, invalidate: () => { current = 'new'; } };
    const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: fast });
    await expect(client.get('/me', {}, auth)).resolves.toEqual({ me: true });
    expect(s.seen.map((r) => r.auth)).toEqual(['Bearer old', 'Bearer new']);
    await s.close();
  });

  it('translates 403 and 404 without retrying', async () => {
    const s = await scriptedServer([json(403, { error: { status: 403, message: 'Forbidden' } }), json(404, { error: { status: 404, message: 'nope' } })]);
    const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: fast });
    await expect(client.get('/albums')).rejects.toBeInstanceOf(UpstreamForbidden);
    await expect(client.get('/albums/x')).rejects.toBeInstanceOf(UpstreamNotFound);
    expect(s.seen).toHaveLength(2);
    await s.close();
  });
});

describe('UpstreamHttp pacing under a rate limit', () => {
  it('paces every caller to the budget the first 429 revealed: later windows get no 429', async () => {
    // 10 requests per rolling 2 s window, as the sandbox's --rate-limit does per 30 s.
    const windowMs = 2000;
    const budget = 10;
    const admitted: number[] = [];
    let limited = 0;
    const s = await scriptedServer([
      (_req, res) => {
        const now = Date.now();
        while (admitted.length > 0 && admitted[0] <= now - windowMs) admitted.shift();
        if (admitted.length >= budget) {
          limited++;
          json(429, { error: { status: 429, message: 'API rate limit exceeded' } }, { 'retry-after': String(Math.max(1, Math.ceil((admitted[0] + windowMs - now) / 1000))) })(_req, res);
          return;
        }
        admitted.push(now);
        json(200, { ok: true })(_req, res);
      },
    ]);
    const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: fast, concurrency: 5, rateWindowMs: windowMs });
    const requests = 40;
    await Promise.all(Array.from({ length: requests }, (_, i) => client.get(`/x/${i}`)));
    expect(client.limiter.learnedBudget).toBe(budget);
    // The five in flight when the first window filled, at most; none in the three windows after it.
    expect(limited).toBeLessThanOrEqual(5);
    expect(client.stats.rateLimited).toBe(limited);
    await s.close();
  });

  describe('POST', () => {
    const bodyOf = (req: http.IncomingMessage) => new Promise<string>((r) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => r(b)); });

    it('sends the JSON body and returns the answer; a 429 is waited out and re-sent even when not idempotent', async () => {
      const bodies: string[] = [];
      const s = await scriptedServer([
        json(429, { error: { status: 429, message: 'Too many requests' } }, { 'retry-after': '1' }),
        (req, res) => void bodyOf(req).then((b) => { bodies.push(b); json(201, { id: 'p1' })(req, res); }),
      ]);
      const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: fast });
      await expect(client.post('/me/playlists', { name: 'x', public: false }, undefined, { idempotent: false })).resolves.toEqual({ id: 'p1' });
      expect(s.seen).toHaveLength(2);
      expect(JSON.parse(bodies[0])).toEqual({ name: 'x', public: false });
      await s.close();
    });

    it('a non-idempotent POST is not re-sent after a 500, a reset or a timeout: UpstreamUncertain', async () => {
      for (const step of [
        json(500, { error: { status: 500, message: 'Server error' } }),
        (req: http.IncomingMessage) => req.socket.destroy(),
        () => undefined, // never answers: the client's timeout decides
      ]) {
        const s = await scriptedServer([step, json(201, { id: 'again' })]);
        const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: { ...fast, timeoutMs: 300 } });
        const err = await client.post('/me/playlists', { name: 'x' }, undefined, { idempotent: false }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UpstreamUncertain);
        expect((err as Error).message).toMatch(/POST \/v1\/me\/playlists.*may or may not have taken effect/);
        expect(s.seen).toHaveLength(1);
        await s.close();
      }
    });

    it('an idempotent POST retries a 500 like a GET; a 401 refreshes the token once for either kind', async () => {
      const s = await scriptedServer([json(500, {}), json(401, { error: { status: 401, message: 'The access token expired' } }), json(201, { snapshot_id: 's' })]);
      let n = 0;
      const auth: TokenSource = { get: async () => `t${n}`, invalidate: () => void n++ };
      const client = new UpstreamHttp(s.url, { service: 'Spotify', retry: fast });
      await expect(client.post('/playlists/x/items', { uris: [] }, auth, { idempotent: true })).resolves.toEqual({ snapshot_id: 's' });
      expect(s.seen.map((x) => x.auth)).toEqual(['Bearer t0', 'Bearer t0', 'Bearer t1']);
      await s.close();
    });
  });
});
