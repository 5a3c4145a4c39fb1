import { UpstreamNotFound } from '../errors';
import type { Metrics } from '../metrics';
import { UpstreamHttp, type RetryPolicy } from '../upstream/UpstreamHttp';
import { Limiter } from '../util/Limiter';
import { sleep } from '../util/sleep';

export interface WeightedGenre {
  name: string;
  count: number;
}

/**
 * MusicBrainz ws/2: Spotify artist URL → MBID → genres (or tags). MusicBrainz allows one request
 * per second per client and wants a descriptive User-Agent; both are enforced here for all callers.
 */
export class MusicBrainzClient {
  private readonly http: UpstreamHttp;
  private readonly gate = new Limiter(1);
  private lastRequestAt = 0;

  constructor(
    baseUrl: string,
    private readonly opts: { metrics?: Metrics; minIntervalMs?: number; userAgent?: string; retry?: Partial<RetryPolicy> } = {},
  ) {
    this.http = new UpstreamHttp(`${baseUrl}/ws/2`, {
      service: 'MusicBrainz',
      metrics: opts.metrics,
      concurrency: 1,
      retry: opts.retry,
      userAgent: opts.userAgent ?? 'spotify-data-app/0.1 ( self-hosted; https://github.com/ )',
    });
  }

  /** Genres for a Spotify artist id, most voted first; null when MusicBrainz does not know the artist. */
  async genresForSpotifyArtist(spotifyArtistId: string): Promise<WeightedGenre[] | null> {
    const mbid = await this.mbidFor(spotifyArtistId);
    if (!mbid) return null;
    const artist = await this.throttled<{ genres?: unknown; tags?: unknown }>(`/artist/${encodeURIComponent(mbid)}`, { inc: 'genres+tags', fmt: 'json' });
    if (!artist) return null;
    const genres = cleanGenres(artist.genres);
    return genres.length > 0 ? genres : cleanGenres(artist.tags).slice(0, 5);
  }

  private async mbidFor(spotifyArtistId: string): Promise<string | null> {
    const res = await this.throttled<{ relations?: { artist?: { id?: unknown } }[] }>('/url', {
      resource: `https://open.spotify.com/artist/${spotifyArtistId}`,
      inc: 'artist-rels',
      fmt: 'json',
    });
    const id = res?.relations?.find((r) => typeof r.artist?.id === 'string')?.artist?.id;
    return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
  }

  private throttled<T>(path: string, params: Record<string, string>): Promise<T | null> {
    return this.gate.run(async () => {
      const wait = this.lastRequestAt + (this.opts.minIntervalMs ?? 1000) - Date.now();
      if (wait > 0) await sleep(wait);
      try {
        // axios would encode '+' in inc=genres+tags; MusicBrainz wants it literal.
        const query = new URLSearchParams(params).toString().replace(/%2B/g, '+');
        return await this.http.get<T>(`${path}?${query}`);
      } catch (err) {
        if (err instanceof UpstreamNotFound) return null;
        throw err;
      } finally {
        this.lastRequestAt = Date.now();
      }
    });
  }
}

/** Untrusted input: keep well-formed {name, count} entries, lower-case, deduplicated, by count. */
function cleanGenres(raw: unknown): WeightedGenre[] {
  if (!Array.isArray(raw)) return [];
  const byName = new Map<string, number>();
  for (const g of raw) {
    const name = typeof g?.name === 'string' ? g.name.trim().toLowerCase().slice(0, 80) : '';
    if (!name) continue;
    const count = typeof g.count === 'number' && Number.isFinite(g.count) ? g.count : 0;
    byName.set(name, Math.max(byName.get(name) ?? 0, count));
  }
  return [...byName].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
