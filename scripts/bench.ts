/**
 * `npm run bench`: measured figures for BENCHMARKS.md. A script, not a test: it prints a table and
 * rewrites BENCHMARKS.md. Every ratio compares two things measured in the same run on this machine.
 *
 *   node dist/scripts/bench.js [--only artist|ingest|ratelimit|history|upload|pages|summary|load|cached] [--quick]
 *
 * `--only ingest` runs just the extended profile's artist ingest rows (requests, BatchWrites, wall
 * time at 100 ms latency, concurrent vs one by one): a part of `--only artist` without the
 * development profile, the cached API load and the minute-long rate-limited run. `--only ratelimit`
 * runs just the rate-limited rows (also a part of `--only artist`).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import axios from 'axios';
import { createApp } from '../src/app';
import { buildServices, type ServiceDeps } from '../src/buildServices';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { artistKey } from '../src/history/personalKeys';
import { Metrics } from '../src/metrics';
import { buildSyntheticCatalog, generateListeningHistory, minimalIngest, type SandboxOptions } from '../src/sandbox';
import { startEmbeddedDynamo } from '../src/store/embedded';
import { Store } from '../src/store/Store';

type Row = { section: string; measure: string; value: string; target: string; ok: boolean | null };
const rows: Row[] = [];
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const quick = args.includes('--quick');

function record(section: string, measure: string, value: string, target: string, ok: boolean | null): void {
  rows.push({ section, measure, value, target, ok });
  console.log(`${ok === null ? ' ' : ok ? '✓' : '✗'} ${section} · ${measure}: ${value} (target ${target})`);
}

interface Running {
  url: string;
  sandbox: { url: string; close(): Promise<void> };
  metrics: Metrics;
  close(): Promise<void>;
}

const catalog = buildSyntheticCatalog();

/**
 * The sandbox in a process of its own (`npm run sandbox`), as Spotify is another machine: its CPU
 * time (building responses, added latency) must not be charged to the app under measurement.
 */
async function startSandboxProcess(opts: SandboxOptions): Promise<{ url: string; close(): Promise<void> }> {
  const argv = [path.resolve(__dirname, '../src/sandbox/cli.js'), '--port', '0', '--profile', opts.profile ?? 'development'];
  if (opts.latencyMs) argv.push('--latency-ms', String(opts.latencyMs));
  if (opts.rateLimit) argv.push('--rate-limit', String(opts.rateLimit));
  // At a lower CPU priority: on a 2-core machine the stand-in's own work (building responses)
  // would otherwise compete with the app under measurement, which real Spotify does not.
  const child = spawn('nice', ['-n', '10', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /accounts (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

type SandboxProcess = Awaited<ReturnType<typeof startSandboxProcess>>;
type Dynamo = Awaited<ReturnType<typeof startEmbeddedDynamo>>;

/**
 * The real app and embedded DynamoDB, as in demo mode, on ephemeral ports, with a sandbox process.
 * `reuse` runs the app on a sandbox and a database that outlive it (a restarted server): close()
 * then leaves them running for the caller to close.
 */
async function startStack(
  sandboxOpts: SandboxOptions,
  env: Record<string, string> = {},
  tuning: ServiceDeps['tuning'] = {},
  reuse: { sandbox?: SandboxProcess; dynamo?: Dynamo } = {},
): Promise<Running> {
  const sandbox = reuse.sandbox ?? (await startSandboxProcess(sandboxOpts));
  const dynamo = reuse.dynamo ?? (await startEmbeddedDynamo());
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sda-bench-')),
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
    SPOTIFY_ACCOUNTS_URL: sandbox.url,
    SPOTIFY_API_URL: `${sandbox.url}/v1`,
    RECCOBEATS_URL: `${sandbox.url}/reccobeats`,
    MUSICBRAINZ_URL: `${sandbox.url}/musicbrainz`,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_API_PER_MINUTE: '100000000',
    // The load test drives one address, one token and /artists/:id pages far above any person's pace.
    RATE_LIMIT_TOKEN_PER_MINUTE: '100000000',
    RATE_LIMIT_PAGES_PER_MINUTE: '100000000',
    RATE_LIMIT_PAGES_SESSION_PER_MINUTE: '100000000',
    ...env,
  });
  const metrics = new Metrics();
  const store = new Store({ endpoint: dynamo.endpoint, tablePrefix: '', metrics, embedded: true });
  await store.ensureTables();
  const logger = createLogger('silent');
  const { app } = createApp({ config, logger, services: buildServices(config, { store, logger, metrics, tuning: { musicbrainzIntervalMs: 0, ...tuning } }) });
  server.on('request', app);
  return {
    url,
    sandbox,
    metrics,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      store.destroy();
      if (!reuse.dynamo) await dynamo.close();
      if (!reuse.sandbox) await sandbox.close();
    },
  };
}

async function counter(metrics: Metrics, name: string, label: Record<string, string>): Promise<number> {
  const m = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return m.filter((v) => Object.entries(label).every(([k, val]) => v.labels[k] === val)).reduce((s, v) => s + v.value, 0);
}

const expected = (artistId: string) => {
  const m = minimalIngest(catalog, artistId);
  return { A: m.albums, T: m.tracks, x: m.extraPages, extended: m.extended, development: m.development };
};

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** min / median / max of a few samples. */
function spread(xs: number[]): { min: number; median: number; max: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

function fmtSpread(xs: number[], digits: number, unit = ''): string {
  const { min, median, max } = spread(xs);
  return `${median.toFixed(digits)}${unit} (min ${min.toFixed(digits)}, max ${max.toFixed(digits)})`;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * GET /api/artists/:id as a script does it: a long ingest answers 202 with a Location to poll,
 * then the artist is read again. Resolves with the artist document.
 */
async function fetchArtist(appUrl: string, id: string): Promise<{ albums: unknown[]; tracks: unknown[] }> {
  const ok = { validateStatus: (s: number) => s === 200 || s === 202 };
  let res = await axios.get(`${appUrl}/api/artists/${id}`, ok);
  while (res.status === 202) {
    const location = res.headers.location as string;
    for (;;) {
      await pause(20);
      const status = (await axios.get(`${appUrl}${location}`)).data as { complete: boolean; status: string; error: string | null };
      if (status.status === 'failed') throw new Error(`ingest of ${id} failed: ${status.error}`);
      if (status.complete && status.status !== 'ingesting') break;
    }
    res = await axios.get(`${appUrl}/api/artists/${id}`, ok);
  }
  return res.data;
}

/** Sum of a counter's values whose labels pass `keep`. */
async function counterWhere(metrics: Metrics, name: string, keep: (labels: Record<string, unknown>) => boolean): Promise<number> {
  const m = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return m.filter((v) => keep(v.labels)).reduce((s, v) => s + v.value, 0);
}

/** The catalog artist whose release (or track) count is nearest `n`. */
function artistNear(n: number, by: 'albums' | 'tracks' = 'albums'): string {
  let best: { id: string; d: number } | undefined;
  for (const a of catalog.artists.values()) {
    const size = by === 'albums' ? a.albumIds.length : minimalIngest(catalog, a.id).tracks;
    const d = Math.abs(size - n);
    if (!best || d < best.d) best = { id: a.id, d };
  }
  return best!.id;
}

/**
 * The shortest an ingest can take at `latencyMs` per Spotify request, from the request dependency
 * chain: the artist and its first album page need nothing; the other album pages need the first
 * (its total); album details need their ids (batches of 20 with Extended Quota, one by one in
 * Development Mode); track pages beyond 50 need their album; audio features (Extended Quota only:
 * Development Mode's come from ReccoBeats, which the sandbox adds no latency to) need their tracks,
 * 100 a request. Every request takes one round trip; each round starts what is ready, at most
 * `cap` at once (pages first, as they unlock the most), with only the minimal requests (a partial
 * batch only when nothing more can join it). Rounds x latency is the floor.
 */
function ingestFloor(profile: 'extended' | 'development', artistId: string, latencyMs: number, cap: number) {
  const m = minimalIngest(catalog, artistId);
  const sizes = catalog.artists.get(artistId)!.albumIds.map((a) => catalog.albums.get(a)!.trackIds.length);
  const extended = profile === 'extended';
  const pageSize = extended ? 50 : 10;
  const albumBatch = extended ? 20 : 1;
  const pages = Math.max(1, Math.ceil(sizes.length / pageSize));
  let artistDone = false;
  let pagesDone = 0;
  let pagesStarted = 0;
  let albumsStarted = 0;
  let albumsDone = 0;
  const extraReady: number[] = []; // track counts of the extra pages whose album is known
  let extraOpen = 0; // extra track pages still to come (for partial feature batches)
  let tracksKnown = 0;
  let featuresStarted = 0;
  let rounds = 0;
  let requests = 0;
  const totalTracks = sizes.reduce((x, y) => x + y, 0);
  const allFetched = () => albumsDone === sizes.length && extraOpen === 0;
  while (!(artistDone && pagesDone === pages && albumsDone === sizes.length && extraOpen === 0 && (!extended || featuresStarted >= totalTracks))) {
    let slots = cap;
    const take = (n: number) => {
      const k = Math.min(n, slots);
      slots -= k;
      requests += k;
      return k;
    };
    const finishArtist = !artistDone && take(1) === 1;
    // The first page alone, then the rest once its total is known.
    const newPages = pagesStarted === 0 ? take(1) : pagesDone >= 1 ? take(pages - pagesStarted) : 0;
    pagesStarted += newPages;
    const known = Math.min(sizes.length, pagesDone * pageSize);
    const unrequested = known - albumsStarted;
    const batches = pagesDone === pages ? Math.ceil(unrequested / albumBatch) : Math.floor(unrequested / albumBatch);
    const newBatches = take(batches);
    const newAlbums = Math.min(unrequested, newBatches * albumBatch);
    const fromAlbums = Array.from({ length: newAlbums }, (_, i) => sizes[albumsStarted + i]);
    albumsStarted += newAlbums;
    const newExtra = extraReady.splice(0, take(extraReady.length));
    let newFeatures = 0;
    if (extended) {
      const waiting = tracksKnown - featuresStarted;
      const n = allFetched() ? Math.ceil(waiting / 100) : Math.floor(waiting / 100);
      const k = take(n);
      newFeatures = Math.min(waiting, k * 100);
      featuresStarted += newFeatures;
    }
    rounds++;
    // The round trip ends: what started is done.
    if (finishArtist) artistDone = true;
    pagesDone += newPages;
    albumsDone += newAlbums;
    extraOpen -= newExtra.length;
    for (const n of newExtra) tracksKnown += n;
    for (const n of fromAlbums) {
      tracksKnown += Math.min(n, 50);
      for (let rest = n - 50; rest > 0; rest -= 50) {
        extraReady.push(Math.min(50, rest));
        extraOpen++;
      }
    }
    if (rounds > 10_000) throw new Error('floor simulation did not converge');
  }
  const depth = 1 + (sizes.length > pageSize ? 1 : 0) + 1 + (m.extraPages > 0 ? 1 : 0) + (extended ? 1 : 0);
  return { ms: rounds * latencyMs, depth, rounds, requests, minimum: m[profile], albums: m.albums, tracks: m.tracks };
}

/** The app's Spotify concurrency cap (UpstreamHttp's default). */
const SPOTIFY_CAP = 20;

/** Captured answer of the app: status, headers and body bytes, to replay from a bare server. */
interface Captured {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

function capture(url: string, headers: Record<string, string>): Promise<Captured> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: http.OutgoingHttpHeaders = {};
        // Everything the app sent but what node:http writes itself per connection.
        for (const [k, v] of Object.entries(res.headers)) if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k) && v !== undefined) out[k] = v;
        const body = Buffer.concat(chunks);
        out['content-length'] = String(body.length);
        resolve({ status: res.statusCode ?? 0, headers: out, body });
      });
    }).on('error', reject);
  });
}

/**
 * The strongest honest baseline for serving a cached answer: bare node:http writing the very bytes
 * and headers the app sent (no framework, no lookup, no serialisation, no compression per request).
 */
async function replayServer(byPath: Map<string, Captured>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const hit = byPath.get(req.url ?? '');
    if (!hit) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(hit.status, hit.headers);
    res.end(hit.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/**
 * Paired load samples: baseline and app alternate, so both see the same machine state; the ratio
 * is of the medians, and its range is the worst and best of the pairs.
 */
async function pairedLoad(baseline: autocannon.Options, ours: autocannon.Options, samples: number) {
  const b: LoadResult[] = [];
  const o: LoadResult[] = [];
  for (let i = 0; i < samples; i++) {
    b.push(await load(baseline));
    o.push(await load(ours));
  }
  const rate = (rs: LoadResult[]) => rs.map((r) => r.requests.average);
  const ratios = o.map((r, i) => r.requests.average / b[i].requests.average);
  return {
    baseline: rate(b), ours: rate(o), ratios,
    ratio: spread(rate(o)).median / spread(rate(b)).median,
    errors: o.reduce((s, r) => s + r.errors + r.timeouts + r.non2xx, 0),
    p99: o.map((r) => r.latency.p99), baselineP99: b.map((r) => r.latency.p99),
  };
}

async function benchCachedArtist(stack: Running): Promise<void> {
  const seconds = quick ? 2 : 5;
  const samples = 3;
  // ~88 KB and ~1 MB of JSON: a mid-size artist (about 136 tracks) and the largest.
  for (const id of [artistNear(136, 'tracks'), catalog.notable.largestArtistId]) {
    await fetchArtist(stack.url, id);
    const path = `/api/artists/${id}`;
    const headers = { 'accept-encoding': 'br, gzip, deflate' };
    const answer = await capture(`${stack.url}${path}`, headers);
    const identity = await capture(`${stack.url}${path}`, { 'accept-encoding': 'identity' });
    if (answer.status !== 200) throw new Error(`cached artist answered ${answer.status}`);
    const bare = await replayServer(new Map([[path, answer]]));
    const opts = (url: string): autocannon.Options => ({ url: `${url}${path}`, connections: 10, duration: seconds, headers });
    await load({ ...opts(bare.url), duration: 1 });
    await load({ ...opts(stack.url), duration: 1 });
    const r = await pairedLoad(opts(bare.url), opts(stack.url), samples);
    await bare.close();
    record(
      'cached artist API',
      `GET /api/artists/:id, ${Math.round(identity.body.length / 1024)} KB JSON sent as ${answer.headers['content-encoding'] ?? 'identity'} (${Math.round(answer.body.length / 1024)} KB), vs bare node:http sending the same bytes and headers; 10 connections, ${samples} paired samples of ${seconds} s`,
      `${fmtSpread(r.ours, 0)} vs ${fmtSpread(r.baseline, 0)} req/s = ${r.ratio.toFixed(2)}× (pairs ${fmtSpread(r.ratios, 2, '×')}); p99 ${spread(r.p99).median} vs ${spread(r.baselineP99).median} ms; errors ${r.errors}`,
      '≥ 0.8×',
      r.ratio >= 0.8 && r.errors === 0,
    );
  }
}

async function benchArtist(profiles: readonly ('extended' | 'development')[] = ['extended', 'development']): Promise<void> {
  for (const profile of profiles) {
    const section = `artist ingest (${profile})`;
    // 1. Requests and writes against the minimum.
    const stack = await startStack({ profile }, { SPOTIFY_API_PROFILE: profile });
    const id = catalog.notable.largestArtistId;
    const e = expected(id);
    await axios.post(`${stack.sandbox.url}/_sandbox/stats/reset`);
    const body = await fetchArtist(stack.url, id);
    const stats = (await axios.get(`${stack.sandbox.url}/_sandbox/stats`)).data as { total: number };
    const minimum = e[profile];
    record(section, `Spotify requests for the largest artist (A=${e.A}, T=${e.T}, x=${e.x})`, `${stats.total} / minimum ${minimum} = ${(stats.total / minimum).toFixed(2)}`, '1.00', stats.total === minimum);
    const items = body.albums.length + body.tracks.length;
    const writes = await counter(stack.metrics, 'dynamodb_requests_total', { operation: 'BatchWriteItem' });
    const minWrites = Math.ceil(items / 25);
    record(section, `DynamoDB BatchWrite requests (${items} items)`, `${writes} / ${minWrites} = ${(writes / minWrites).toFixed(2)}`, '1.00', writes === minWrites);

    // 2. Cached GET /api/artists/:id against bare node:http sending the same bytes.
    if (profile === 'development') await benchCachedArtist(stack);
    await stack.close();

    // 3. Wall time at 100 ms per Spotify request, against the dependency floor, for artists of
    // about 10, 50 (the catalog's nearest: 33) and 330 releases; fresh servers, each first warmed
    // by a small artist as a long-running server is.
    const latencyMs = 100;
    const samples = quick ? 1 : 3;
    const sizes = [artistNear(10), artistNear(50), id];
    const times = new Map<string, number[]>(sizes.map((a) => [a, []]));
    for (let i = 0; i < samples; i++) {
      const s = await startStack({ profile, latencyMs }, { SPOTIFY_API_PROFILE: profile });
      await fetchArtist(s.url, catalog.notable.smallArtistId);
      for (const a of sizes) times.get(a)!.push((await timed(() => fetchArtist(s.url, a))).ms);
      await s.close();
    }
    for (const a of sizes) {
      const floor = ingestFloor(profile, a, latencyMs, SPOTIFY_CAP);
      const ms = times.get(a)!;
      const ratio = spread(ms).median / floor.ms;
      if (floor.requests !== floor.minimum) throw new Error(`floor schedule used ${floor.requests} requests, not the minimal ${floor.minimum}`);
      const how = floor.rounds > floor.depth
        ? `${floor.requests} requests in ${floor.rounds} rounds under the cap of ${SPOTIFY_CAP}`
        : `${floor.depth} dependent round trips`;
      record(
        section,
        `ingest of ${floor.albums} releases (${floor.tracks} tracks) at ${latencyMs} ms latency vs the floor (${how} × ${latencyMs} ms); ${samples} fresh servers`,
        `${fmtSpread(ms.map((x) => x / 1000), 2, ' s')} vs floor ${(floor.ms / 1000).toFixed(2)} s = ${ratio.toFixed(2)}× (max ${(spread(ms).max / floor.ms).toFixed(2)}×)`,
        '≤ 1.5×',
        ratio <= 1.5,
      );
    }

    // 4. The same largest ingest with the requests one by one (the dependency-free baseline).
    const slowSamples = quick || profile === 'development' ? 1 : 3;
    const slow: number[] = [];
    for (let i = 0; i < slowSamples; i++) {
      const s = await startStack({ profile, latencyMs }, { SPOTIFY_API_PROFILE: profile }, { spotifyConcurrency: 1 });
      await fetchArtist(s.url, catalog.notable.smallArtistId);
      slow.push((await timed(() => fetchArtist(s.url, id))).ms);
      await s.close();
    }
    const fast = times.get(id)!;
    const speedup = spread(slow).median / spread(fast).median;
    record(
      section,
      `largest ingest at ${latencyMs} ms latency: concurrent vs the same requests one by one (${fast.length} vs ${slow.length} fresh servers)`,
      `${fmtSpread(fast.map((x) => x / 1000), 1, ' s')} vs ${fmtSpread(slow.map((x) => x / 1000), 1, ' s')} = ${speedup.toFixed(1)}× faster`,
      '≥ 5×',
      speedup >= 5,
    );

    if (profile === 'development') await benchRateLimit();
  }
}

/**
 * A rate-limited ingest (sandbox --rate-limit N: 429 with Retry-After beyond N requests per rolling
 * 30 s): the share of requests wasted on 429s, and the time against the shortest possible, which
 * sends N requests per window and waits for nothing else: (ceil(R / N) - 1) windows, then the
 * last window's requests under the concurrency cap. Once with a cold limiter (a fresh database),
 * once on a restarted server that finds the budget an earlier server learned in DynamoDB.
 */
async function benchRateLimit(): Promise<void> {
  const section = 'artist ingest (rate-limited)';
  const rateLimit = 150;
  const latencyMs = 100;
  const id = catalog.notable.largestArtistId;
  const R = expected(id).development;
  const windows = Math.ceil(R / rateLimit);
  const rest = R - (windows - 1) * rateLimit;
  const shortestMs = (windows - 1) * 30_000 + Math.max(1, Math.ceil(rest / SPOTIFY_CAP)) * latencyMs;
  const samples = quick ? 1 : 3;
  const sandboxOpts: SandboxOptions = { profile: 'development', latencyMs, rateLimit };
  const env = { SPOTIFY_API_PROFILE: 'development' };
  const wasted = async (s: Running) => {
    const limited = await counterWhere(s.metrics, 'spotify_requests_total', (l) => String(l.endpoint).startsWith('GET /v1/') && l.status === '429');
    const all = await counterWhere(s.metrics, 'spotify_requests_total', (l) => String(l.endpoint).startsWith('GET /v1/'));
    return limited / all;
  };
  const shortest = `${windows - 1} windows of 30 s, then ${rest} requests = ${(shortestMs / 1000).toFixed(1)} s`;

  const waste: number[] = [];
  const ratio: number[] = [];
  let answered202 = 0;
  for (let i = 0; i < samples; i++) {
    // No warm-up and a fresh database: the limiter meets the limit cold, as on a first start.
    const s = await startStack(sandboxOpts, env);
    const { ms } = await timed(async () => {
      const first = await axios.get(`${s.url}/api/artists/${id}`, { validateStatus: () => true });
      if (first.status === 202) answered202++;
      await fetchArtist(s.url, id); // joins the running ingest, polling its progress
    });
    waste.push(await wasted(s));
    ratio.push(ms / shortestMs);
    await s.close();
  }
  record(
    section,
    `requests wasted on 429s, largest artist in development (${R} requests), --rate-limit ${rateLimit} per 30 s, ${latencyMs} ms latency, cold limiter (a fresh database: it can only learn the budget from its first 429, so it wastes up to its concurrency of ${SPOTIFY_CAP} once; the restarted server below does not); ${samples} fresh servers`,
    `${fmtSpread(waste.map((w) => w * 100), 1, '%')}`,
    'reported',
    null,
  );
  record(
    section,
    `the same ingest's time vs the shortest possible (${shortest}); first GET answered 202 with progress in ${answered202} of ${samples}`,
    `${fmtSpread(ratio, 3, '×')}`,
    '≤ 1.1×, and 202',
    spread(ratio).median <= 1.1 && answered202 === samples,
  );

  // A restarted server finds the learned budget: a first server learns it from the 429s of a few
  // mid-size ingests run at once (more than the budget in one window), is stopped, and the
  // upstream's window passes; a new server on the same database then ingests the largest artist.
  const learners: string[] = [];
  let learnerRequests = 0;
  for (const a of [...catalog.artists.values()].map((x) => x.id).sort()) {
    const n = expected(a).development;
    if (a === id || n < 20 || n > 100) continue;
    learners.push(a);
    learnerRequests += n;
    if (learnerRequests > rateLimit + 2 * SPOTIFY_CAP) break;
  }
  const restartWaste: number[] = [];
  const restartRatio: number[] = [];
  const learned: number[] = [];
  for (let i = 0; i < samples; i++) {
    const sandbox = await startSandboxProcess(sandboxOpts);
    const dynamo = await startEmbeddedDynamo();
    const first = await startStack(sandboxOpts, env, {}, { sandbox, dynamo });
    await Promise.all(learners.map((a) => fetchArtist(first.url, a)));
    await first.close();
    await pause(30_000 + 1000);
    const s = await startStack(sandboxOpts, env, {}, { sandbox, dynamo });
    const { ms } = await timed(() => fetchArtist(s.url, id));
    restartWaste.push(await wasted(s));
    restartRatio.push(ms / shortestMs);
    learned.push(await counterWhere(first.metrics, 'spotify_requests_total', (l) => String(l.endpoint).startsWith('GET /v1/') && l.status === '429'));
    await s.close();
    await dynamo.close();
    await sandbox.close();
  }
  record(
    section,
    `a restarted server finds the learned budget: requests wasted on 429s by the same ingest on a new server whose database an earlier server (stopped, its requests out of the window) learned the budget in, from ${learners.length} ingests at once (${learnerRequests} requests, ${fmtSpread(learned, 0)} 429s); ${samples} samples`,
    `${fmtSpread(restartWaste.map((w) => w * 100), 1, '%')}`,
    '≤ 5%',
    spread(restartWaste).median <= 0.05,
  );
  record(
    section,
    `the restarted server's ingest time vs the shortest possible (${shortest})`,
    `${fmtSpread(restartRatio, 3, '×')}`,
    '≤ 1.1×',
    spread(restartRatio).median <= 1.1,
  );
}

/** Writes a generated extended-history export of `plays` plays as one JSON array file. */
async function generateExport(plays: number): Promise<string> {
  const file = path.join(os.tmpdir(), `Streaming_History_Audio_bench_${plays}.json`);
  const out = fs.createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('[');
  let first = true;
  let buf = '';
  for (const entry of generateListeningHistory('ava.demo', { plays, years: 10, catalog })) {
    buf += (first ? '\n' : ',\n') + JSON.stringify(entry);
    first = false;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf + ']\n');
  await new Promise<void>((r) => out.end(() => r()));
  return file;
}

/** Streams a file as a multipart upload (field "file") without holding it in memory. */
function uploadFile(url: string, token: string, file: string): Promise<{ id: string }> {
  return new Promise((resolve, reject) => {
    const boundary = `----bench${Date.now()}`;
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(file)}"\r\nContent-Type: application/json\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const size = head.length + fs.statSync(file).size + tail.length;
    const req = http.request(`${url}/api/me/history/imports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': size },
    }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 202 ? resolve(JSON.parse(body)) : reject(new Error(`upload: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.write(head);
    const stream = fs.createReadStream(file);
    stream.pipe(req, { end: false });
    stream.on('end', () => req.end(tail));
  });
}

async function historyRun(file: string) {
  const mb = fs.statSync(file).size / 2 ** 20;
  // Track features and genres for taste over time come from a sandbox process (ReccoBeats, MusicBrainz
  // and search stand-ins), as they would from those services.
  const sandbox = await startSandboxProcess({ profile: 'development' });
  // Started as `npm start` starts the server: with the same V8 heap bound (package.json).
  const child = spawn(process.execPath, ['--max-old-space-size=384', path.resolve(__dirname, 'historyBenchServer.js')], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_SANDBOX_URL: sandbox.url },
  });
  const lines: string[] = [];
  let pending: ((l: string) => void) | undefined;
  let partial = '';
  child.stdout.on('data', (c: Buffer) => {
    partial += c.toString();
    let i;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      if (pending) {
        pending(line);
        pending = undefined;
      } else lines.push(line);
    }
  });
  const nextLine = () => new Promise<string>((r) => (lines.length ? r(lines.shift()!) : (pending = r)));
  const { url, token } = JSON.parse(await nextLine()) as { url: string; token: string };
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const start = process.hrtime.bigint();
  const { id } = await uploadFile(url, token, file);
  const uploadMs = Number(process.hrtime.bigint() - start) / 1e6;
  let job: { status: string; plays_read: number; plays_added: number; error: string | null };
  do {
    await new Promise((r) => setTimeout(r, 100));
    job = (await axios.get(`${url}/api/me/history/imports/${id}`, auth)).data;
  } while (job.status === 'queued' || job.status === 'running');
  const importMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (job.status !== 'done') throw new Error(`import failed: ${job.error}`);
  child.kill('SIGUSR2');
  const importRssMb = (JSON.parse(await nextLine()) as { maxRssMb: number }).maxRssMb;
  const cold = await timed(() => axios.get(`${url}/api/me/history/stats`, auth));
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await timed(() => axios.get(`${url}/api/me/history/stats`, auth))).ms);
  warm.sort((a, b) => a - b);
  // The play log's first page and a personal artist page (the top artist), each warm: median of 5 after a first request.
  const warmMedian = async (u: string) => {
    await axios.get(u, auth);
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) ms.push((await timed(() => axios.get(u, auth))).ms);
    return ms.sort((a, b) => a - b)[2];
  };
  const playLogMs = await warmMedian(`${url}/api/me/history/plays?limit=50`);
  const personalMs = await warmMedian(`${url}/api/me/history/artists/${artistKey(cold.value.data.top_artists[0].name as string)}`);

  // Taste over time: the first request starts the feature and genre lookups; once they are done,
  // the series is computed from memory.
  const tasteUrl = `${url}/api/me/history/taste`;
  const lookupsStart = process.hrtime.bigint();
  let taste = (await axios.get(tasteUrl, auth)).data as { enrichment: { status: string }; coverage: { features_share: number; tracks: number }; periods: unknown[] };
  while (taste.enrichment.status === 'running') {
    await new Promise((r) => setTimeout(r, 250));
    taste = (await axios.get(tasteUrl, auth)).data;
  }
  const lookupsMs = Number(process.hrtime.bigint() - lookupsStart) / 1e6;
  if (taste.enrichment.status !== 'done') throw new Error(`taste lookups ${taste.enrichment.status}`);
  const tasteWarm: number[] = [];
  for (let i = 0; i < 5; i++) tasteWarm.push((await timed(() => axios.get(`${tasteUrl}?granularity=${i % 2 ? 'week' : 'month'}`, auth))).ms);
  tasteWarm.sort((a, b) => a - b);

  child.kill('SIGTERM');
  const { maxRssMb } = JSON.parse(await nextLine()) as { maxRssMb: number };
  await sandbox.close();
  return {
    plays: job.plays_read, mb, importMs, uploadMs, rate: job.plays_read / (importMs / 1000), coldMs: cold.ms, warmMs: warm[2], importRssMb, maxRssMb, statsPlays: cold.value.data.plays as number,
    playLogMs, personalMs, tasteWarmMs: tasteWarm[2], tasteLookupsMs: lookupsMs, tasteTracks: taste.coverage.tracks, tasteCoverage: taste.coverage.features_share, tastePeriods: taste.periods.length,
  };
}

/**
 * The strongest honest baseline for an import: a plain Node process reading the same file and
 * `JSON.parse`-ing it whole (no size bound, no validation, nothing stored), timed inside the process.
 */
function bareParseMs(file: string): number {
  const out = execFileSync(process.execPath, ['--max-old-space-size=4096', '-e',
    'const fs=require("fs");const t=process.hrtime.bigint();const v=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6+0*v.length))', file]);
  return Number(out.toString());
}

async function benchHistory(): Promise<void> {
  const samples = quick ? 1 : 3;
  const sizes = [quick ? 20_000 : 50_000, quick ? 100_000 : 250_000];
  const runs = new Map<number, Awaited<ReturnType<typeof historyRun>>[]>();
  const parses = new Map<number, number[]>();
  for (const plays of sizes) {
    const file = await generateExport(plays);
    runs.set(plays, []);
    parses.set(plays, []);
    // Paired: the bare parse, then the import, of the same file, `samples` times.
    for (let i = 0; i < samples; i++) {
      parses.get(plays)!.push(bareParseMs(file));
      runs.get(plays)!.push(await historyRun(file));
    }
    fs.rmSync(file, { force: true });
  }
  const section = 'history import';
  const mid = <T,>(xs: T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)];
  for (const plays of sizes) {
    const r = runs.get(plays)!;
    const parse = parses.get(plays)!;
    const target = plays === sizes[1]; // the target is for the 250,000-play export; the smaller run is for comparison
    const ratios = r.map((x, i) => x.importMs / parse[i]);
    const m = mid(r, (x) => x.importMs);
    record(section, `${m.plays.toLocaleString('en-US')} plays (${m.mb.toFixed(0)} MB extended export) uploaded and imported end to end, vs a bare JSON.parse of the same file in one process; ${samples} paired samples`,
      `${fmtSpread(r.map((x) => x.importMs / 1000), 1, ' s')} (upload ${fmtSpread(r.map((x) => x.uploadMs / 1000), 1, ' s')}) vs parse ${fmtSpread(parse.map((x) => x / 1000), 2, ' s')} = ${fmtSpread(ratios, 2, '×')}; ${Math.round(m.rate).toLocaleString('en-US')} plays/s`,
      target ? '≤ 1.5× the parse' : 'reported', target ? spread(ratios).median <= 1.5 : null);
  }
  const small = mid(runs.get(sizes[0])!, (x) => x.importMs);
  const big = mid(runs.get(sizes[1])!, (x) => x.importMs);
  const bigRuns = runs.get(sizes[1])!;
  const peak = (plays: number) => Math.max(...runs.get(plays)!.map((x) => x.importRssMb));
  const [smallPeak, bigPeak] = [peak(sizes[0]), peak(sizes[1])];
  record(section, `peak RSS of the server process during the import (the highest of ${samples}), ${small.plays.toLocaleString('en-US')} vs ${big.plays.toLocaleString('en-US')} plays`, `${smallPeak} MB vs ${bigPeak} MB = ${(bigPeak / smallPeak).toFixed(2)}× for ${(big.plays / small.plays).toFixed(0)}× the plays`, '< 300 MB at both sizes, flat', Math.max(smallPeak, bigPeak) < 300 && bigPeak / smallPeak < 1.25);
  record(section, 'peak RSS including the first all-time statistics and taste over time (whole history decoded into memory)', `${small.maxRssMb} MB vs ${big.maxRssMb} MB`, 'reported', null);
  record(section, `all-time GET /api/me/history/stats over ${big.plays.toLocaleString('en-US')} plays (each sample: the first request after the import, then the median of 5 warm ones)`,
    `${fmtSpread(bigRuns.map((x) => x.warmMs), 0, ' ms')} warm; ${fmtSpread(bigRuns.map((x) => x.coldMs), 0, ' ms')} cold`, '≤ 50 ms warm, ≤ 400 ms cold', spread(bigRuns.map((x) => x.warmMs)).median <= 50 && spread(bigRuns.map((x) => x.coldMs)).median <= 400);
  record(section, `play log first page, warm (GET /api/me/history/plays, 50 plays) over ${big.plays.toLocaleString('en-US')} plays`, fmtSpread(bigRuns.map((x) => x.playLogMs), 0, ' ms'), '<= 100 ms', spread(bigRuns.map((x) => x.playLogMs)).median <= 100);
  record(section, `personal artist page JSON, warm (GET /api/me/history/artists/:key, the top artist, all time) over ${big.plays.toLocaleString('en-US')} plays`, fmtSpread(bigRuns.map((x) => x.personalMs), 0, ' ms'), 'reported', null);
  record(section, `taste over time (GET /api/me/history/taste, all time, months and weeks) over ${big.plays.toLocaleString('en-US')} plays`,
    `${fmtSpread(bigRuns.map((x) => x.tasteWarmMs), 0, ' ms')} warm for ${big.tastePeriods} months; vs ${small.tasteWarmMs.toFixed(0)} ms for ${small.plays.toLocaleString('en-US')} plays`, '≤ 50 ms', spread(bigRuns.map((x) => x.tasteWarmMs)).median <= 50);
  record(section, 'taste lookups on first use (features of every distinct track in batches, genres of the top artists)',
    `${(big.tasteLookupsMs / 1000).toFixed(1)} s for ${big.tasteTracks.toLocaleString('en-US')} tracks; features for ${Math.round(big.tasteCoverage * 100)}% of listening time`, 'reported', null);
}

/** Starts scripts/historyBenchServer.js (the app with embedded DynamoDB, one user and a token) in a process of its own. */
async function startHistoryServer(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--max-old-space-size=384', path.resolve(__dirname, 'historyBenchServer.js')], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env },
  });
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`history bench server exited with ${code}`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return {
    url, token,
    close: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}

/** Asks `url` every `everyMs` until `stop()` is true; returns each answer's latency in ms. */
async function sampleLatency(url: string, everyMs: number, stop: () => boolean): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  while (!stop()) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      http.get(url, { agent }, (res) => { res.resume(); res.on('end', () => resolve()); }).on('error', reject);
    });
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  agent.destroy();
  return out;
}

const percentile = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

/**
 * Issue #12: `/healthz` stays responsive while a hostile upload is processed: one JSON element of
 * 10 MiB (a track name of 10 MiB), which the importer must refuse while streaming, without parsing
 * it whole on the main thread. Baseline: the same sampling against the idle server, in the same run.
 */
async function benchUploadStall(): Promise<void> {
  const file = path.join(os.tmpdir(), 'Streaming_History_Audio_bench_single.json');
  fs.writeFileSync(file, `[{"ts":"2024-01-01T00:00:00Z","ms_played":1000,"master_metadata_track_name":"${'x'.repeat(10 * 2 ** 20)}","master_metadata_album_artist_name":"A"}]`);
  const idleP99: number[] = [];
  const busyP99: number[] = [];
  const busyMax: number[] = [];
  const outcomes = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const server = await startHistoryServer();
    const health = `${server.url}/healthz`;
    const idleUntil = Date.now() + 2000;
    idleP99.push(percentile(await sampleLatency(health, 10, () => Date.now() > idleUntil), 99));
    let done = false;
    const sampling = sampleLatency(health, 10, () => done);
    const auth = { headers: { Authorization: `Bearer ${server.token}` } };
    try {
      const { id } = await uploadFile(server.url, server.token, file);
      let job: { status: string; error: string | null };
      do {
        await new Promise((r) => setTimeout(r, 50));
        job = (await axios.get(`${server.url}/api/me/history/imports/${id}`, auth)).data;
      } while (job.status === 'queued' || job.status === 'running');
      outcomes.add(`${job.status}: ${(job.error ?? '').split(',')[0]}`);
    } catch (err) {
      // A refusal at upload time (4xx) is a fine outcome too: the point is the latency meanwhile.
      outcomes.add(String((err as Error).message).slice(0, 100));
    } finally {
      done = true;
    }
    const busy = await sampling;
    busyP99.push(percentile(busy, 99));
    busyMax.push(Math.max(...busy));
    await server.close();
  }
  fs.rmSync(file, { force: true });
  const section = 'hostile uploads';
  record(section, `GET /healthz p99 while a 10 MiB single-element JSON upload is received and refused (${[...outcomes].join('; ')})`,
    `${fmtSpread(busyP99, 1, ' ms')} (max single answer ${fmtSpread(busyMax, 0, ' ms')}); idle server ${fmtSpread(idleP99, 1, ' ms')}`, 'p99 < 100 ms', Math.max(...busyP99) < 100);
}

/**
 * Issue #13: bytes on the wire for a first and a repeat dashboard visit, as Chromium counts them
 * (CDP Network.loadingFinished encodedDataLength: compressed bodies plus headers; answers from the
 * browser's cache count 0). A fresh browser profile per sample; the repeat visit is a navigation
 * to the same URL in the same profile, as a person coming back does.
 */
async function benchPageBytes(): Promise<void> {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.log(`  (page bytes skipped: no Chromium at ${executablePath})`);
    return;
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const stack = await startStack({ profile: 'development' }, { SPOTIFY_API_PROFILE: 'development' });
  const first: number[] = [];
  const repeat: number[] = [];
  const requests = { first: 0, repeat: 0, repeatFromNetwork: 0 };
  try {
    for (let i = 0; i < 3; i++) {
      const cookie = await loginCookie(stack.url, 'rin.demo');
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies(cookie.split('; ').map((c) => {
        const at = c.indexOf('=');
        return { name: c.slice(0, at), value: c.slice(at + 1), url: stack.url };
      }));
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      let bytes = 0;
      let count = 0;
      let fromNetwork = 0;
      // Served from the memory or disk cache: no bytes on the wire, which the count below leaves out.
      const cached = new Set<string>();
      cdp.on('Network.requestServedFromCache', (e: { requestId: string }) => { cached.add(e.requestId); });
      cdp.on('Network.responseReceived', (e: { requestId: string; response: { fromDiskCache?: boolean } }) => { count++; if (e.response.fromDiskCache) cached.add(e.requestId); });
      cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
        bytes += e.encodedDataLength;
        if (!cached.has(e.requestId)) fromNetwork++;
      });
      const visit = async () => {
        bytes = 0; count = 0; fromNetwork = 0;
        await page.goto(`${stack.url}/dashboard`, { waitUntil: 'networkidle' });
        await page.waitForSelector('#chart-genres[data-drawn="1"]', { timeout: 60_000 });
        await page.waitForLoadState('networkidle');
        return { bytes, count, fromNetwork };
      };
      // The very first dashboard after login may show the "building your dashboard" page first: that is part of a first visit.
      const a = await visit();
      const b = await visit();
      first.push(a.bytes / 2 ** 20);
      repeat.push(b.bytes / 1024);
      requests.first = a.count;
      requests.repeat = b.count;
      requests.repeatFromNetwork = b.fromNetwork;
      await context.close();
    }
  } finally {
    await browser.close();
    await stack.close();
  }
  const section = 'pages';
  record(section, `bytes transferred for a first dashboard visit (HTML, CSS, JS incl. plotly, data; compressed as sent), Chromium, fresh profile; ${requests.first} requests`, fmtSpread(first, 2, ' MB'), '≤ 1.6 MB', spread(first).median <= 1.6);
  record(section, `bytes transferred for a repeat visit (the same browser, a navigation back to /dashboard); ${requests.repeat} requests, ${requests.repeatFromNetwork} of them over the network`, fmtSpread(repeat, 1, ' KB'), '≤ 100 KB', spread(repeat).median <= 100);
}

/**
 * Issue #13: the dashboard's data on a snapshot miss, at 100 ms per Spotify request: the first
 * GET /api/me/summary after logging in (nothing cached, not even genres or features) and a
 * `?refresh=1` rebuild, against the floor of 3 dependent round trips. Fresh servers per sample.
 */
async function benchSummary(): Promise<void> {
  const latencyMs = 100;
  for (const profile of ['development', 'extended'] as const) {
    const cold: number[] = [];
    const rebuilt: number[] = [];
    let requests = 0;
    for (let i = 0; i < 3; i++) {
      const s = await startStack({ profile, latencyMs }, { SPOTIFY_API_PROFILE: profile });
      const cookie = await loginCookie(s.url, 'rin.demo');
      const before = await counterWhere(s.metrics, 'spotify_requests_total', () => true);
      cold.push((await timed(() => axios.get(`${s.url}/api/me/summary`, { headers: { cookie } }))).ms);
      requests = (await counterWhere(s.metrics, 'spotify_requests_total', () => true)) - before;
      rebuilt.push((await timed(() => axios.get(`${s.url}/api/me/summary?refresh=1`, { headers: { cookie } }))).ms);
      await s.close();
    }
    const section = `dashboard (${profile})`;
    record(section, `GET /api/me/summary on a snapshot miss right after login, ${latencyMs} ms per Spotify request (${requests} requests to Spotify and the enrichment services), vs the floor of 3 dependent round trips = ${3 * latencyMs} ms; 3 fresh servers`,
      `${fmtSpread(cold, 0, ' ms')} = ${(spread(cold).median / (3 * latencyMs)).toFixed(2)}× the floor`,
      // Development Mode gives no artist genres: a first dashboard asks MusicBrainz about each top artist,
      // one request at a time as MusicBrainz requires (waiting at most GENRE_BUDGET_MS), before discovery.
      profile === 'extended' ? '≤ 500 ms' : 'reported (MusicBrainz: one request at a time)', profile === 'extended' ? spread(cold).median <= 500 : null);
    record(section, 'the same with ?refresh=1 (snapshot rebuilt; genres and features already known)', fmtSpread(rebuilt, 0, ' ms'), '≤ 500 ms', spread(rebuilt).median <= 500);
  }
}

/** Logs a demo listener in through the sandbox consent page, as a browser would; returns the session cookie. */
async function loginCookie(appUrl: string, listener: string): Promise<string> {
  const start = await axios.get(`${appUrl}/auth/spotify`, { maxRedirects: 0, validateStatus: () => true });
  const cookies = (h: unknown) => ((h as string[] | undefined) ?? []).map((c) => c.split(';')[0]);
  let jar = cookies(start.headers['set-cookie']);
  const authorize = new URL(start.headers.location as string);
  const consent = await axios.post(`${authorize.origin}/authorize`, new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), listener, decision: 'approve' }).toString(), {
    maxRedirects: 0, validateStatus: () => true, headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const callback = new URL(consent.headers.location as string);
  const done = await axios.get(`${appUrl}${callback.pathname}${callback.search}`, { maxRedirects: 0, validateStatus: () => true, headers: { cookie: jar.join('; ') } });
  jar = [...jar.filter((c) => !c.startsWith('sda.sid=')), ...cookies(done.headers['set-cookie'])];
  return jar.join('; ');
}

/**
 * Mixed load against warm caches: landing page, cached artist page, cached artist JSON, dashboard
 * with a cached snapshot, history statistics; three rounds to see whether memory grows.
 */
type LoadResult = Pick<autocannon.Result, 'requests' | 'latency' | 'errors' | 'timeouts' | 'non2xx'>;

/** Runs autocannon in a child process (scripts/loadClient.ts): the app's process measures only the app. */
function load(opts: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(__dirname, 'loadClient.js'), JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load client exited with ${code}`))));
  });
}

async function benchLoad(): Promise<void> {
  const section = 'load (mixed workload)';
  const seconds = quick ? 5 : 30;
  const stack = await startStack({ profile: 'development' });
  const id = catalog.notable.smallArtistId;
  await axios.get(`${stack.url}/api/artists/${id}`);
  const cookie = await loginCookie(stack.url, 'ava.demo');
  await axios.get(`${stack.url}/api/me/summary`, { headers: { cookie } });
  const settings = await axios.get(`${stack.url}/settings`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(settings.data as string)![1];
  const cookies2 = ((settings.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]);
  const allCookies = [cookie, ...cookies2].join('; ');
  await axios.post(`${stack.url}/history/demo-import`, new URLSearchParams({ _csrf: csrf }).toString(), {
    headers: { cookie: allCookies, 'content-type': 'application/x-www-form-urlencoded' }, maxRedirects: 0, validateStatus: () => true,
  });
  for (let i = 0; i < 300; i++) {
    const jobs = (await axios.get(`${stack.url}/api/me/history/imports`, { headers: { cookie } })).data.imports as { status: string }[];
    if (jobs.length && jobs.every((j) => j.status === 'done' || j.status === 'failed')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await axios.get(`${stack.url}/api/me/history/stats`, { headers: { cookie } });
  // Browsers ask for compressed answers; the app and the baseline get the same request headers.
  const enc = { 'accept-encoding': 'br, gzip, deflate' };
  const requests = [
    { path: '/', headers: enc },
    { path: `/artists/${id}`, headers: enc },
    { path: `/api/artists/${id}`, headers: enc },
    { path: '/dashboard', headers: { ...enc, cookie } },
    { path: '/api/me/history/stats', headers: { ...enc, cookie } },
  ];
  // The strongest honest baseline: bare node:http replaying each path's very bytes and headers as
  // the app sent them, so the ratio is the price of everything the app does beyond writing them.
  const captured = new Map<string, Captured>();
  for (const r of requests) captured.set(r.path, await capture(`${stack.url}${r.path}`, r.headers));
  const bare = await replayServer(captured);
  const baselineRuns: LoadResult[] = [];
  for (let i = 0; i < 3; i++) baselineRuns.push(await load({ url: bare.url, connections: 50, duration: Math.max(2, Math.round(seconds / 3)), requests }));
  await bare.close();
  const rss: number[] = [];
  const heap: number[] = [];
  const external: number[] = [];
  const rounds: LoadResult[] = [];
  let errors = 0;
  // A warm-up round first (caches filling, code getting optimised); then three measured rounds.
  const warm = await load({ url: stack.url, connections: 50, duration: Math.min(10, seconds), requests });
  errors += warm.errors + warm.timeouts + warm.non2xx;
  for (let round = 0; round < 3; round++) {
    const last = await load({ url: stack.url, connections: 50, duration: seconds, requests });
    rounds.push(last);
    errors += last.errors + last.timeouts + last.non2xx;
    // After a full collection (npm run bench passes --expose-gc), RSS shows what is retained, not
    // how far the collector happened to let the heap grow.
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 500));
    const mem = process.memoryUsage();
    rss.push(mem.rss);
    heap.push(mem.heapUsed);
    external.push(mem.external);
  }
  const ours = rounds.map((r) => r.requests.average);
  const base = baselineRuns.map((r) => r.requests.average);
  record(section, `landing, artist page, artist JSON, dashboard, history stats; 50 connections, a warm-up round, then 3 rounds of ${seconds} s`,
    `${fmtSpread(ours, 0)} req/s, p50 ${fmtSpread(rounds.map((r) => r.latency.p50), 0, ' ms')}, p99 ${fmtSpread(rounds.map((r) => r.latency.p99), 0, ' ms')}; errors and non-2xx: ${errors}`, '0 errors', errors === 0);
  record(section, 'against bare node:http replaying the same five answers (same bytes and headers), 3 runs in the same session', `${fmtSpread(base, 0)} req/s, p99 ${fmtSpread(baselineRuns.map((r) => r.latency.p99), 0, ' ms')} → mixed workload at ${(spread(ours).median / spread(base).median).toFixed(2)}× its throughput`, 'reported', null);
  const growth = rss[2] / rss[0] - 1;
  record(section, 'RSS after each round, after a full GC (the app process; the sandbox and the load generator run apart)', `${rss.map((r) => Math.round(r / 2 ** 20)).join(' → ')} MB: ${(growth * 100).toFixed(1)}% from round 1 to 3 (V8 heap in use ${heap.map((r) => Math.round(r / 2 ** 20)).join(' → ')} MB, external ${external.map((r) => Math.round(r / 2 ** 20)).join(' → ')} MB)`, '< 10% growth', growth < 0.1);
  await stack.close();
}

/** The commit the figures come from; "+changes" when the worktree differed from it. */
function commitOf(): string {
  try {
    const root = path.resolve(__dirname, '../..');
    const sha = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    // BENCHMARKS.md itself is what the bench rewrites; any other change means unrecorded code.
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return 'unknown';
  }
}

function writeMarkdown(): void {
  const file = path.resolve(__dirname, '../../BENCHMARKS.md');
  // A partial run (--only) keeps the rows of the sections it did not measure.
  const measured = new Set(rows.map((r) => r.section));
  const kept: string[] = [];
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const cells = line.split(' | ');
      if (line.startsWith('| ') && cells.length >= 5 && !line.startsWith('| | section') && !measured.has(cells[1].trim())) kept.push(line);
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (scripts/bench.ts), which rewrites this file. Every ratio compares two',
    'measurements taken in the same run on the same machine, so it means more than any absolute figure',
    'on this noisy machine.',
    '',
    `Last run: ${new Date().toISOString()} · commit ${commitOf()}${only ? ` (--only ${only}${quick ? ' --quick' : ''}: the other sections' rows are from earlier runs)` : quick ? ' (--quick)' : ''} · Node ${process.version} · ${os.cpus().length} × ${cpu} · ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    '',
    '| | section | measure | result | target |',
    '|---|---|---|---|---|',
    ...kept,
    ...rows.map((r) => `| ${r.ok === null ? '' : r.ok ? '✓' : '✗'} | ${r.section} | ${r.measure} | ${r.value} | ${r.target} |`),
    '',
  ];
  fs.writeFileSync(file, lines.join('\n'));
  console.log(`\nwrote ${file}`);
}

async function main(): Promise<void> {
  if (!only || only === 'artist') await benchArtist();
  // Just the rate-limited rows (a part of --only artist).
  if (only === 'ratelimit') await benchRateLimit();
  if (only === 'ingest') await benchArtist(['extended']);
  if (only === 'cached') {
    // Just the cached artist API rows (a part of --only artist), for quick checks.
    const stack = await startStack({ profile: 'development' }, { SPOTIFY_API_PROFILE: 'development' });
    await benchCachedArtist(stack);
    await stack.close();
  }
  if (!only || only === 'history') await benchHistory();
  if (!only || only === 'upload') await benchUploadStall();
  if (!only || only === 'pages') await benchPageBytes();
  if (!only || only === 'summary') await benchSummary();
  if (!only || only === 'load') await benchLoad();
  writeMarkdown();
  const failed = rows.filter((r) => r.ok === false);
  if (failed.length) {
    console.log(`\n${failed.length} figure(s) missed their target.`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
