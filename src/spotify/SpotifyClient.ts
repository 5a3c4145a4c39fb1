import axios from 'axios';
import { UpstreamForbidden } from '../errors';
import type { Metrics } from '../metrics';
import type { SharedRateHook } from '../upstream/SharedRateState';
import { UpstreamHttp, type RetryPolicy, type TokenSource } from '../upstream/UpstreamHttp';

/**
 * The `market` of catalog requests. Without one Spotify lists a release once per market group
 * (SPOTIFY.md "Markets and copies of one release"); with one it lists the copy sold there and
 * relinks tracks. A user's token says its own country with `from_token`; the app's token has no
 * country, so app-token requests name the configured market (SPOTIFY_MARKET).
 */
export const FROM_TOKEN = 'from_token';
export function catalogMarket(token: 'user' | 'app', configured: string): string {
  return token === 'user' ? FROM_TOKEN : configured;
}

const withMarket = (params: Record<string, unknown>, market: string | undefined): Record<string, unknown> =>
  market ? { ...params, market } : params;

export type TimeRange = 'short_term' | 'medium_term' | 'long_term';
export const TIME_RANGES: readonly TimeRange[] = ['short_term', 'medium_term', 'long_term'];

/**
 * Spotify Web API, typed. Field presence differs by API profile (Development Mode drops genres,
 * popularity, followers, label...), so callers treat those fields as optional.
 */
export class SpotifyClient {
  readonly http: UpstreamHttp;

  constructor(
    private readonly apiUrl: string,
    opts: { metrics?: Metrics; concurrency?: number; retry?: Partial<RetryPolicy>; rateWindowMs?: number; sharedRate?: SharedRateHook } = {},
  ) {
    this.http = new UpstreamHttp(apiUrl, { service: 'Spotify', ...opts });
  }

  /** Readiness: resolves when the API base URL answers at all (even 401 proves it is reachable). */
  async ping(timeoutMs = 3000): Promise<void> {
    await axios.get(this.apiUrl, { timeout: timeoutMs, validateStatus: () => true });
  }

  /** One batch request tells the API profile: 200 with Extended Quota, 403 in Development Mode. */
  async batchEndpointsAvailable(artistId: string, auth: TokenSource): Promise<boolean> {
    try {
      await this.http.get('/artists', { ids: artistId }, auth);
      return true;
    } catch (err) {
      if (err instanceof UpstreamForbidden) return false;
      throw err;
    }
  }

  me(auth: TokenSource): Promise<SpotifyApi.CurrentUsersProfileResponse> {
    return this.http.get('/me', {}, auth);
  }

  searchArtists(q: string, limit: number, auth: TokenSource, offset = 0): Promise<SpotifyApi.ArtistSearchResponse> {
    return this.http.get('/search', { q, type: 'artist', limit, offset }, auth);
  }

  /** Podcasts by name; shows are market-bound, so an app token must name a market. */
  searchShows(q: string, limit: number, auth: TokenSource, market?: string): Promise<SpotifyApi.ShowSearchResponse> {
    return this.http.get('/search', { q, type: 'show', limit, ...(market ? { market } : {}) }, auth);
  }

  artist(id: string, auth: TokenSource): Promise<SpotifyApi.ArtistObjectFull> {
    return this.http.get(`/artists/${id}`, {}, auth);
  }

  artistAlbums(
    id: string,
    params: { limit: number; offset: number; include_groups: string; market?: string },
    auth: TokenSource,
  ): Promise<SpotifyApi.PagingObject<SpotifyApi.AlbumObjectSimplified>> {
    const { market, ...rest } = params;
    return this.http.get(`/artists/${id}/albums`, withMarket(rest, market), auth);
  }

  /** Batch endpoint (Extended Quota only): up to 20 ids. */
  albums(ids: string[], auth: TokenSource, market?: string): Promise<SpotifyApi.MultipleAlbumsResponse> {
    return this.http.get('/albums', withMarket({ ids: ids.join(',') }, market), auth);
  }

  track(id: string, auth: TokenSource): Promise<SpotifyApi.TrackObjectFull> {
    return this.http.get(`/tracks/${id}`, {}, auth);
  }

  album(id: string, auth: TokenSource, market?: string): Promise<SpotifyApi.AlbumObjectFull> {
    return this.http.get(`/albums/${id}`, withMarket({}, market), auth);
  }

  albumTracks(
    id: string,
    params: { limit: number; offset: number; market?: string },
    auth: TokenSource,
  ): Promise<SpotifyApi.PagingObject<SpotifyApi.TrackObjectSimplified>> {
    const { market, ...rest } = params;
    return this.http.get(`/albums/${id}/tracks`, withMarket(rest, market), auth);
  }

  /** Up to 100 ids; entries are null for unknown ids. Restricted for new apps since Nov 2024. */
  audioFeatures(ids: string[], auth: TokenSource): Promise<{ audio_features: (SpotifyApi.AudioFeaturesObject | null)[] }> {
    return this.http.get('/audio-features', { ids: ids.join(',') }, auth);
  }

  topArtists(range: TimeRange, limit: number, auth: TokenSource): Promise<SpotifyApi.UsersTopArtistsResponse> {
    return this.http.get('/me/top/artists', { time_range: range, limit }, auth);
  }

  topTracks(range: TimeRange, limit: number, auth: TokenSource): Promise<SpotifyApi.UsersTopTracksResponse> {
    return this.http.get('/me/top/tracks', { time_range: range, limit }, auth);
  }

  /**
   * The last plays (Spotify keeps 50), newest first. `after` / `before` are Unix ms cursors
   * (Spotify accepts one of them, not both); `next` pages on from `after`.
   */
  recentlyPlayed(
    page: { limit: number; after?: number; before?: number },
    auth: TokenSource,
  ): Promise<SpotifyApi.UsersRecentlyPlayedTracksResponse> {
    const params: Record<string, unknown> = { limit: page.limit };
    if (page.after !== undefined) params.after = page.after;
    if (page.before !== undefined) params.before = page.before;
    return this.http.get('/me/player/recently-played', params, auth);
  }

  /** Tracks by a field query (`track:"…" artist:"…"`); Development Mode allows at most 10 results. */
  searchTracks(q: string, limit: number, auth: TokenSource): Promise<SpotifyApi.TrackSearchResponse> {
    return this.http.get('/search', { q, type: 'track', limit }, auth);
  }

  /**
   * Creates a playlist of the token's user (`POST /me/playlists`, both profiles; the user-id path
   * is deprecated). A private one needs `playlist-modify-private`. Not idempotent: a second send
   * would make a second playlist, so it is never re-sent after an unclear answer (UpstreamUncertain).
   */
  createPlaylist(p: { name: string; description: string; public: boolean }, auth: TokenSource): Promise<SpotifyApi.CreatePlaylistResponse> {
    return this.http.post('/me/playlists', { ...p, collaborative: false }, auth, { idempotent: false });
  }

  /**
   * Inserts up to 100 track URIs at `position` (`POST /playlists/{id}/items`: the only path in
   * Development Mode since Feb 2026; Extended Quota has it too). Not idempotent either: the caller
   * looks at the playlist's length before sending a chunk again (PlaylistService).
   */
  addPlaylistItems(playlistId: string, uris: string[], position: number, auth: TokenSource): Promise<{ snapshot_id: string }> {
    return this.http.post(`/playlists/${playlistId}/items`, { uris, position }, auth, { idempotent: false });
  }

  /** How many items a playlist holds now (one small page of its items). */
  async playlistLength(playlistId: string, auth: TokenSource): Promise<number> {
    const page = await this.http.get<{ total: number }>(`/playlists/${playlistId}/items`, { limit: 1, fields: 'total' }, auth);
    return page.total;
  }
}
