import type { ArtistRepository } from '../store/ArtistRepository';
import type { MusicBrainzClient } from './MusicBrainzClient';

export type GenreSource = 'spotify' | 'musicbrainz' | 'none';

export interface ArtistGenres {
  genres: string[];
  source: GenreSource;
}

/** MusicBrainz answers with genres are kept this long before being asked again. */
const CACHE_MS = 30 * 24 * 3600 * 1000;
/** "MusicBrainz has none" is kept for less: links and genres are added by editors all the time. */
export const NONE_CACHE_MS = 24 * 3600 * 1000;

/**
 * Genres for an artist: from the Spotify artist object when it carries them (Extended Quota),
 * otherwise from MusicBrainz (cached in DynamoDB), or none when configured so.
 */
export class GenreService {
  private readonly inflight = new Map<string, Promise<ArtistGenres>>();

  constructor(
    private readonly provider: 'auto' | 'spotify' | 'musicbrainz' | 'none',
    private readonly musicbrainz: MusicBrainzClient,
    private readonly repo: ArtistRepository,
  ) {}

  /**
   * Genres for many artists, waiting at most `budgetMs`: MusicBrainz allows one request a second, so
   * a first dashboard may not wait for all. Lookups still running go on and fill the cache for next time.
   */
  async genresForMany(artists: { id: string; genres?: string[] }[], budgetMs: number): Promise<{ found: Map<string, ArtistGenres>; pending: number }> {
    const found = new Map<string, ArtistGenres>();
    const unique = [...new Map(artists.map((a) => [a.id, a])).values()];
    // The cache first, in one batched read for every artist MusicBrainz would be asked about
    // (instead of one GetItem each); only what it lacks is looked up one by one.
    const needMusicBrainz = unique.filter((a) => this.wantsMusicBrainz(a.genres) && !this.inflight.has(a.id));
    let cached = new Map<string, { genres: string[]; source: 'musicbrainz' | 'none'; fetched_at: string }>();
    const checked = new Set<string>();
    if (needMusicBrainz.length) {
      try {
        cached = await this.repo.getCachedGenresMany(needMusicBrainz.map((a) => a.id));
        for (const a of needMusicBrainz) checked.add(a.id);
      } catch {
        // A failed batched read: each lookup reads its own cache entry, as without it.
      }
    }
    const rest: typeof unique = [];
    for (const a of unique) {
      const hit = cached.get(a.id);
      if (hit && isFresh(hit)) found.set(a.id, { genres: hit.genres, source: hit.source });
      else rest.push(a);
    }
    const all = Promise.all(
      rest.map((a) =>
        this.genresFor(a.id, a.genres, checked.has(a.id)).then(
          (g) => void found.set(a.id, g),
          () => undefined,
        ),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, budgetMs)))]);
    clearTimeout(timer);
    return { found, pending: unique.length - found.size };
  }

  private wantsMusicBrainz(spotifyGenres: string[] | undefined): boolean {
    return this.provider === 'musicbrainz' || (this.provider === 'auto' && !(spotifyGenres && spotifyGenres.length > 0));
  }

  /** Genres for one artist; concurrent callers for the same artist share one lookup. */
  genresFor(artistId: string, spotifyGenres: string[] | undefined, cacheChecked = false): Promise<ArtistGenres> {
    let pending = this.inflight.get(artistId);
    if (!pending) {
      pending = this.lookup(artistId, spotifyGenres, cacheChecked).finally(() => this.inflight.delete(artistId));
      this.inflight.set(artistId, pending);
    }
    return pending;
  }

  /** `cacheChecked`: the caller has just read the cache and found nothing fresh. */
  private async lookup(artistId: string, spotifyGenres: string[] | undefined, cacheChecked = false): Promise<ArtistGenres> {
    if (this.provider === 'none') return { genres: [], source: 'none' };
    if (this.provider === 'spotify' || (this.provider === 'auto' && spotifyGenres && spotifyGenres.length > 0)) {
      return { genres: spotifyGenres ?? [], source: spotifyGenres?.length ? 'spotify' : 'none' };
    }
    const cached = cacheChecked ? null : await this.repo.getCachedGenres(artistId);
    if (cached && isFresh(cached)) {
      return { genres: cached.genres, source: cached.source };
    }
    // A failure (5xx, timeout, malformed answer) rejects and is not cached: the next lookup asks again.
    const found = await this.musicbrainz.genresForSpotifyArtist(artistId);
    const genres = (found ?? []).slice(0, 8).map((g) => g.name);
    const source = genres.length ? 'musicbrainz' : 'none';
    // The answer stands even if keeping it fails; it is only asked for again sooner.
    await this.repo.putCachedGenres(artistId, genres, source, new Date().toISOString()).catch(() => undefined);
    return { genres, source };
  }
}

function isFresh(cached: { genres: string[]; fetched_at: string }): boolean {
  return Date.now() - Date.parse(cached.fetched_at) < (cached.genres.length ? CACHE_MS : NONE_CACHE_MS);
}
