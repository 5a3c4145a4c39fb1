import request from 'supertest';
import { accountId } from '../../src/sandbox/objects';
import { FriendService } from '../../src/services/FriendService';
import { FriendRepository } from '../../src/store/FriendRepository';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { ext, upload } from '../helpers/history';

jest.setTimeout(120_000);

type Agent = ReturnType<TestApp['agent']>;
const H = 3600_000;

/** Plays of (track, artist, count) in January 2024, one an hour. */
function history(list: [string, string, number][], startDay = 1): string {
  const out: Record<string, unknown>[] = [];
  let k = 0;
  for (const [track, artist, n] of list) {
    for (let i = 0; i < n; i++) out.push(ext(new Date(Date.UTC(2024, 0, startDay) + k++ * H).toISOString().replace('.000', ''), track, artist, 180_000));
  }
  return JSON.stringify(out);
}

async function person(t: TestApp, listener: string, plays: [string, string, number][], startDay = 1) {
  const agent = t.agent();
  await login(t, agent, listener);
  const token = await createApiToken(agent, 'friends');
  expect(await upload(t, token, 'Streaming_History_Audio_2024_0.json', history(plays, startDay))).toMatchObject({ status: 'done' });
  return { agent, token, id: accountId(listener) };
}

/** Creates an invitation on the Friends page, as a person does; returns the link's token. */
async function inviteByPage(agent: Agent): Promise<string> {
  const page = await agent.get('/friends').expect(200);
  const made = await agent.post('/friends/invites').type('form').send({ _csrf: csrfFrom(page.text) }).expect(201);
  const url = /id="invite-url" value="([^"]+)"/.exec(made.text)?.[1];
  expect(url).toMatch(/\/friends\/invite\/[A-Za-z0-9_-]{43}$/);
  return url!.split('/').pop()!;
}

async function accept(agent: Agent, token: string) {
  const page = await agent.get(`/friends/invite/${token}`).expect(200);
  return agent.post(`/friends/invite/${token}/accept`).type('form').send({ _csrf: csrfFrom(page.text) });
}

const api = (t: TestApp, token: string) => ({
  get: (path: string) => request(t.url).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string, body: object = {}) => request(t.url).post(path).set('Authorization', `Bearer ${token}`).send(body),
  del: (path: string) => request(t.url).delete(path).set('Authorization', `Bearer ${token}`),
});

describe('friends on one instance', () => {
  let t: TestApp;
  let ava: Awaited<ReturnType<typeof person>>;
  let marcus: Awaited<ReturnType<typeof person>>;
  let rin: Awaited<ReturnType<typeof person>>;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_INVITES_PER_HOUR: '1000' } });
    ava = await person(t, 'ava.demo', [['Shared Song', 'Both Band', 30], ['Also Shared', 'Both Band', 10], ['Ava Only', 'Ava Band', 20], ['Common Tune', 'Third Act', 5]], 1);
    marcus = await person(t, 'marcus.demo', [['Shared Song', 'Both Band', 8], ['Common Tune', 'Third Act', 25], ['Marcus Only', 'Marcus Band', 40]], 10);
    rin = await person(t, 'rin.demo', [['Rin Only', 'Rin Band', 5]], 3);
  });
  afterAll(() => t.close());

  it('invites by link, shows only the inviter’s name, and after accepting both see the comparison', async () => {
    const token = await inviteByPage(ava.agent);
    // Nothing is shared yet: neither side sees the other.
    await api(t, marcus.token).get(`/api/me/friends/${ava.id}`).expect(404);
    await api(t, ava.token).get(`/api/me/friends/${marcus.id}`).expect(404);

    const confirm = await marcus.agent.get(`/friends/invite/${token}`).expect(200);
    expect(confirm.text).toContain('id="invite-from"');
    expect(confirm.headers['cache-control']).toBe('no-store');
    const done = await accept(marcus.agent, token);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/friends/${encodeURIComponent(ava.id)}`);

    for (const [me, other] of [[marcus, ava], [ava, marcus]] as const) {
      const c = (await api(t, me.token).get(`/api/me/friends/${other.id}?period=all`).expect(200)).body;
      expect(c.friend.id).toBe(other.id);
      expect(c.shared_artists.map((a: { name: string }) => a.name).sort()).toEqual(['Both Band', 'Third Act']);
      expect(c.shared_tracks.map((x: { name: string }) => x.name).sort()).toEqual(['Common Tune', 'Shared Song']);
      // Listening time side by side: 65 and 73 plays of 3 minutes, all in January 2024.
      const mine = me === ava ? 65 : 73;
      const theirs = me === ava ? 73 : 65;
      expect(c.listening.you).toEqual({ ms_played: mine * 180_000, plays: mine });
      expect(c.listening.friend).toEqual({ ms_played: theirs * 180_000, plays: theirs });
      expect(c.listening.months).toEqual([{ month: '2024-01', you_ms: mine * 180_000, friend_ms: theirs * 180_000 }]);
      // Ava played Both Band from 1 January, Marcus from the 10th.
      const both = c.discovered_first.find((d: { name: string }) => d.name === 'Both Band');
      expect(both.first).toBe(me === ava ? 'a' : 'b');
      expect(c.similarity.method).toMatch(/score = 100/);
    }
    const page = await marcus.agent.get(`/friends/${encodeURIComponent(ava.id)}`).expect(200);
    expect(page.text).toContain('id="playlist-form-blend"');
    expect(page.text).toContain('id="chart-friend-months"');

    // The link is used up: anyone else (and Marcus again) gets the same "not valid" page.
    const reuse = await rin.agent.get(`/friends/invite/${token}`).expect(404);
    expect(reuse.text).toMatch(/not valid/);
    expect(reuse.text).not.toContain('Ava');
    expect((await api(t, ava.token).get('/api/me/friends').expect(200)).body.invites).toEqual([]);
    expect((await api(t, ava.token).get('/api/me/friends').expect(200)).body.friends.map((f: { id: string }) => f.id)).toEqual([marcus.id]);
  });

  it('ends a friendship for both, at once', async () => {
    const page = await ava.agent.get(`/friends/${encodeURIComponent(marcus.id)}`).expect(200);
    await ava.agent.post(`/friends/${encodeURIComponent(marcus.id)}/end`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    await api(t, marcus.token).get(`/api/me/friends/${ava.id}`).expect(404);
    await api(t, ava.token).get(`/api/me/friends/${marcus.id}`).expect(404);
    expect((await api(t, marcus.token).get('/api/me/friends').expect(200)).body.friends).toEqual([]);
    await marcus.agent.get(`/friends/${encodeURIComponent(ava.id)}`).expect(404);
  });

  it('revokes a link, refuses one’s own link, and accepts through the API', async () => {
    const made = (await api(t, ava.token).post('/api/me/friends/invites').expect(201)).body;
    const token = made.url.split('/').pop();
    expect((await api(t, ava.token).get('/api/me/friends').expect(200)).body.invites).toEqual([{ id: made.id, created_at: expect.any(String), expires_at: made.expires_at }]);
    await api(t, ava.token).post('/api/me/friends/accept', { token }).expect(400);
    await api(t, ava.token).del(`/api/me/friends/invites/${made.id}`).expect(204);
    await api(t, rin.token).post('/api/me/friends/accept', { token }).expect(404);
    await api(t, ava.token).del(`/api/me/friends/invites/${made.id}`).expect(404);

    const second = (await api(t, ava.token).post('/api/me/friends/invites').expect(201)).body;
    expect((await api(t, rin.token).post('/api/me/friends/accept', { token: second.url.split('/').pop() }).expect(200)).body).toEqual({ friend_id: ava.id });
    expect((await api(t, rin.token).get(`/api/me/friends/${ava.id}`).expect(200)).body.shared_artists).toEqual([]);
    await api(t, rin.token).del(`/api/me/friends/${ava.id}`).expect(204);
  });

  it('lets a link expire', async () => {
    let now = Date.now();
    const { users, personal, historyStats, taste } = t.services;
    const friends = new FriendService({ repo: new FriendRepository(t.store), users, personal, stats: historyStats, taste, publicUrl: t.config.publicUrl, now: () => now });
    const { url } = await friends.createInvite(ava.id);
    const token = url.split('/').pop()!;
    now += 7 * 86_400_000 - 1000;
    await expect(friends.invitation(token, rin.id)).resolves.toMatchObject({ own: false });
    now += 2000;
    await expect(friends.invitation(token, rin.id)).rejects.toMatchObject({ status: 404 });
    await expect(friends.accept(token, rin.id)).rejects.toMatchObject({ status: 404 });
    expect(await friends.invites(ava.id)).toEqual([]);
  });

  it('caps open invitations, and a logged-out visitor learns nothing but that there is an invitation', async () => {
    const open = (await api(t, rin.token).get('/api/me/friends').expect(200)).body.invites.length;
    for (let i = open; i < 10; i++) await api(t, rin.token).post('/api/me/friends/invites').expect(201);
    const refused = await api(t, rin.token).post('/api/me/friends/invites').expect(409);
    expect(refused.body.error.code).toBe('too_many_invites');
    const { url } = (await api(t, ava.token).post('/api/me/friends/invites').expect(201)).body;
    const anon = await request(t.url).get(new URL(url).pathname).expect(200);
    expect(anon.text).toContain('id="invite-login"');
    expect(anon.text).not.toContain('Ava');
    expect(String(anon.headers['set-cookie'])).toMatch(/sda\.invite=/);
  });

  it('sends a logged-out visitor back to the link after logging in', async () => {
    const { url } = (await api(t, ava.token).post('/api/me/friends/invites').expect(201)).body;
    const path = new URL(url).pathname;
    const agent = t.agent();
    await agent.get(path).expect(200);
    expect(await login(t, agent, 'marcus.demo')).toBe(path);
    expect((await agent.get(path).expect(200)).text).toContain('id="invite-accept"');
  });

  it('rate-limits invitation links per person and hour', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_INVITES_PER_HOUR: '2' } });
    try {
      const token = await createApiToken(await (async () => { const a = limited.agent(); await login(limited, a, 'ava.demo'); return a; })(), 'limit');
      await api(limited, token).post('/api/me/friends/invites').expect(201);
      await api(limited, token).post('/api/me/friends/invites').expect(201);
      const res = await api(limited, token).post('/api/me/friends/invites').expect(429);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });

  it('removes friendships and invitations when an account is deleted', async () => {
    const token = await inviteByPage(ava.agent);
    expect((await accept(marcus.agent, token)).status).toBe(303);
    await api(t, ava.token).post('/api/me/friends/invites').expect(201);
    await api(t, ava.token).del('/api/me').send({ confirm: 'DELETE' }).expect(200);
    expect((await api(t, marcus.token).get('/api/me/friends').expect(200)).body.friends).toEqual([]);
    await api(t, marcus.token).get(`/api/me/friends/${ava.id}`).expect(404);
    const items = await t.store.doc.send(new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: t.store.tables.app }));
    const left = (items.Items ?? []).filter((i) => String(i.pk).startsWith('INVITE#') ? i.inviter === ava.id : String(i.sk) === `FRIEND#${ava.id}` || String(i.pk) === `USER#${ava.id}`);
    expect(left).toEqual([]);
  });
});
