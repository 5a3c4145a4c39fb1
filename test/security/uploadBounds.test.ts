import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/harness';
import { ext, stats, tokenFor, upload } from '../helpers/history';
import { makeZip } from '../helpers/zip';

jest.setTimeout(120_000);

const MANIFEST = JSON.stringify({ format: 'spotify-data-app-backup', version: 1, user: { id: 'x', display_name: 'X' }, created_at: '2024-01-01T00:00:00Z', counts: { plays: 1, snapshot_days: 0 } });

/** /healthz answers while `work` runs: every sample, and how many were taken. */
async function healthzDuring<T>(t: TestApp, work: Promise<T>): Promise<{ result: T; samples: number; failures: number }> {
  let done = false;
  let samples = 0;
  let failures = 0;
  const sampler = (async () => {
    while (!done) {
      const res = await request(t.url).get('/healthz').timeout(5000).catch(() => null);
      samples++;
      if (res?.status !== 200) failures++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const result = await work.finally(() => (done = true));
  await sampler;
  return { result, samples, failures };
}

describe('uploads are bounded per line, per element and per job', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await tokenFor(t, 'ava.demo');
  });
  afterAll(() => t.close());

  it('a backup whose history.jsonl is one endless line fails at the line cap, while streaming, and writes nothing', async () => {
    // 3 MiB of one line (the attack used 1 GiB, which ran the process out of heap on every restart).
    // Incompressible, so the zip's ratio check (zipBounds.test.ts) does not refuse it first.
    const line = JSON.stringify({ ts: '2024-01-01T00:00:00.000Z', kind: 'music', name: crypto.randomBytes(2.25 * 2 ** 20).toString('base64'), artist: 'A' });
    const zip = makeZip([
      { name: 'manifest.json', data: MANIFEST },
      { name: 'history.jsonl', data: line + '\n' },
    ]);
    const before = await stats(t, token);
    const { result: job, failures } = await healthzDuring(t, upload(t, token, 'backup.zip', zip));
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/history\.jsonl: line 1 is longer than 1024 KB/);
    expect(failures).toBe(0);
    expect((await stats(t, token)).plays).toBe(before.plays);
  });

  it('a JSON export holding one huge element fails at the element cap instead of being rescanned chunk after chunk', async () => {
    const huge = [{ ...ext('2024-01-01T00:00:00Z', 'Song', 'Artist', 200_000), master_metadata_album_album_name: 'y'.repeat(6 * 2 ** 20) }];
    const { result: job, samples, failures } = await healthzDuring(t, upload(t, token, 'Streaming_History_Audio_2024.json', JSON.stringify(huge)));
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/an entry is longer than 1024 KB/);
    expect(samples).toBeGreaterThan(0);
    expect(failures).toBe(0);
  });

  it('a malformed settings.json in a backup says what is wrong with the file, not "failed on our side"', async () => {
    const zip = makeZip([
      { name: 'manifest.json', data: MANIFEST },
      { name: 'settings.json', data: '{"time_zone": "UTC",' },
      { name: 'history.jsonl', data: '' },
    ]);
    const job = await upload(t, token, 'backup.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/settings\.json is not valid JSON/);
  });

  it('an import whose server died twice while it ran is not resumed again: it fails with a reason and its upload is removed', async () => {
    const { historyImports } = t.services;
    const userId = 'ava.demo';
    // A job left "running" by a process that died (no heartbeat for long), already resumed once after a crash.
    const uploadPath = historyImports.uploadPath();
    fs.writeFileSync(uploadPath, JSON.stringify([ext('2024-02-01T00:00:00Z', 'S', 'A', 100_000)]));
    fs.writeFileSync(`${uploadPath}.spool.0`, '[]');
    const jobId = '00000000-0000-4000-8000-000000000001';
    const stale = new Date(Date.now() - 3600_000).toISOString();
    const repo = (historyImports as unknown as { repo: import('../../src/store/HistoryRepository').HistoryRepository }).repo;
    await repo.putJob(userId, {
      id: jobId, status: 'running', file_name: 'x.json', plays_read: 0, plays_added: 0, episodes_read: 0, files: [], error: null,
      created_at: stale, updated_at: stale, finished_at: null, phase: 'reading', crashes: 1,
    });
    await repo.addPending(userId, jobId, uploadPath, 'x.json');
    const resumed = await historyImports.resumePending();
    expect(resumed).not.toContain(jobId);
    const job = await historyImports.job(userId, jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/stopped its server 2 times/);
    expect(fs.existsSync(uploadPath)).toBe(false);
    expect(fs.readdirSync(path.dirname(uploadPath)).filter((f) => f.startsWith(path.basename(uploadPath)))).toEqual([]);
    expect((await repo.pendingJobs()).map((p) => p.jobId)).not.toContain(jobId);
  });
});
