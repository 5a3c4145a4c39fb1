import request from 'supertest';
import { NOTABLE, createSandbox, startSandbox } from '../../src/sandbox';
import { endpointKey } from '../../src/sandbox/index';
import { appToken, bearer, userToken } from './helpers';

describe('sandbox faults', () => {
  it('rateLimit: beyond N requests per 30 s window → 429 with Retry-After and Spotify body', async () => {
    const { app } = createSandbox({ rateLimit: 3 });
    const token = await appToken(app);
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last!.body).toEqual({ error: { status: 429, message: 'API rate limit exceeded' } });
    const retryAfter = Number(last!.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    // The accounts service is not rate limited.
    await appToken(app);
  });

  it('rateLimit can be changed at runtime', async () => {
    const { app, faults } = createSandbox();
    const token = await appToken(app);
    faults.rateLimit = 1;
    await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token)).expect(200);
    await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token)).expect(429);
    faults.rateLimit = undefined;
    await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token)).expect(200);
  });

  it('failRate answers a repeatable share of 500s', async () => {
    const run = async () => {
      const { app } = createSandbox({ failRate: 0.3 });
      const token = await appToken(app);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token))).status);
      return statuses;
    };
    const first = await run();
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(4);
    expect(first.filter((s) => s === 500).length).toBeLessThan(24);
    expect(await run()).toEqual(first);
  });

  it('failNext(n, status) fails exactly the next n requests; resetNext cancels', async () => {
    const { app, faults } = createSandbox();
    const token = await appToken(app);
    const get = () => request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token));
    faults.failNext(2, 503);
    expect((await get()).status).toBe(503);
    const second = await get();
    expect(second.status).toBe(503);
    expect(second.body.error.status).toBe(503);
    expect((await get()).status).toBe(200);
    faults.failNext(1, 429);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    faults.failNext(5);
    faults.resetNext();
    expect((await get()).status).toBe(200);
    faults.failNext(1, 503, 'reccobeats');
    expect((await get()).status).toBe(200);
    expect((await request(app).get(`/reccobeats/v1/audio-features?ids=${NOTABLE.smallArtistId}`)).status).toBe(503);
  });

  it('latencyMs delays Web API answers', async () => {
    const { app, faults } = createSandbox({ latencyMs: 150 });
    const token = await appToken(app);
    let t = Date.now();
    await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token)).expect(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    faults.latencyMs = 0;
    t = Date.now();
    await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}`).set(...bearer(token)).expect(200);
    expect(Date.now() - t).toBeLessThan(140);
  });
});

describe('sandbox stats', () => {
  it('endpoint keys replace ids with {id}', () => {
    expect(endpointKey('GET', '/v1/artists/abc/albums')).toBe('GET /v1/artists/{id}/albums');
    expect(endpointKey('GET', '/v1/me/top/artists')).toBe('GET /v1/me/top/artists');
    expect(endpointKey('GET', '/v1/albums')).toBe('GET /v1/albums');
    expect(endpointKey('GET', '/v1/audio-features/x')).toBe('GET /v1/audio-features/{id}');
    expect(endpointKey('GET', '/musicbrainz/ws/2/artist/1234')).toBe('GET /musicbrainz/ws/2/artist/{id}');
    expect(endpointKey('GET', '/reccobeats/v1/track/u-u-i-d/audio-features')).toBe('GET /reccobeats/v1/track/{id}/audio-features');
  });

  it('counts every request by endpoint (errors included), total only for /v1, and resets', async () => {
    const { app, faults, stats, catalog } = createSandbox({ profile: 'development' });
    const token = await appToken(app);
    await request(app).post('/_sandbox/stats/reset').expect(200);
    const album = catalog.artists.get(NOTABLE.smallArtistId)!.albumIds[0];
    await request(app).get(`/v1/albums/${album}`).set(...bearer(token)).expect(200);
    await request(app).get(`/v1/albums/${album}`).set(...bearer(token)).expect(200);
    await request(app).get(`/v1/albums?ids=${album}`).set(...bearer(token)).expect(403);
    await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}/albums`).expect(401);
    faults.failNext(1, 500);
    await request(app).get(`/v1/artists/${NOTABLE.smallArtistId}/albums`).set(...bearer(token)).expect(500);
    await request(app).get(`/reccobeats/v1/audio-features?ids=${album}`).expect(200);
    await request(app).get(`/musicbrainz/ws/2/url?resource=https://open.spotify.com/artist/${NOTABLE.smallArtistId}&inc=artist-rels&fmt=json`).expect(200);
    await request(app).get(`/images/artist/${NOTABLE.smallArtistId}.svg`).expect(200);
    const res = await request(app).get('/_sandbox/stats').expect(200);
    expect(res.body).toEqual({
      total: 5,
      by_endpoint: {
        'GET /v1/albums/{id}': 2,
        'GET /v1/albums': 1,
        'GET /v1/artists/{id}/albums': 2,
        'GET /reccobeats/v1/audio-features': 1,
        'GET /musicbrainz/ws/2/url': 1,
      },
    });
    expect(stats.total).toBe(5);
    await appToken(app);
    expect((await request(app).get('/_sandbox/stats')).body.by_endpoint['POST /api/token']).toBe(1);
    await request(app).post('/_sandbox/stats/reset').expect(200);
    expect((await request(app).get('/_sandbox/stats')).body).toEqual({ total: 0, by_endpoint: {} });
  });
});

describe('startSandbox over real HTTP', () => {
  it('listens on an ephemeral 127.0.0.1 port, serves absolute links on its own origin, and closes', async () => {
    const sandbox = await startSandbox({ profile: 'extended' });
    try {
      expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
      const { access_token } = await userToken(sandbox.app);
      // Tokens live in the sandbox state, so one issued through `app` works over the socket too.
      const res = await fetch(`${sandbox.url}/v1/albums/${NOTABLE.bigAlbumId}`, { headers: { Authorization: `Bearer ${access_token}` } });
      expect(res.status).toBe(200);
      const album = await res.json() as { href: string; tracks: { next: string }; images: Array<{ url: string }> };
      expect(album.href).toBe(`${sandbox.url}/v1/albums/${NOTABLE.bigAlbumId}`);
      const next = await fetch(album.tracks.next, { headers: { Authorization: `Bearer ${access_token}` } });
      expect(next.status).toBe(200);
      const image = await fetch(album.images[0].url);
      expect(image.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      const listeners = await (await fetch(`${sandbox.url}/_sandbox/listeners`)).json() as { listeners: Array<{ id: string }> };
      expect(listeners.listeners.map((l) => l.id)).toEqual(['ava.demo', 'marcus.demo', 'rin.demo', 'newcomer.demo']);
    } finally {
      await sandbox.close();
    }
    await expect(fetch(`${sandbox.url}/_sandbox/stats`)).rejects.toThrow();
  });
});
