import request from 'supertest';
import { createSandbox } from '../../src/sandbox';
import { ALL_SCOPES, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, appToken, authorize, basic, bearer, userToken } from './helpers';

const sandbox = createSandbox();
const app = sandbox.app;

describe('sandbox accounts service: /authorize', () => {
  it('renders a self-contained, escaped consent page listing every demo listener and the scopes', async () => {
    const res = await request(app).get('/authorize')
      .query({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: ALL_SCOPES, state: 'a"<b>' })
      .expect(200).expect('content-type', /html/);
    expect(res.text).toContain('<title>Sandbox Spotify — Log in</title>');
    for (const id of ['ava.demo', 'marcus.demo', 'rin.demo', 'newcomer.demo']) expect(res.text).toContain(`name="listener" value="${id}"`);
    expect(res.text).toMatch(/name="listener" value="ava\.demo" id="listener-ava\.demo" checked/);
    expect(res.text).toContain('id="approve"');
    expect(res.text).toContain('id="deny"');
    expect(res.text).toContain('user-read-recently-played');
    expect(res.text).toContain('name="state" value="a&quot;&lt;b&gt;"');
    expect(res.text).not.toContain('a"<b>');
    expect(res.text).not.toMatch(/(src|href)="https?:/);
  });

  it('rejects an unknown client and a disallowed redirect URI with a 400 page', async () => {
    const bad = await request(app).get('/authorize').query({ client_id: 'nope', response_type: 'code', redirect_uri: REDIRECT_URI }).expect(400);
    expect(bad.text).toContain('INVALID_CLIENT: Invalid client');
    for (const uri of ['http://localhost:5001/cb', 'http://example.com/cb', 'not a url']) {
      const res = await request(app).get('/authorize').query({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: uri }).expect(400);
      expect(res.text).toContain('INVALID_CLIENT: Invalid redirect URI');
    }
    await request(app).get('/authorize').query({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: 'https://app.example.org/cb' }).expect(200);
    await request(app).get('/authorize').query({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: 'http://[::1]:8080/cb' }).expect(200);
  });

  it('approve redirects with code and state; deny redirects with error=access_denied and state', async () => {
    const ok = await request(app).post('/authorize').type('form')
      .send({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'user-top-read', state: 'xyz', listener: 'rin.demo', decision: 'approve' })
      .expect(302);
    const okUrl = new URL(ok.headers.location);
    expect(okUrl.origin + okUrl.pathname).toBe(REDIRECT_URI);
    expect(okUrl.searchParams.get('code')).toMatch(/.{20,}/);
    expect(okUrl.searchParams.get('state')).toBe('xyz');
    const no = await request(app).post('/authorize').type('form')
      .send({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'user-top-read', state: 'xyz', listener: 'rin.demo', decision: 'deny' })
      .expect(302);
    const noUrl = new URL(no.headers.location);
    expect(noUrl.searchParams.get('error')).toBe('access_denied');
    expect(noUrl.searchParams.get('state')).toBe('xyz');
    expect(noUrl.searchParams.get('code')).toBeNull();
  });

  it('honours an explicit redirectUris allow-list', async () => {
    const strict = createSandbox({ redirectUris: ['http://127.0.0.1:9999/cb'] }).app;
    await request(strict).get('/authorize').query({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: 'http://127.0.0.1:9999/cb' }).expect(200);
    await request(strict).get('/authorize').query({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: 'http://127.0.0.1:9998/cb' }).expect(400);
  });
});

describe('sandbox accounts service: /api/token', () => {
  it('exchanges a code (Basic auth) once; reuse is invalid_grant', async () => {
    const code = await authorize(app);
    const res = await request(app).post('/api/token').set('Authorization', basic()).type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).expect(200);
    expect(res.body).toEqual({
      access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, refresh_token: expect.any(String), scope: ALL_SCOPES,
    });
    const again = await request(app).post('/api/token').set('Authorization', basic()).type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).expect(400);
    expect(again.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid authorization code' });
  });

  it('accepts client credentials in the body and rejects a different redirect_uri', async () => {
    const code = await authorize(app);
    const wrong = await request(app).post('/api/token').type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:5001/other', client_id: CLIENT_ID, client_secret: CLIENT_SECRET })
      .expect(400);
    expect(wrong.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid redirect URI' });
    await request(app).post('/api/token').type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET })
      .expect(200);
  });

  it('rejects a wrong secret or unknown client with invalid_client', async () => {
    const code = await authorize(app);
    const bad = await request(app).post('/api/token').set('Authorization', basic(CLIENT_ID, 'wrong')).type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).expect(400);
    expect(bad.body.error).toBe('invalid_client');
    const unknown = await request(app).post('/api/token').type('form')
      .send({ grant_type: 'client_credentials', client_id: 'other', client_secret: CLIENT_SECRET }).expect(400);
    expect(unknown.body).toEqual({ error: 'invalid_client', error_description: 'Invalid client' });
    const grant = await request(app).post('/api/token').set('Authorization', basic()).type('form').send({ grant_type: 'password' }).expect(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
  });

  it('refresh returns a new access token without a new refresh token, and the old one keeps working', async () => {
    const first = await userToken(app, 'marcus.demo');
    for (let i = 0; i < 2; i++) {
      const res = await request(app).post('/api/token').set('Authorization', basic()).type('form')
        .send({ grant_type: 'refresh_token', refresh_token: first.refresh_token }).expect(200);
      expect(res.body.refresh_token).toBeUndefined();
      expect(res.body.access_token).not.toBe(first.access_token);
      const me = await request(app).get('/v1/me').set(...bearer(res.body.access_token)).expect(200);
      expect(me.body.id).toBe('marcus.demo');
    }
  });

  it('a revoked refresh token (by token, by listener, or via /_sandbox/revoke) answers invalid_grant', async () => {
    const refresh = async (token: string) => request(app).post('/api/token').set('Authorization', basic()).type('form')
      .send({ grant_type: 'refresh_token', refresh_token: token });
    const a = await userToken(app, 'ava.demo');
    sandbox.revokeRefreshToken(a.refresh_token);
    expect((await refresh(a.refresh_token)).body).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });

    const b = await userToken(app, 'rin.demo');
    const other = await userToken(app, 'marcus.demo');
    await request(app).post('/_sandbox/revoke').send({ listener: 'rin.demo' }).expect(200);
    expect((await refresh(b.refresh_token)).status).toBe(400);
    expect((await refresh(other.refresh_token)).status).toBe(200);
    await request(app).post('/_sandbox/revoke').send({ refresh_token: other.refresh_token }).expect(200);
    expect((await refresh(other.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh('garbage')).body.error).toBe('invalid_grant');
  });

  it('a client-credentials token can search but cannot read /me', async () => {
    const token = await appToken(app);
    await request(app).get('/v1/search').query({ q: 'a', type: 'artist' }).set(...bearer(token)).expect(200);
    const me = await request(app).get('/v1/me').set(...bearer(token));
    expect([401, 403]).toContain(me.status);
    expect(me.body.error.status).toBe(me.status);
  });

  it('access tokens expire after tokenTtlSeconds', async () => {
    const short = createSandbox({ tokenTtlSeconds: 1 }).app;
    const { access_token, expires_in } = await userToken(short);
    expect(expires_in).toBe(1);
    await request(short).get('/v1/me').set(...bearer(access_token)).expect(200);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await request(short).get('/v1/me').set(...bearer(access_token)).expect(401);
    expect(res.body).toEqual({ error: { status: 401, message: 'The access token expired' } });
  });

  it('answers 401 without or with an unknown token', async () => {
    expect((await request(app).get('/v1/artists/0LyfQWJT6nXafLPZqxe9Of').expect(401)).body)
      .toEqual({ error: { status: 401, message: 'No token provided' } });
    expect((await request(app).get('/v1/me').set(...bearer('nope')).expect(401)).body.error.message).toBe('Invalid access token');
  });

  it('scopes gate top items and recent plays', async () => {
    const { access_token } = await userToken(app, 'ava.demo', 'user-read-private');
    await request(app).get('/v1/me/top/artists').set(...bearer(access_token)).expect(403);
    await request(app).get('/v1/me/player/recently-played').set(...bearer(access_token)).expect(403);
  });
});
