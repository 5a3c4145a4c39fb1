import http from 'node:http';
import zlib from 'node:zlib';
import { startSandbox } from '../../src/sandbox';
import { startEmbeddedDynamo } from '../../src/store/embedded';
import { expectedIngest, getStats, resetStats } from '../helpers/catalog';
import { startTestApp, type RunningSandbox, type TestApp } from '../helpers/harness';

jest.setTimeout(120_000);

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET with exactly the headers given (supertest would add Accept-Encoding and decode the body). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

async function dynamoRequests(t: TestApp): Promise<number> {
  const metric = await t.services.metrics.registry.getSingleMetric('dynamodb_requests_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

/** Polls the status document until the ingest is complete, as a script would after a 202. */
async function waitComplete(t: TestApp, statusPath: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = await rawGet(`${t.url}${statusPath}`);
    const doc = JSON.parse(s.body.toString()) as { complete: boolean; status: string };
    if (doc.complete && doc.status !== 'ingesting') return;
    if (doc.status === 'failed') throw new Error('ingest failed');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ingest did not finish');
}

describe('cached artist API: encodings, ETag and freshness checks', () => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    // A long check interval: every request below is within it, so none may ask DynamoDB.
    t = await startTestApp({ env: { ARTIST_FRESHNESS_CHECK_SECONDS: '600' } });
    id = t.sandbox.catalog.notable.smallArtistId;
    expect((await rawGet(`${t.url}/api/artists/${id}`)).status).toBe(200);
  });
  afterAll(() => t.close());

  it('sends brotli, gzip or identity as the client accepts, the same JSON each time, with Vary and a strong ETag per encoding', async () => {
    const plain = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    const json = JSON.parse(plain.body.toString()) as { complete: boolean; tracks: unknown[] };
    expect(json.complete).toBe(true);
    expect(json.tracks).toHaveLength(expectedIngest(t.sandbox.catalog, id).tracks);

    const br = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);

    const gz = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true);

    const tags = [plain, br, gz].map((a) => a.headers.etag as string);
    for (const a of [plain, br, gz]) {
      expect(a.headers.vary).toMatch(/Accept-Encoding/i);
      expect(a.headers.etag).toMatch(/^"[^"]+"$/); // strong: no W/
    }
    expect(new Set(tags).size).toBe(3);
  });

  it('serves the body the ingest made from its parts, byte for byte JSON.stringify of the view', async () => {
    const plain = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': 'identity' });
    expect(plain.body.toString()).toBe(JSON.stringify(await t.services.artists.get(id)));
  });

  it('answers If-None-Match with 304 and no body, and a stale tag with the full body', async () => {
    const first = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': 'br' });
    const etag = first.headers.etag as string;
    const again = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    const other = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': 'br', 'if-none-match': '"not-this-one"' });
    expect(other.status).toBe(200);
    expect(other.body.equals(first.body)).toBe(true);
  });

  it('makes no DynamoDB request for a cached artist within the freshness check interval (JSON API and page)', async () => {
    await rawGet(`${t.url}/api/artists/${id}`);
    const before = await dynamoRequests(t);
    for (let i = 0; i < 20; i++) {
      const a = await rawGet(`${t.url}/api/artists/${id}`, { 'accept-encoding': i % 2 ? 'gzip' : 'br' });
      expect(a.status).toBe(200);
    }
    for (let i = 0; i < 3; i++) expect((await rawGet(`${t.url}/artists/${id}`)).status).toBe(200);
    expect(await dynamoRequests(t)).toBe(before);
  });
});

describe('cached artist API without a freshness interval', () => {
  it('asks DynamoDB for the version stamp on every request when ARTIST_FRESHNESS_CHECK_SECONDS=0', async () => {
    const t = await startTestApp({ env: { ARTIST_FRESHNESS_CHECK_SECONDS: '0' } });
    try {
      const id = t.sandbox.catalog.notable.smallArtistId;
      await rawGet(`${t.url}/api/artists/${id}`);
      await rawGet(`${t.url}/api/artists/${id}`);
      const before = await dynamoRequests(t);
      for (let i = 0; i < 5; i++) await rawGet(`${t.url}/api/artists/${id}`);
      // One GetItem each (the version stamp), never the whole-artist Query again.
      expect(await dynamoRequests(t)).toBe(before + 5);
    } finally {
      await t.close();
    }
  });
});

describe('cached artist API across workers', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(() => sandbox.close());

  it('serves another worker\'s refresh once the freshness check interval has passed', async () => {
    const dynamo = await startEmbeddedDynamo();
    const env = { ARTIST_FRESHNESS_CHECK_SECONDS: '1' };
    const a = await startTestApp({ sandbox, dynamo, env });
    const b = await startTestApp({ sandbox, dynamo, env });
    try {
      const id = sandbox.catalog.notable.smallArtistId;
      const first = await rawGet(`${a.url}/api/artists/${id}`);
      const servedByB = await rawGet(`${b.url}/api/artists/${id}`);
      expect(servedByB.headers.etag).toBe(first.headers.etag);
      const refreshed = await rawGet(`${a.url}/api/artists/${id}?refresh=1`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.etag).not.toBe(first.headers.etag);
      // The worker that refreshed serves the new generation at once (its memory answer was replaced).
      for (let i = 0; i < 2; i++) expect((await rawGet(`${a.url}/api/artists/${id}`)).headers.etag).toBe(refreshed.headers.etag);
      await new Promise((r) => setTimeout(r, 1200));
      const later = await rawGet(`${b.url}/api/artists/${id}`);
      expect(later.headers.etag).toBe(refreshed.headers.etag);
      expect(JSON.parse(later.body.toString()).fetched_at).toBe(JSON.parse(refreshed.body.toString()).fetched_at);
    } finally {
      await a.close();
      await b.close();
      await dynamo.close();
    }
  });
});

describe('a long ingest through the JSON API', () => {
  it('answers 202 with a progress document and a Location to poll, then the artist once complete', async () => {
    // No wait at all: every ingest counts as long, so the 202 path is taken whatever the machine's speed.
    const t = await startTestApp({ sandboxOptions: { latencyMs: 20 }, env: { ARTIST_API_WAIT_SECONDS: '0' } });
    try {
      const id = t.sandbox.catalog.notable.largestArtistId;
      await resetStats(t.sandbox.url);
      const started = await rawGet(`${t.url}/api/artists/${id}`);
      expect(started.status).toBe(202);
      expect(started.headers.location).toBe(`/api/artists/${id}/status`);
      const doc = JSON.parse(started.body.toString());
      expect(doc).toMatchObject({ id, complete: false });
      expect(['missing', 'ingesting']).toContain(doc.status);
      const joined = await rawGet(`${t.url}/api/artists/${id}`);
      expect(joined.status).toBe(202);
      const polled = JSON.parse((await rawGet(`${t.url}${started.headers.location}`)).body.toString());
      expect(polled.progress).toMatchObject({ started_at: expect.any(String) });
      expect(['starting', 'albums', 'tracks', 'features', 'genres', 'writing', 'done']).toContain(polled.progress.phase);

      await waitComplete(t, started.headers.location as string);
      const done = await rawGet(`${t.url}/api/artists/${id}`);
      expect(done.status).toBe(200);
      expect(JSON.parse(done.body.toString()).tracks).toHaveLength(expectedIngest(t.sandbox.catalog, id).tracks);
      // Both requests joined one ingest.
      expect((await getStats(t.sandbox.url)).by_endpoint['GET /v1/artists/{id}']).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe('cached artist API: the answer from memory (artistFastPath) keeps the route\'s rules', () => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { ARTIST_FRESHNESS_CHECK_SECONDS: '600', RATE_LIMIT_API_PER_MINUTE: '40' } });
    id = t.sandbox.catalog.notable.smallArtistId;
  });
  afterAll(() => t.close());

  it('sends the same headers as the ordinary route (helmet, rate limit, request id) and the same bytes, GET and HEAD', async () => {
    const url = `${t.url}/api/artists/${id}`;
    // The first answer for brotli is made by the ordinary route (it ingests and compresses); the second comes from memory.
    const routed = await rawGet(url, { 'accept-encoding': 'br' });
    const before = await dynamoRequests(t);
    const fast = await rawGet(url, { 'accept-encoding': 'br' });
    expect(await dynamoRequests(t)).toBe(before);
    expect(fast.status).toBe(200);
    expect(fast.body.equals(routed.body)).toBe(true);
    const dynamic = new Set(['date', 'x-request-id', 'ratelimit', 'connection', 'keep-alive']);
    const names = (a: RawAnswer) => Object.keys(a.headers).filter((h) => !dynamic.has(h)).sort();
    expect(names(fast)).toEqual(names(routed));
    for (const h of names(routed)) expect([h, fast.headers[h]]).toEqual([h, routed.headers[h]]);
    expect(fast.headers['content-security-policy']).toContain("default-src 'self'");
    expect(fast.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(fast.headers['x-request-id']).not.toBe(routed.headers['x-request-id']);
    expect(fast.headers.ratelimit).toMatch(/remaining=/);

    const head = await new Promise<RawAnswer>((resolve, reject) => {
      http.request(url, { method: 'HEAD', headers: { 'accept-encoding': 'br' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.alloc(0) }));
      }).on('error', reject).end();
    });
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(fast.headers.etag);
    expect(head.headers['content-length']).toBe(String(fast.body.length));
  });

  it('records the latency histogram and the request log line for each answer from memory, with its request id', async () => {
    const url = `${t.url}/api/artists/${id}`;
    await rawGet(url, { 'accept-encoding': 'deflate, gzip' });
    const count = async () => {
      const m = await t.services.metrics.registry.getSingleMetric('http_request_duration_seconds')?.get();
      return (m?.values ?? []).find((v) => (v as { metricName?: string }).metricName === 'http_request_duration_seconds_count' && v.labels.route === '/api/artists/:id' && v.labels.status === '200' && v.labels.method === 'GET')?.value ?? 0;
    };
    const before = await count();
    const fast = await rawGet(url, { 'accept-encoding': 'deflate, gzip' });
    expect(fast.headers['content-encoding']).toBe('gzip');
    expect(await count()).toBe(before + 1);
    const line = t.logs.map((l) => JSON.parse(l) as { msg: string; req?: { id: string; url: string }; res?: { statusCode: number } })
      .find((l) => l.msg === 'request completed' && l.req?.id === fast.headers['x-request-id']);
    expect(line).toMatchObject({ req: { url: `/api/artists/${id}` }, res: { statusCode: 200 } });
  });

  it('counts answers from memory against the /api rate limit', async () => {
    const url = `${t.url}/api/artists/${id}`;
    await rawGet(url, { 'accept-encoding': 'gzip' });
    let limited: RawAnswer | undefined;
    for (let i = 0; i < 45 && !limited; i++) {
      const a = await rawGet(url, { 'accept-encoding': 'gzip' });
      if (a.status === 429) limited = a;
      else expect(a.status).toBe(200);
    }
    expect(limited).toBeDefined();
    expect(JSON.parse(limited!.body.toString()).error.code).toBe('rate_limited');
    expect(limited!.headers['retry-after']).toBeDefined();
  });

});

describe('cached artist API from memory behind a trusted proxy', () => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { ARTIST_FRESHNESS_CHECK_SECONDS: '600', RATE_LIMIT_API_PER_MINUTE: '5', TRUST_PROXY: 'loopback' } });
    id = t.sandbox.catalog.notable.smallArtistId;
  });
  afterAll(() => t.close());

  it('counts each forwarded client on its own budget (req.ip with trust proxy), on one connection', async () => {
    const url = `${t.url}/api/artists/${id}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (ip: string) => new Promise<RawAnswer>((resolve, reject) => {
      http.get(url, { agent, headers: { 'accept-encoding': 'br', 'x-forwarded-for': ip } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    try {
      // 1 (ingest) + 1 (from memory) + 3 more of the 5 allowed, then 429 for this client only.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await get('203.0.113.7')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const other = await get('198.51.100.9');
      expect(other.status).toBe(200);
      expect(other.headers.ratelimit).toMatch(/remaining=4/);
    } finally {
      agent.destroy();
    }
  });
});
