import { GenreService, NONE_CACHE_MS } from '../../src/genres/GenreService';
import type { MusicBrainzClient } from '../../src/genres/MusicBrainzClient';
import type { ArtistRepository } from '../../src/store/ArtistRepository';

type Cached = { genres: string[]; source: 'musicbrainz' | 'none'; fetched_at: string };

function fakes(cache: Map<string, Cached>) {
  const calls = { batchReads: 0, singleReads: 0, musicbrainz: [] as string[], writes: [] as string[] };
  const repo = {
    async getCachedGenresMany(ids: string[]) {
      calls.batchReads++;
      return new Map(ids.filter((id) => cache.has(id)).map((id) => [id, cache.get(id)!]));
    },
    async getCachedGenres(id: string) {
      calls.singleReads++;
      return cache.get(id) ?? null;
    },
    async putCachedGenres(id: string, genres: string[], source: 'musicbrainz' | 'none', fetchedAt: string) {
      calls.writes.push(id);
      cache.set(id, { genres, source, fetched_at: fetchedAt });
    },
  } as unknown as ArtistRepository;
  const musicbrainz = {
    async genresForSpotifyArtist(id: string) {
      calls.musicbrainz.push(id);
      return [{ name: `genre of ${id}`, count: 1 }];
    },
  } as unknown as MusicBrainzClient;
  return { calls, service: new GenreService('auto', musicbrainz, repo) };
}

describe('GenreService.genresForMany', () => {
  it('reads the cache of every artist in one batched read and asks MusicBrainz only about the rest', async () => {
    const now = new Date().toISOString();
    const stale = new Date(Date.now() - NONE_CACHE_MS - 60_000).toISOString();
    const cache = new Map<string, Cached>([
      ['a', { genres: ['techno'], source: 'musicbrainz', fetched_at: now }],
      ['b', { genres: [], source: 'none', fetched_at: now }],
      ['c', { genres: [], source: 'none', fetched_at: stale }],
    ]);
    const { calls, service } = fakes(cache);
    const { found, pending } = await service.genresForMany(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }, { id: 'e', genres: ['k-pop'] }, { id: 'a' }],
      5000,
    );
    expect(pending).toBe(0);
    expect(calls.batchReads).toBe(1);
    // Nothing is read twice: the stale and the missing entries go straight to MusicBrainz.
    expect(calls.singleReads).toBe(0);
    expect(calls.musicbrainz.sort()).toEqual(['c', 'd']);
    expect(calls.writes.sort()).toEqual(['c', 'd']);
    expect(Object.fromEntries([...found].map(([id, g]) => [id, g]))).toEqual({
      a: { genres: ['techno'], source: 'musicbrainz' },
      b: { genres: [], source: 'none' },
      c: { genres: ['genre of c'], source: 'musicbrainz' },
      d: { genres: ['genre of d'], source: 'musicbrainz' },
      e: { genres: ['k-pop'], source: 'spotify' },
    });
  });

  it('still answers from MusicBrainz when the batched cache read fails', async () => {
    const { calls, service } = fakes(new Map());
    (service as unknown as { repo: { getCachedGenresMany: () => Promise<never> } }).repo.getCachedGenresMany = () => Promise.reject(new Error('throttled'));
    const { found } = await service.genresForMany([{ id: 'x' }], 5000);
    expect(found.get('x')).toEqual({ genres: ['genre of x'], source: 'musicbrainz' });
    expect(calls.musicbrainz).toEqual(['x']);
  });
});
