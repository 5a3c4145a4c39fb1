import request from 'supertest';
import { accountId } from '../../src/sandbox/objects';
import { exportFixtureBytes } from '../helpers/fixtures';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { ext, stats, upload, waitForJob } from '../helpers/history';

jest.setTimeout(120_000);

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const exportZip = async (t: TestApp, token: string) =>
  (await request(t.url).get('/api/me/export').set('Authorization', `Bearer ${token}`).buffer(true).parse(binary).expect(200)).body as Buffer;

async function loggedIn(t: TestApp, listener: string) {
  const agent = t.agent();
  await login(t, agent, listener);
  return { agent, token: await createApiToken(agent, 'undo') };
}

const undo = (t: TestApp, token: string, id: string) => request(t.url).delete(`/api/me/history/imports/${id}`).set('Authorization', `Bearer ${token}`);

describe('undo of an import, and safe restore of another account\'s backup', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('undo removes exactly the plays an import added: stats before = stats after undo; a second import\'s plays survive undoing the first', async () => {
    const { token } = await loggedIn(t, 'ava.demo');
    // Some history before, which neither import touches.
    await upload(t, token, 'StreamingHistory_music_0.json', exportFixtureBytes('split-music'));
    const before = await stats(t, token);

    const first = [ext('2024-07-01T10:00:00Z', 'One', 'Band U', 200_000), ext('2024-07-01T10:05:00Z', 'Two', 'Band U', 180_000), ext('2024-07-02T09:00:00Z', 'Three', 'Band V', 90_000)];
    const a = await upload(t, token, 'Streaming_History_Audio_2024_0.json', JSON.stringify(first));
    expect(a).toMatchObject({ status: 'done', plays_added: 3 });
    // The second overlaps the first in one play (not added by it) and adds two of its own.
    const second = [first[1], ext('2024-07-02T09:10:00Z', 'Four', 'Band V', 120_000), ext('2024-07-03T08:00:00Z', 'Five', 'Band W', 60_000)];
    const b = await upload(t, token, 'Streaming_History_Audio_2024_1.json', JSON.stringify(second));
    expect(b).toMatchObject({ status: 'done', plays_added: 2 });

    expect((await undo(t, token, a.id).expect(200)).body).toEqual({ id: a.id, status: 'undone', plays_removed: 3 });
    const afterA = await stats(t, token);
    expect(afterA.entries).toBe(before.entries + 2);
    expect(afterA.ms_played).toBe(before.ms_played + 120_000 + 60_000);
    expect(afterA.top_tracks.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['Four', 'Five']));
    expect(afterA.top_tracks.map((x: { name: string }) => x.name)).not.toContain('Two');
    // Undoing twice removes nothing more; the job says it was undone.
    expect((await undo(t, token, a.id).expect(200)).body.plays_removed).toBe(0);
    const job = (await request(t.url).get(`/api/me/history/imports/${a.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    expect(job).toMatchObject({ status: 'undone', plays_removed: 3 });

    expect((await undo(t, token, b.id).expect(200)).body.plays_removed).toBe(2);
    expect(await stats(t, token)).toEqual(before);
  });

  it('undo from /history: the page offers it for a finished import, and the form removes the plays', async () => {
    const { agent, token } = await loggedIn(t, 'rin.demo');
    const before = await stats(t, token);
    const job = await upload(t, token, 'StreamingHistory_music_0.json', exportFixtureBytes('same-minute-replay'));
    const page = await agent.get('/history').expect(200);
    expect(page.text).toContain(`action="/history/imports/${job.id}/undo"`);
    await agent.post(`/history/imports/${job.id}/undo`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect(await stats(t, token)).toEqual(before);
    expect((await agent.get('/history').expect(200)).text).toContain('Undone: 2 plays removed.');
  });

  it('an unfinished or unknown import cannot be undone', async () => {
    const { token } = await loggedIn(t, 'rin.demo');
    await undo(t, token, '00000000-0000-4000-8000-00000000abcd').expect(404);
    const failed = await upload(t, token, 'Streaming_History_Audio_x.json', '[{"ts": 1}]');
    expect(failed.status).toBe('failed');
    expect((await undo(t, token, failed.id).expect(409)).body.error).toMatchObject({ code: 'import_not_done' });
  });

  it('a backup made by another account is shown (whose, how many plays, when) and written only after an explicit confirmation; undo takes it back', async () => {
    const ava = await loggedIn(t, 'ava.demo');
    await upload(t, ava.token, 'Streaming_History_Audio_2024_2.json', JSON.stringify([ext('2024-08-01T10:00:00Z', 'Six', 'Band X', 200_000), ext('2024-08-09T10:00:00Z', 'Seven', 'Band X', 200_000)]));
    const backup = await exportZip(t, ava.token);
    const avaPlays = (await stats(t, ava.token)).entries;

    const marcus = await loggedIn(t, 'marcus.demo');
    const before = await stats(t, marcus.token);
    const res = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${marcus.token}`).attach('file', backup, 'spotify-data-app-backup.zip').expect(202);
    let job;
    for (let i = 0; i < 200; i++) {
      job = (await request(t.url).get(`/api/me/history/imports/${res.body.id}`).set('Authorization', `Bearer ${marcus.token}`).expect(200)).body;
      if (job.status !== 'queued' && job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job).toMatchObject({
      status: 'needs_confirmation', plays_added: 0,
      confirmation: { account_id: accountId('ava.demo'), display_name: 'Ava', plays: expect.any(Number), first_play: expect.any(String), last_play: '2024-08-09T10:00:00.000Z' },
    });
    expect(job.confirmation.plays).toBeGreaterThanOrEqual(avaPlays);
    // Nothing written while it waits.
    expect(await stats(t, marcus.token)).toEqual(before);
    const page = (await marcus.agent.get('/history').expect(200)).text;
    expect(page).toContain('This is a backup of <strong>Ava</strong>');
    expect(page).toContain(`action="/history/imports/${res.body.id}/confirm"`);

    await request(t.url).post(`/api/me/history/imports/${res.body.id}/confirm`).set('Authorization', `Bearer ${marcus.token}`).expect(202);
    const done = await waitForJob(t, marcus.token, res.body.id);
    expect(done).toMatchObject({ status: 'done' });
    expect(done.plays_added).toBeGreaterThan(0);
    expect((await stats(t, marcus.token)).entries).toBeGreaterThan(before.entries);
    // Confirming twice is refused.
    await request(t.url).post(`/api/me/history/imports/${res.body.id}/confirm`).set('Authorization', `Bearer ${marcus.token}`).expect(409);

    await undo(t, marcus.token, res.body.id).expect(200);
    expect(await stats(t, marcus.token)).toEqual(before);
  });

  it('a backup of another account that is declined writes nothing', async () => {
    const ava = await loggedIn(t, 'ava.demo');
    const backup = await exportZip(t, ava.token);
    const rin = await loggedIn(t, 'rin.demo');
    const before = await stats(t, rin.token);
    const res = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${rin.token}`).attach('file', backup, 'backup.zip').expect(202);
    await t.services.historyImports.idle();
    expect((await undo(t, rin.token, res.body.id).expect(200)).body).toMatchObject({ status: 'declined', plays_removed: 0 });
    expect(await stats(t, rin.token)).toEqual(before);
    await request(t.url).post(`/api/me/history/imports/${res.body.id}/confirm`).set('Authorization', `Bearer ${rin.token}`).expect(409);
  });
});
