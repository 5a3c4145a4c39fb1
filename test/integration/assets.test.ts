import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { compressResponses } from '../../src/routes/assets';
import { createApiToken, login, startTestApp, type TestApp } from '../helpers/harness';

/** One GET with node:http, which (unlike supertest) never decodes the body: the test sees the bytes on the wire. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('compression and caching of pages and static assets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('gzips HTML pages and JSON answers when the browser accepts gzip', async () => {
    const page = await get(`${t.url}/`, { 'Accept-Encoding': 'gzip' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.headers['content-type']).toMatch(/html/);
    expect(zlib.gunzipSync(page.body).toString()).toContain('<html');

    const agent = t.agent();
    await login(t, agent);
    const token = await createApiToken(agent, 'compression test');
    const json = await get(`${t.url}/api/me/summary`, { 'Accept-Encoding': 'gzip', Authorization: `Bearer ${token}` });
    expect(json.status).toBe(200);
    expect(json.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(json.body).toString())).toHaveProperty('ranges');
  });

  it('sends brotli when the browser prefers it, and plain bytes when it accepts no encoding', async () => {
    const br = await get(`${t.url}/`, { 'Accept-Encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.body).toString()).toContain('<html');
    const plain = await get(`${t.url}/`, { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('<html');
  });

  it('links fingerprinted assets that are cached for a year as immutable and sent precompressed', async () => {
    const page = await request(t.url).get('/').expect(200);
    const href = /href="(\/static\/css\/app\.css\?v=[\w-]+)"/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const css = await get(`${t.url}${href!}`, { 'Accept-Encoding': 'br, gzip' });
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['content-encoding']).toBe('br');
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.headers.vary).toMatch(/Accept-Encoding/);
    expect(zlib.brotliDecompressSync(css.body).toString()).toContain(':root');

    // A stale fingerprint (an old page after a deploy) still gets the file, but not cached for a year.
    const stale = await request(t.url).get('/static/css/app.css?v=old').expect(200);
    expect(stale.headers['cache-control']).not.toMatch(/immutable/);
  });

  it('fingerprints plotly too, and loads it only on pages that draw charts', async () => {
    const landing = await request(t.url).get('/').expect(200);
    expect(landing.text).not.toContain('plotly.min.js');
    const agent = t.agent();
    await login(t, agent);
    const dash = await agent.get('/dashboard?loaded=1').expect(200);
    const src = /src="(\/static\/vendor\/plotly\.min\.js\?v=[\w-]+)" defer/.exec(dash.text)?.[1];
    expect(src).toBeDefined();
    const js = await get(`${t.url}${src!}`, { 'Accept-Encoding': 'gzip' });
    expect(js.status).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.body.length).toBeLessThan(1_600_000);
    expect(zlib.gunzipSync(js.body).length).toBeGreaterThan(4_000_000);
  });
});

describe('compressResponses', () => {
  it('leaves event streams uncompressed, so each message reaches the browser when it is written', async () => {
    const app = express();
    app.use(compressResponses());
    app.get('/events', (_req, res) => {
      res.type('text/event-stream');
      res.end(`data: ${'x'.repeat(4096)}\n\n`);
    });
    app.get('/csv', (_req, res) => {
      res.type('text/csv');
      res.end('a,b\n'.repeat(2000));
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const events = await get(`${url}/events`, { 'Accept-Encoding': 'gzip' });
      expect(events.headers['content-encoding']).toBeUndefined();
      const csv = await get(`${url}/csv`, { 'Accept-Encoding': 'gzip' });
      expect(csv.headers['content-encoding']).toBe('gzip');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
