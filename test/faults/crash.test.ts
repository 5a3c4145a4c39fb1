import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startSandbox } from '../../src/sandbox';
import { TokenCipher } from '../../src/security/TokenCipher';
import { ApiTokenService } from '../../src/services/ApiTokenService';
import { ApiTokenRepository } from '../../src/store/ApiTokenRepository';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { Store } from '../../src/store/Store';
import { UserRepository } from '../../src/store/UserRepository';

jest.setTimeout(120_000);

const SERVER = path.resolve(__dirname, '../../dist/src/server.js');
const SECRET = 'crash-test-secret-crash-test-secret-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The real server process (npm start's), pointed at a sandbox and DynamoDB that outlive it. */
async function startServerProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  if (!fs.existsSync(SERVER)) throw new Error('dist/src/server.js is missing: npm test builds it first (npm run build)');
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await request(url).get('/healthz').then((r) => r.status === 200, () => false);
    if (ok) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('kill -9 of the server', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let dynamo: EmbeddedDynamo;
  let store: Store;
  let env: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, latencyMs: 60 });
    dynamo = await startEmbeddedDynamo();
    store = new Store({ endpoint: dynamo.endpoint, tablePrefix: '' });
    await store.ensureTables();
    env = {
      SPOTIFY_CLIENT_ID: 'sandbox-client', SPOTIFY_CLIENT_SECRET: 'sandbox-secret', SESSION_SECRET: SECRET,
      SPOTIFY_ACCOUNTS_URL: sandbox.url, SPOTIFY_API_URL: `${sandbox.url}/v1`,
      RECCOBEATS_URL: `${sandbox.url}/reccobeats`, MUSICBRAINZ_URL: `${sandbox.url}/musicbrainz`, MUSICBRAINZ_INTERVAL_MS: '0',
      DYNAMODB_ENDPOINT: dynamo.endpoint, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sda-crash-')),
      INGEST_LEASE_SECONDS: '2', HISTORY_JOB_STALE_SECONDS: '2', LOG_LEVEL: 'silent', NODE_ENV: 'production',
    };
  });
  afterAll(async () => {
    store.destroy();
    await dynamo.close();
    await sandbox.close();
  });

  it('during an artist ingest: nothing is served as complete, and the next request completes it', async () => {
    const id = sandbox.catalog.notable.largestArtistId;
    let server = await startServerProcess(env);
    request(server.url).get(`/api/artists/${id}`).then(() => undefined, () => undefined);
    // Wait until the ingest has begun writing, then kill the process without warning.
    for (let i = 0; i < 100; i++) {
      const item = await store.doc.send(new GetCommand({ TableName: 'spotify', Key: { artist_id: id, track_id: '#artist' } }));
      if (item.Item?.status === 'ingesting') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    await killHard(server.child);
    const after = await store.doc.send(new GetCommand({ TableName: 'spotify', Key: { artist_id: id, track_id: '#artist' }, ConsistentRead: true }));
    expect(after.Item?.status).toBe('ingesting');
    expect(after.Item?.complete_generation ?? null).toBeNull();

    server = await startServerProcess(env);
    try {
      const status = await request(server.url).get(`/api/artists/${id}/status`).expect(200);
      expect(status.body.complete).toBe(false);
      // The dead worker's lease lapses (INGEST_LEASE_SECONDS) and this request redoes the ingest. On a
      // busy machine the redo can outlast ARTIST_API_WAIT_SECONDS: then it answers 202 with progress,
      // and the script polls as documented (bounded: 600 polls) until the artist is complete.
      let res = await request(server.url).get(`/api/artists/${id}`);
      for (let i = 0; i < 600 && res.status === 202; i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await request(server.url).get(`/api/artists/${id}`);
      }
      expect(res.status).toBe(200);
      expect(res.body.complete).toBe(true);
      expect(res.body.albums).toHaveLength(sandbox.catalog.artists.get(id)!.albumIds.length);
    } finally {
      await killHard(server.child);
    }
  });

  it('during a history import: the job says it was interrupted, then resumes by itself from its checkpoint, every play once', async () => {
    const cipher = new TokenCipher([SECRET]);
    await new UserRepository(store, cipher).upsertFromLogin(
      { id: 'crash-user', displayName: 'Crash', imageUrl: null, country: null, product: null },
      { accessToken: 'x', refreshToken: 'y', expiresAt: Date.now() + 3600_000, scope: '' },
    );
    const { token } = await new ApiTokenService(new ApiTokenRepository(store)).create('crash-user', 'crash');
    const n = 120_000;
    const start = Date.UTC(2015, 0, 1);
    const body = `[${Array.from({ length: n }, (_, i) => JSON.stringify({ ts: new Date(start + i * 2_400_000).toISOString(), ms_played: 90_000, master_metadata_track_name: `T${i % 300}`, master_metadata_album_artist_name: `A${i % 40}`, master_metadata_album_album_name: 'X', spotify_track_uri: null, platform: 'ios', conn_country: 'NO' })).join(',')}]`;

    let server = await startServerProcess(env);
    const up = await request(server.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).attach('file', Buffer.from(body), 'Streaming_History_Audio_2015-2025.json').expect(202);
    const jobOf = (url: string) => request(url).get(`/api/me/history/imports/${up.body.id}`).set('Authorization', `Bearer ${token}`).expect(200).then((r) => r.body);
    // Kill it once part of the plays are written.
    let before = await jobOf(server.url);
    for (let i = 0; i < 400 && !(before.checkpoint > 0); i++) {
      await new Promise((r) => setTimeout(r, 20));
      before = await jobOf(server.url);
    }
    await killHard(server.child);
    expect(before.checkpoint).toBeGreaterThan(0);
    expect(before.checkpoint).toBeLessThan(n);

    server = await startServerProcess(env);
    try {
      // Until the dead process's heartbeat is stale, the job reads as running; then as interrupted.
      let job = await jobOf(server.url);
      const seen = new Set<string>([job.status]);
      for (let i = 0; i < 300 && job.status !== 'done' && job.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = await jobOf(server.url);
        seen.add(job.status);
        if (job.status === 'waiting') expect(job.error).toMatch(/interrupted.*continues from its checkpoint/);
      }
      expect(job.status).toBe('done');
      expect(job.plays_read).toBe(n);
      const stats = (await request(server.url).get('/api/me/history/stats').set('Authorization', `Bearer ${token}`).expect(200)).body;
      expect(stats.entries).toBe(n);
      console.log(`kill -9 during import at checkpoint ${before.checkpoint}/${n}: statuses ${[...seen].join(' → ')}; resumed without a new upload, ${stats.entries} plays, none doubled`);
    } finally {
      await killHard(server.child);
    }
  });
});
