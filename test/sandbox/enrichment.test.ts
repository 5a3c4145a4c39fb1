import request from 'supertest';
import { NOTABLE, createSandbox } from '../../src/sandbox';
import { mbidOf } from '../../src/sandbox/enrichment';

const { app, catalog } = createSandbox();
const mbUrl = (artistId: string, inc = 'artist-rels') =>
  `/musicbrainz/ws/2/url?resource=${encodeURIComponent(`https://open.spotify.com/artist/${artistId}`)}&inc=${inc}&fmt=json`;

describe('ReccoBeats stand-in', () => {
  const tracks = catalog.albums.get(catalog.artists.get(NOTABLE.smallArtistId)!.albumIds[0])!.trackIds;

  it('GET /v1/audio-features?ids= returns {content:[…]} keyed by open.spotify.com hrefs; unknown and featureless ids are absent', async () => {
    const ids = [tracks[0], tracks[1], NOTABLE.trackWithoutFeaturesId, '0000000000000000000000'];
    const res = await request(app).get(`/reccobeats/v1/audio-features?ids=${ids.join(',')}`).expect(200);
    expect(res.body.content).toHaveLength(2);
    const item = res.body.content[0];
    expect(item.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(item.href).toBe(`https://open.spotify.com/track/${tracks[0]}`);
    for (const f of ['acousticness', 'danceability', 'energy', 'instrumentalness', 'key', 'liveness', 'loudness', 'mode', 'speechiness', 'tempo', 'valence']) {
      expect(typeof item[f]).toBe('number');
    }
    expect(item.tempo).toBe(catalog.tracks.get(tracks[0])!.features!.tempo);
  });

  it('accepts repeated ids= parameters and rejects more than 40 ids', async () => {
    const res = await request(app).get(`/reccobeats/v1/audio-features?ids=${tracks[0]}&ids=${tracks[1]}`).expect(200);
    expect(res.body.content).toHaveLength(2);
    const many = Array.from({ length: 41 }, () => tracks[0]).join(',');
    await request(app).get(`/reccobeats/v1/audio-features?ids=${many}`).expect(400);
    await request(app).get('/reccobeats/v1/audio-features').expect(400);
  });

  it('single-track features by ReccoBeats UUID; Spotify id → UUID via /v1/track', async () => {
    const lookup = await request(app).get(`/reccobeats/v1/track?ids=${tracks[0]}`).expect(200);
    const uuid = lookup.body.content[0].id;
    expect(lookup.body.content[0].href).toBe(`https://open.spotify.com/track/${tracks[0]}`);
    const res = await request(app).get(`/reccobeats/v1/track/${uuid}/audio-features`).expect(200);
    expect(res.body.energy).toBe(catalog.tracks.get(tracks[0])!.features!.energy);
    await request(app).get(`/reccobeats/v1/track/${tracks[0]}/audio-features`).expect(404);
  });
});

describe('MusicBrainz stand-in', () => {
  it('maps a Spotify artist URL to a deterministic MBID through a free streaming relation', async () => {
    const res = await request(app).get(mbUrl(NOTABLE.largestArtistId)).expect(200);
    expect(res.body.resource).toBe(`https://open.spotify.com/artist/${NOTABLE.largestArtistId}`);
    expect(res.body.relations).toHaveLength(1);
    const rel = res.body.relations[0];
    expect(rel).toMatchObject({ type: 'free streaming', 'target-type': 'artist' });
    expect(rel.artist).toMatchObject({ id: mbidOf(NOTABLE.largestArtistId), name: 'Thelonious Marlowe', 'sort-name': 'Marlowe, Thelonious' });
    const again = await request(app).get(mbUrl(NOTABLE.largestArtistId)).expect(200);
    expect(again.body.relations[0].artist.id).toBe(rel.artist.id);
    const bare = await request(app).get(mbUrl(NOTABLE.largestArtistId, '')).expect(200);
    expect(bare.body.relations).toBeUndefined();
  });

  it('genres and tags with counts; the artist catalog genres come back', async () => {
    const mbid = mbidOf(NOTABLE.largestArtistId);
    const res = await request(app).get(`/musicbrainz/ws/2/artist/${mbid}?inc=genres+tags&fmt=json`).expect(200);
    expect(res.body.id).toBe(mbid);
    expect(res.body.genres.map((g: { name: string }) => g.name)).toEqual(['hard bop', 'cool jazz', 'vocal jazz']);
    for (const g of res.body.genres) expect(g).toEqual({ id: expect.any(String), name: expect.any(String), count: expect.any(Number), disambiguation: '' });
    expect(res.body.tags.length).toBeGreaterThanOrEqual(3);
    expect(res.body.tags[0]).toEqual({ name: 'hard bop', count: expect.any(Number) });
  });

  it('some artists are unknown (404 with the MusicBrainz error body); bad MBIDs are 400', async () => {
    const unknown = [...catalog.artists.values()].filter((a) => !a.inMusicBrainz);
    expect(unknown.length / catalog.artists.size).toBeGreaterThan(0.02);
    expect(unknown.length / catalog.artists.size).toBeLessThan(0.1);
    const res = await request(app).get(mbUrl(NOTABLE.unknownToMusicBrainzArtistId)).expect(404);
    expect(res.body).toEqual({ error: 'Not Found', help: 'For usage, please see: https://musicbrainz.org/development/mmd' });
    await request(app).get(`/musicbrainz/ws/2/artist/${mbidOf(NOTABLE.unknownToMusicBrainzArtistId)}?inc=genres&fmt=json`).expect(404);
    await request(app).get('/musicbrainz/ws/2/artist/not-a-uuid?fmt=json').expect(400);
    await request(app).get(mbUrl('0000000000000000000000')).expect(404);
  });
});

describe('generated images', () => {
  it('serves escaped SVG for artists, albums and users; 404 otherwise', async () => {
    const res = await request(app).get(`/images/artist/${NOTABLE.hostileArtistId}.svg?size=64`).expect(200).expect('content-type', /image\/svg\+xml/);
    const svg = res.text ?? res.body.toString();
    expect(svg).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).not.toContain('<script');
    await request(app).get(`/images/album/${NOTABLE.bigAlbumId}.svg`).expect(200);
    await request(app).get('/images/user/ava.demo.svg').expect(200);
    await request(app).get('/images/artist/0000000000000000000000.svg').expect(404);
  });
});
