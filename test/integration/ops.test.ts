import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/harness';

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET /healthz says ok', async () => {
    const res = await request(t.url).get('/healthz').expect(200).expect('content-type', /json/);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz checks DynamoDB and the Spotify base URL', async () => {
    const res = await request(t.url).get('/readyz').expect(200);
    expect(res.body.checks).toEqual({ dynamodb: 'ok', spotify: 'ok' });
  });

  it('GET /metrics exposes Spotify, DynamoDB and HTTP latency metrics', async () => {
    await request(t.url).get('/').expect(200);
    const agent = t.agent();
    await agent.get('/auth/spotify').expect(302);
    const res = await request(t.url).get('/metrics').set('Authorization', `Bearer ${t.config.metricsToken}`).expect(200);
    expect(res.text).toMatch(/^# TYPE spotify_requests_total counter/m);
    expect(res.text).toMatch(/^dynamodb_requests_total\{operation="(Get|Put)Item"\} \d+/m);
    expect(res.text).toMatch(/^http_request_duration_seconds_bucket\{.*route="\/"/m);
  });

  it('serves a friendly 404 page, and JSON errors under /api', async () => {
    const page = await request(t.url).get('/no-such-page').expect(404).expect('content-type', /html/);
    expect(page.text).toContain('Page not found');
    const api = await request(t.url).get('/api/no-such-thing').expect(404).expect('content-type', /json/);
    expect(api.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('sends security headers with a strict Content-Security-Policy', async () => {
    const res = await request(t.url).get('/').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain('https://i.scdn.co');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*application\/json)[^>]*>/);
  });

  it('documents every JSON route in the OpenAPI description', async () => {
    const doc = (await request(t.url).get('/api/openapi.json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\./);
    // Every route the app registers under /api (and the ops endpoints) appears in the document.
    const routes: string[] = [];
    const walk = (stack: { route?: { path: string }; handle?: { stack?: unknown[] } }[]) => {
      for (const layer of stack) {
        if (layer.route) routes.push(layer.route.path);
        else if (layer.handle?.stack) walk(layer.handle.stack as never);
      }
    };
    walk((t.app as unknown as { router: { stack: never[] } }).router.stack);
    const documented = Object.keys(doc.paths).map((p) => p.replace(/\{(\w+)\}/g, ':$1'));
    const api = [...new Set(routes.filter((r) => r.startsWith('/api/') && r !== '/api/openapi.json'))];
    expect(api.length).toBeGreaterThan(8);
    for (const r of [...api, '/healthz', '/readyz', '/metrics']) expect(documented).toContain(r);
  });

  it('the landing page explains demo mode', async () => {
    const res = await request(t.url).get('/').expect(200);
    expect(res.text).toContain('Log in with Spotify');
  });
});

describe('readiness when DynamoDB is down', () => {
  it('GET /readyz answers 503', async () => {
    const t = await startTestApp();
    try {
      await t.dynamo.close();
      const res = await request(t.url).get('/readyz').expect(503);
      expect(res.body.checks.dynamodb).toMatch(/unreachable/);
    } finally {
      await t.close();
    }
  });
});
