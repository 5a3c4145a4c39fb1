import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import request from 'supertest';
import { accountId } from '../../src/sandbox/objects';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { stats, upload, waitForJob } from '../helpers/history';
import { makeZip, readZip } from '../helpers/zip';

jest.setTimeout(120_000);

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const exportZip = async (t: TestApp, token: string) =>
  (await request(t.url).get('/api/me/export').set('Authorization', `Bearer ${token}`).buffer(true).parse(binary).expect(200).expect('Content-Type', 'application/zip')).body as Buffer;

async function scanAll(t: TestApp): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const table of [t.store.tables.app, t.store.tables.catalog]) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await t.store.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...((page.Items as Record<string, unknown>[]) ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return items;
}

describe('lossless export and restore, and account deletion', () => {
  let a: TestApp;
  let b: TestApp;
  let agentA: ReturnType<TestApp['agent']>;
  let tokenA: string;
  const user = accountId('marcus.demo');
  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp();
    agentA = a.agent();
    await login(a, agentA, 'marcus.demo');
    const page = await agentA.get('/history').expect(200);
    await agentA.post('/history/demo-import').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    await a.services.historyImports.idle();
    tokenA = await createApiToken(agentA, 'backup');
    // Settings and a dashboard snapshot, so the backup carries more than plays.
    await request(a.url).put('/api/me/counting-rules').set('Authorization', `Bearer ${tokenA}`)
      .send({ min_play_seconds: 40, skipped: 'time_only', offline: 'count', incognito: 'count' }).expect(200);
    const settings = await agentA.get('/settings').expect(200);
    await agentA.post('/settings/time-zone').type('form').send({ _csrf: csrfFrom(settings.text), time_zone: 'America/Chicago' }).expect(303);
    await request(a.url).get('/api/me/summary').set('Authorization', `Bearer ${tokenA}`).expect(200);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('export → restore on another server → export gives identical files, and identical statistics', async () => {
    const first = await exportZip(a, tokenA);
    const files = await readZip(first);
    expect([...files.keys()]).toEqual(['manifest.json', 'settings.json', 'history.jsonl', 'history.csv', 'snapshots.jsonl', 'snapshots.csv']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    const lines = files.get('history.jsonl')!.toString().trim().split('\n');
    expect(manifest).toMatchObject({ format: 'spotify-data-app-backup', version: 1, counts: { plays: lines.length, snapshot_days: 1 } });
    expect(files.get('history.csv')!.toString().split('\r\n').length).toBe(lines.length + 2); // header + rows + final newline
    expect(JSON.parse(files.get('settings.json')!.toString())).toEqual({
      time_zone: 'America/Chicago', counting_rules: { min_play_seconds: 40, skipped: 'time_only', offline: 'count', incognito: 'count' },
    });
    for (const secret of ['access', 'refresh', 'token', 'hash']) expect(first.toString('latin1')).not.toMatch(new RegExp(`"${secret}`, 'i'));

    const agentB = b.agent();
    await login(b, agentB, 'marcus.demo');
    const tokenB = await createApiToken(agentB, 'restore');
    const job = await upload(b, tokenB, 'spotify-data-app-backup.zip', first);
    expect(job).toMatchObject({ status: 'done', error: null });
    const second = await exportZip(b, tokenB);
    const again = await readZip(second);
    for (const [name, data] of files) expect({ name, same: again.get(name)!.equals(data) }).toEqual({ name, same: true });
    expect(second.equals(first)).toBe(true);
    expect(await stats(b, tokenB)).toEqual(await stats(a, tokenA));

    // Restoring again adds nothing.
    const twice = await upload(b, tokenB, 'spotify-data-app-backup.zip', first);
    expect(twice.plays_added).toBe(0);
  });

  it('a damaged backup fails with the file and line, and writes nothing', async () => {
    const files = await readZip(await exportZip(a, tokenA));
    const lines = files.get('history.jsonl')!.toString().split('\n');
    lines[4] = lines[4].replace(/"ms_played":\d+/, '"ms_played":"lots"');
    const zip = makeZip([...files].map(([name, data]) => ({ name, data: name === 'history.jsonl' ? lines.join('\n') : data })));
    const c = await startTestApp({ sandbox: a.sandbox, dynamo: b.dynamo });
    try {
      const agent = c.agent();
      await login(c, agent, 'rin.demo');
      const token = await createApiToken(agent, 'bad');
      const job = await upload(c, token, 'backup.zip', zip);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/history\.jsonl: line 5: ms_played/);
      expect((await stats(c, token)).plays).toBe(0);
      const badSettings = makeZip([...files].map(([name, data]) => ({ name, data: name === 'settings.json' ? '{"time_zone":"Mars/Base","counting_rules":{}}' : data })));
      const job2 = await upload(c, token, 'backup.zip', badSettings);
      expect(job2.error).toMatch(/settings\.json: time_zone/);
      expect((await stats(c, token)).plays).toBe(0);
      const res = await request(c.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`)
        .attach('file', makeZip([{ name: 'manifest.json', data: '{"format":"something-else"}' }]), 'x.zip').expect(202);
      expect((await waitForJob(c, token, res.body.id)).error).toMatch(/manifest\.json is not a spotify-data-app-backup/);
    } finally {
      await c.close();
    }
  });

  it('deleting the account removes every item of the person from every table', async () => {
    // A share link and a second session, so deletion has pointers elsewhere to follow.
    const year = (await stats(a, tokenA)).years[0].year;
    await request(a.url).post('/api/me/shares').set('Authorization', `Bearer ${tokenA}`).send({ year: Number(year) }).expect(201);
    const other = a.agent();
    await login(a, other, 'marcus.demo');
    const before = (await scanAll(a)).filter((i) => JSON.stringify(i).includes(user));
    expect(before.length).toBeGreaterThan(10);

    await request(a.url).delete('/api/me').set('Authorization', `Bearer ${tokenA}`).send({}).expect(400);
    const settings = await agentA.get('/settings').expect(200);
    await agentA.post('/settings/delete-account').type('form').send({ _csrf: csrfFrom(settings.text), confirm: 'delete' }).expect(400);
    const done = await agentA.post('/settings/delete-account').type('form').send({ _csrf: csrfFrom(settings.text), confirm: 'DELETE' }).expect(303);
    expect(done.headers.location).toBe('/?deleted=1');

    const left = (await scanAll(a)).filter((i) => JSON.stringify(i).includes(user) || /^(HIST|USER)#/.test(String(i.pk)) && String(i.pk).endsWith(user));
    expect(left).toEqual([]);
    const pointers = (await scanAll(a)).filter((i) => /^(APITOKEN|SHARE)#/.test(String(i.pk)));
    expect(pointers).toEqual([]);
    await request(a.url).get('/api/me/history/stats').set('Authorization', `Bearer ${tokenA}`).expect(401);
    expect((await other.get('/settings')).status).toBe(302);
  });
});
