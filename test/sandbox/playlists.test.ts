import request from 'supertest';
import { createSandbox, type SandboxProfile } from '../../src/sandbox';
import { ALL_SCOPES, authorize, bearer, userToken } from './helpers';

const WITH_PLAYLISTS = `${ALL_SCOPES} playlist-modify-private`;

describe.each(['development', 'extended'] as SandboxProfile[])('sandbox playlists (%s profile)', (profile) => {
  const sandbox = createSandbox({ profile });
  const { app, catalog } = sandbox;
  const trackIds = [...catalog.tracks.keys()].slice(0, 150);
  const uris = trackIds.map((id) => `spotify:track:${id}`);
  let token: string;
  let bare: string;
  let other: string;
  beforeAll(async () => {
    token = (await userToken(app, 'ava.demo', WITH_PLAYLISTS)).access_token;
    bare = (await userToken(app, 'ava.demo')).access_token;
    other = (await userToken(app, 'marcus.demo', WITH_PLAYLISTS)).access_token;
  });
  const create = (t: string, body: unknown) => request(app).post('/v1/me/playlists').set(...bearer(t)).send(body as object);

  it('a token without playlist-modify-private gets the 403 Spotify sends, and nothing is created', async () => {
    const before = (await request(app).get('/_sandbox/playlists').expect(200)).body.playlists.length;
    const res = await create(bare, { name: 'Nope', public: false }).expect(403);
    expect(res.body).toEqual({ error: { status: 403, message: 'Insufficient client scope' } });
    expect((await request(app).get('/_sandbox/playlists').expect(200)).body.playlists).toHaveLength(before);
  });

  it('creates a private playlist, adds 100 then 50 items, lists them in order; over 100 URIs is a 400', async () => {
    const created = await create(token, { name: 'My top 150 · 2024', description: 'Made <by> a test', public: false }).expect(201);
    const p = created.body;
    expect(p).toMatchObject({ type: 'playlist', name: 'My top 150 · 2024', description: 'Made <by> a test', public: false, collaborative: false, owner: { id: 'ava.demo', type: 'user' } });
    expect(p.id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(p.uri).toBe(`spotify:playlist:${p.id}`);
    expect(p.external_urls.spotify).toMatch(new RegExp(`/sandbox/playlists/${p.id}$`));
    expect(p.items.total).toBe(0);
    // Feb 2026: `tracks` became `items`; Extended Quota keeps the old field too.
    if (profile === 'development') expect(p.tracks).toBeUndefined();
    else expect(p.tracks.total).toBe(0);

    await request(app).post(`/v1/playlists/${p.id}/items`).set(...bearer(token)).send({ uris: uris.slice(0, 101) }).expect(400)
      .expect((r) => expect(r.body.error).toEqual({ status: 400, message: 'You can add a maximum of 100 tracks per request.' }));
    const first = await request(app).post(`/v1/playlists/${p.id}/items`).set(...bearer(token)).send({ uris: uris.slice(0, 100), position: 0 }).expect(201);
    expect(first.body.snapshot_id).toEqual(expect.any(String));
    const second = await request(app).post(`/v1/playlists/${p.id}/items`).set(...bearer(token)).send({ uris: uris.slice(100), position: 100 }).expect(201);
    expect(second.body.snapshot_id).not.toBe(first.body.snapshot_id);
    await request(app).post(`/v1/playlists/${p.id}/items`).set(...bearer(token)).send({ uris: uris.slice(0, 1), position: 999 }).expect(400);

    const full = await request(app).get(`/v1/playlists/${p.id}`).set(...bearer(token)).expect(200);
    expect(full.body.items.total).toBe(150);
    const page2 = await request(app).get(`/v1/playlists/${p.id}/items?offset=100&limit=100`).set(...bearer(token)).expect(200);
    expect(page2.body.items.map((i: { item: { id: string } }) => i.item.id)).toEqual(trackIds.slice(100));
    expect(page2.body.next).toBeNull();
    const listed = (await request(app).get('/_sandbox/playlists').expect(200)).body.playlists.find((x: { id: string }) => x.id === p.id);
    expect(listed.tracks.map((t: { id: string }) => t.id)).toEqual(trackIds);

    // The demo page lists it, escaped.
    const html = await request(app).get('/sandbox/playlists').expect(200);
    expect(html.text).toContain('My top 150 · 2024');
    expect(html.text).toContain('Made &lt;by&gt; a test');
    expect(html.text).not.toContain('<by>');
    const one = await request(app).get(`/sandbox/playlists/${p.id}`).expect(200);
    expect(one.text.match(/<li>/g)).toHaveLength(150);
    await request(app).get('/sandbox/playlists/0000000000000000000000').expect(404);
  });

  it('unknown playlists are 404; someone else\'s private playlist is 404 too; bad URIs, bodies and names are 400', async () => {
    await request(app).get('/v1/playlists/0000000000000000000000').set(...bearer(token)).expect(404)
      .expect((r) => expect(r.body).toEqual({ error: { status: 404, message: 'Resource not found' } }));
    await request(app).post('/v1/playlists/0000000000000000000000/items').set(...bearer(token)).send({ uris: uris.slice(0, 1) }).expect(404);
    const mine = (await create(token, { name: 'Mine', public: false }).expect(201)).body;
    await request(app).get(`/v1/playlists/${mine.id}`).set(...bearer(other)).expect(404);
    await request(app).post(`/v1/playlists/${mine.id}/items`).set(...bearer(other)).send({ uris: uris.slice(0, 1) }).expect(404);
    await request(app).post(`/v1/playlists/${mine.id}/items`).set(...bearer(bare)).send({ uris: uris.slice(0, 1) }).expect(403);
    await request(app).post(`/v1/playlists/${mine.id}/items`).set(...bearer(token)).send({ uris: ['spotify:track:nope'] }).expect(400);
    await request(app).post(`/v1/playlists/${mine.id}/items`).set(...bearer(token)).send({ uris: [] }).expect(400);
    await create(token, { public: false }).expect(400);
    await request(app).post('/v1/me/playlists').set(...bearer(token)).type('json').send('{not json').expect(400);
    await request(app).post('/v1/me/playlists').send({ name: 'x' }).expect(401);
  });

  it('the pre-2026 /tracks path and the user-id create path follow the profile', async () => {
    const p = (await create(token, { name: 'Old paths', public: false }).expect(201)).body;
    const old = await request(app).post(`/v1/playlists/${p.id}/tracks`).set(...bearer(token)).send({ uris: uris.slice(0, 2) });
    expect(old.status).toBe(profile === 'development' ? 403 : 201);
    await request(app).post('/v1/users/ava.demo/playlists').set(...bearer(token)).send({ name: 'Via user', public: false }).expect(201);
    await request(app).post('/v1/users/marcus.demo/playlists').set(...bearer(token)).send({ name: 'Not mine', public: false }).expect(403);
  });

  it('the authorize endpoint issues tokens with exactly the requested scopes and refuses unknown ones', async () => {
    const t = await userToken(app, 'ava.demo', WITH_PLAYLISTS);
    expect(t.scope.split(' ').sort()).toEqual(WITH_PLAYLISTS.split(' ').sort());
    const res = await request(app).get('/authorize').query({ client_id: 'sandbox-client', response_type: 'code', redirect_uri: 'http://127.0.0.1:5001/auth/spotify/callback', scope: 'user-top-read made-up-scope', state: 's' }).expect(302);
    expect(new URL(res.headers.location as string).searchParams.get('error')).toBe('invalid_scope');
    await expect(authorize(app, 'ava.demo', 'user-top-read made-up-scope')).rejects.toThrow(/no code/);
  });
});
