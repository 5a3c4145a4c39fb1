/**
 * Enrichment never fails an ingest (issue 11 item 7): whatever the feature provider (ReccoBeats)
 * or the genre provider (MusicBrainz) answers, GET /api/artists/:id answers 200 with every track,
 * null features where none came, and says why in features_coverage / genres_error.
 */
import request from 'supertest';
import { FAULT_MALFORMED, FAULT_STALL, type FaultTarget } from '../../src/sandbox';
import { ArtistRepository } from '../../src/store/ArtistRepository';
import { expectedIngest } from '../helpers/catalog';
import { startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(120_000);

type ArtistJson = {
  artist: {
    genres: string[];
    genres_source: string;
    genres_error: string | null;
    features_note: string | null;
    features_coverage: { provider: string; with: number; without: number; error: number; reason: string | null };
    enrichment_retry_at: string | null;
    fetched_at: string;
  };
  tracks: { id: string; energy: number | null; tempo: number | null }[];
  complete: boolean;
};

describe('enrichment failures during an artist ingest (development profile: ReccoBeats and MusicBrainz)', () => {
  let t: TestApp;
  let artists: string[];
  beforeAll(async () => {
    t = await startTestApp({
      // Short timeouts and backoffs keep the runs that exhaust every attempt quick.
      tuning: { enrichmentRetry: { timeoutMs: 300, baseDelayMs: 5 }, ingestRetries: { perCall: 3, total: 50, baseDelayMs: 5 } },
    });
    artists = [...t.sandbox.catalog.artists.values()]
      .filter((a) => a.inMusicBrainz && a.genres.length > 0 && a.albumIds.length >= 2 && a.albumIds.length <= 5)
      .map((a) => a.id);
  });
  afterAll(() => t.close());
  afterEach(() => t.sandbox.faults.resetNext());

  let next = 0;
  const anArtist = () => artists[next++];
  const failAll = (status: number, target: FaultTarget) => t.sandbox.faults.failNext(2000, status, target);
  const get = async (id: string, query = '') => (await request(t.url).get(`/api/artists/${id}${query}`).expect(200)).body as ArtistJson;
  const withFeatures = (id: string) => t.sandbox.catalog.artists.get(id)!.albumIds
    .flatMap((al) => t.sandbox.catalog.albums.get(al)!.trackIds)
    .filter((tr) => t.sandbox.catalog.tracks.get(tr)!.features).length;

  function expectStoredWithoutFeatures(body: ArtistJson, id: string) {
    expect(body.complete).toBe(true);
    expect(body.tracks).toHaveLength(expectedIngest(t.sandbox.catalog, id).tracks);
    for (const tr of body.tracks) {
      expect(tr.energy).toBeNull();
      expect(tr.tempo).toBeNull();
    }
  }

  it('ReccoBeats 404 (unknown ids): 200, tracks stored with null features, coverage counts them as without', async () => {
    const id = anArtist();
    failAll(404, 'reccobeats');
    const body = await get(id);
    expectStoredWithoutFeatures(body, id);
    const T = body.tracks.length;
    expect(body.artist.features_coverage).toEqual({ provider: 'reccobeats', with: 0, without: T, error: 0, reason: expect.stringMatching(/404/) });
    const page = await request(t.url).get(`/artists/${id}`).expect(200);
    expect(page.text).toContain('id="features-note"');
  });

  it('ReccoBeats 500 on every attempt: 200 with null features, coverage says error and why, fetched again later', async () => {
    const id = anArtist();
    failAll(500, 'reccobeats');
    const body = await get(id);
    expectStoredWithoutFeatures(body, id);
    const T = body.tracks.length;
    expect(body.artist.features_coverage).toMatchObject({ provider: 'reccobeats', with: 0, without: 0, error: T });
    expect(body.artist.features_coverage.reason).toMatch(/ReccoBeats failed \d+ times .*500/);
    expect(body.artist.features_note).toMatch(/could not be fetched for \d+ of \d+ tracks.*asked for again/);
    const retryAt = Date.parse(body.artist.enrichment_retry_at!);
    expect(retryAt).toBeGreaterThan(Date.parse(body.artist.fetched_at));

    // Served from the cache until the retry time, then no longer fresh (a GET re-ingests).
    const stored = await new ArtistRepository(t.store).getArtist(id);
    expect(t.services.artists.isFresh(stored)).toBe(true);
    const now = jest.spyOn(Date, 'now').mockReturnValue(retryAt + 1);
    try {
      expect(t.services.artists.isFresh(stored)).toBe(false);
    } finally {
      now.mockRestore();
    }

    t.sandbox.faults.resetNext();
    const again = await get(id, '?refresh=1');
    expect(again.artist.features_coverage).toMatchObject({ with: withFeatures(id), error: 0 });
    expect(again.artist.enrichment_retry_at).toBeNull();
  });

  it('ReccoBeats 400, malformed JSON, or no answer (timeout): 200 with null features and the reason', async () => {
    for (const [fault, reason] of [[400, /400/], [FAULT_MALFORMED, /failed \d+ times/], [FAULT_STALL, /failed \d+ times.*ECONNABORTED|timeout/i]] as const) {
      const id = anArtist();
      failAll(fault, 'reccobeats');
      const body = await get(id);
      expectStoredWithoutFeatures(body, id);
      expect(body.artist.features_coverage).toMatchObject({ error: body.tracks.length, with: 0 });
      expect(body.artist.features_coverage.reason).toMatch(reason);
      t.sandbox.faults.resetNext();
    }
  });

  it('MusicBrainz 503 on every attempt: 200 without genres, genres_error says why, and the next ingest asks again', async () => {
    const id = anArtist();
    failAll(503, 'musicbrainz');
    const body = await get(id);
    expect(body.complete).toBe(true);
    expect(body.tracks).toHaveLength(expectedIngest(t.sandbox.catalog, id).tracks);
    expect(body.artist.features_coverage.with).toBe(withFeatures(id));
    expect(body.artist.genres).toEqual([]);
    expect(body.artist.genres_source).toBe('none');
    expect(body.artist.genres_error).toMatch(/MusicBrainz failed \d+ times .*503/);
    expect(body.artist.enrichment_retry_at).not.toBeNull();

    t.sandbox.faults.resetNext();
    const again = await get(id, '?refresh=1');
    expect(again.artist.genres_source).toBe('musicbrainz');
    expect(again.artist.genres.length).toBeGreaterThan(0);
    expect(again.artist.genres_error).toBeNull();
  });
});
