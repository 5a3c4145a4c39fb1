import type { ArtistRepository } from '../store/ArtistRepository';
import type { MusicBrainzClient } from './MusicBrainzClient';

export type GenreSource = 'spotify' | 'musicbrainz' | 'none';

export interface ArtistGenres {
  genres: string[];
  source: GenreSource;
}

/** MusicBrainz answers are kept this long before being asked again. */
const CACHE_MS = 30 * 24 * 3600 * 1000;

/**
 * Genres for an artist: from the Spotify artist object when it carries them (Extended Quota),
 * otherwise from MusicBrainz (cached in DynamoDB), or none when configured so.
 */
export class GenreService {
  constructor(
    private readonly provider: 'auto' | 'spotify' | 'musicbrainz' | 'none',
    private readonly musicbrainz: MusicBrainzClient,
    private readonly repo: ArtistRepository,
  ) {}

  async genresFor(artistId: string, spotifyGenres: string[] | undefined): Promise<ArtistGenres> {
    if (this.provider === 'none') return { genres: [], source: 'none' };
    if (this.provider === 'spotify' || (this.provider === 'auto' && spotifyGenres && spotifyGenres.length > 0)) {
      return { genres: spotifyGenres ?? [], source: spotifyGenres?.length ? 'spotify' : 'none' };
    }
    const cached = await this.repo.getCachedGenres(artistId);
    if (cached && Date.now() - Date.parse(cached.fetched_at) < CACHE_MS) return { genres: cached.genres, source: cached.source };
    const found = await this.musicbrainz.genresForSpotifyArtist(artistId);
    const genres = (found ?? []).slice(0, 8).map((g) => g.name);
    const source = genres.length ? 'musicbrainz' : 'none';
    await this.repo.putCachedGenres(artistId, genres, source, new Date().toISOString());
    return { genres, source };
  }
}
