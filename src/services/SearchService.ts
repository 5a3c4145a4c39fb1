import { BadRequest } from '../errors';
import type { ApiProfile } from '../spotify/ApiProfile';
import { toArtistHit, type ArtistHit } from '../spotify/mappers';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { TokenSource } from '../upstream/UpstreamHttp';
import { LruCache } from '../util/LruCache';

export type { ArtistHit } from '../spotify/mappers';

export const MAX_QUERY = 100;
/** Distinct searches kept; each holds at most 50 small hits. */
const CACHE_ENTRIES = 1000;

/**
 * Artist search with the app's own token; pages of 10 in Development Mode are stitched to `limit`.
 * Results are reused for `cacheSeconds` (and concurrent identical searches share one request), so
 * repeated searches cost Spotify nothing: Spotify matches names case-insensitively, so the key is
 * the lower-cased query with runs of spaces collapsed, the limit and the API profile.
 */
export class SearchService {
  private readonly cache = new LruCache<{ expiresAt: number; hits: Promise<ArtistHit[]> }>(CACHE_ENTRIES);
  private readonly cacheMs: number;

  constructor(
    private readonly spotify: SpotifyClient,
    private readonly auth: TokenSource,
    private readonly profile: ApiProfile,
    opts: { cacheSeconds?: number } = {},
  ) {
    this.cacheMs = (opts.cacheSeconds ?? 60) * 1000;
  }

  async artists(rawQuery: string, limit: number): Promise<ArtistHit[]> {
    const q = rawQuery.trim();
    if (!q) throw new BadRequest('Type an artist name to search for.', 'empty_query');
    if (q.length > MAX_QUERY) throw new BadRequest(`Searches are limited to ${MAX_QUERY} characters.`, 'query_too_long');
    if (this.cacheMs <= 0) return this.fetch(q, limit);
    const key = `${this.profile.known ?? 'unknown'}|${limit}|${q.toLowerCase().replace(/\s+/g, ' ')}`;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > now) return cached.hits;
    const hits = this.fetch(q, limit);
    this.cache.set(key, { expiresAt: now + this.cacheMs, hits });
    // A failed search is not remembered: the next one asks Spotify again.
    hits.catch(() => {
      if (this.cache.get(key)?.hits === hits) this.cache.delete(key);
    });
    return hits;
  }

  private async fetch(q: string, limit: number): Promise<ArtistHit[]> {
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
