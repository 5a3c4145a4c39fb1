import { BadRequest } from '../errors';
import type { ApiProfile } from '../spotify/ApiProfile';
import { toArtistHit, type ArtistHit } from '../spotify/mappers';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { TokenSource } from '../upstream/UpstreamHttp';

export type { ArtistHit } from '../spotify/mappers';

export const MAX_QUERY = 100;

/** Artist search with the app's own token; pages of 10 in Development Mode are stitched to `limit`. */
export class SearchService {
  constructor(
    private readonly spotify: SpotifyClient,
    private readonly auth: TokenSource,
    private readonly profile: ApiProfile,
  ) {}

  async artists(rawQuery: string, limit: number): Promise<ArtistHit[]> {
    const q = rawQuery.trim();
    if (!q) throw new BadRequest('Type an artist name to search for.', 'empty_query');
    if (q.length > MAX_QUERY) throw new BadRequest(`Searches are limited to ${MAX_QUERY} characters.`, 'query_too_long');
    const page = this.profile.pageLimit;
    const offsets: number[] = [];
    for (let offset = 0; offset < limit; offset += page) offsets.push(offset);
    const pages = await Promise.all(
      offsets.map((offset) => this.spotify.searchArtists(q, Math.min(page, limit - offset), this.auth, offset)),
    );
    const seen = new Set<string>();
    const hits: ArtistHit[] = [];
    for (const p of pages) {
      for (const a of p.artists?.items ?? []) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        hits.push(toArtistHit(a));
      }
      if ((p.artists?.items.length ?? 0) < page) break;
    }
    return hits.slice(0, limit);
  }
}
