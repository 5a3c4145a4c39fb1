/**
 * Catalog entities → Spotify Web API JSON objects (shapes checked against Spotify's OpenAPI and
 * @types/spotify-api). In the development profile the fields Spotify removed in February 2026 are
 * left out (not zeroed): artist followers/genres/popularity; track available_markets/linked_from/
 * popularity; album album_group/available_markets/label/popularity.
 */
import type { Catalog, CatalogAlbum, CatalogArtist, CatalogTrack } from './catalog';
import type { DemoListener, RecentPlay } from './listeners';
import { base62Id } from './random';

export type SandboxProfile = 'extended' | 'development';

export interface RenderContext {
  /** Origin of the sandbox as the client sees it, e.g. http://127.0.0.1:5002 */
  origin: string;
  profile: SandboxProfile;
  catalog: Catalog;
}

const MARKETS = ['AR', 'AU', 'BR', 'CA', 'DE', 'ES', 'FR', 'GB', 'JP', 'KR', 'MX', 'NG', 'NL', 'SE', 'US'];

export type DevArtist = Omit<SpotifyApi.ArtistObjectFull, 'followers' | 'genres' | 'popularity'>;
export type DevTrack = Omit<SpotifyApi.TrackObjectFull, 'available_markets' | 'linked_from' | 'popularity'>;
export type DevSimplifiedAlbum = Omit<SpotifyApi.AlbumObjectSimplified, 'album_group' | 'available_markets'>;
export type DevAlbum = Omit<SpotifyApi.AlbumObjectFull, 'album_group' | 'available_markets' | 'label' | 'popularity'>;

export const apiUrl = (ctx: RenderContext, path: string): string => `${ctx.origin}/v1${path}`;

export function images(ctx: RenderContext, kind: 'artist' | 'album' | 'user', id: string): SpotifyApi.ImageObject[] {
  return [640, 300, 64].map((size) => ({ url: `${ctx.origin}/images/${kind}/${id}.svg?size=${size}`, height: size, width: size }));
}

export function simplifiedArtist(ctx: RenderContext, a: CatalogArtist): SpotifyApi.ArtistObjectSimplified {
  return {
    external_urls: { spotify: `https://open.spotify.com/artist/${a.id}` },
    href: apiUrl(ctx, `/artists/${a.id}`), id: a.id, name: a.name, type: 'artist', uri: `spotify:artist:${a.id}`,
  };
}

export function fullArtist(ctx: RenderContext, a: CatalogArtist): SpotifyApi.ArtistObjectFull | DevArtist {
  const base = { ...simplifiedArtist(ctx, a), images: images(ctx, 'artist', a.id) };
  if (ctx.profile === 'development') return base;
  return { ...base, followers: { href: null, total: a.followers }, genres: [...a.genres], popularity: a.popularity };
}

const artistsOf = (ctx: RenderContext, ids: string[]) =>
  ids.map((id) => ctx.catalog.artists.get(id)).filter((a): a is CatalogArtist => !!a).map((a) => simplifiedArtist(ctx, a));

export function simplifiedAlbum(
  ctx: RenderContext, al: CatalogAlbum, group?: 'album' | 'single' | 'compilation' | 'appears_on',
): SpotifyApi.AlbumObjectSimplified | DevSimplifiedAlbum {
  const base: DevSimplifiedAlbum = {
    album_type: al.albumType, total_tracks: al.trackIds.length,
    external_urls: { spotify: `https://open.spotify.com/album/${al.id}` },
    href: apiUrl(ctx, `/albums/${al.id}`), id: al.id, images: images(ctx, 'album', al.id), name: al.name,
    release_date: al.releaseDate, release_date_precision: al.releaseDatePrecision, type: 'album',
    uri: `spotify:album:${al.id}`, artists: artistsOf(ctx, al.artistIds),
  };
  if (ctx.profile === 'development') return base;
  return { ...base, available_markets: MARKETS, ...(group ? { album_group: group } : {}) };
}

export function simplifiedTrack(ctx: RenderContext, t: CatalogTrack): SpotifyApi.TrackObjectSimplified {
  const base: SpotifyApi.TrackObjectSimplified = {
    artists: artistsOf(ctx, t.artistIds), disc_number: t.discNumber, duration_ms: t.durationMs, explicit: t.explicit,
    external_urls: { spotify: `https://open.spotify.com/track/${t.id}` }, href: apiUrl(ctx, `/tracks/${t.id}`), id: t.id,
    is_local: false, name: t.name, preview_url: null, track_number: t.trackNumber, type: 'track', uri: `spotify:track:${t.id}`,
  } as SpotifyApi.TrackObjectSimplified;
  if (ctx.profile === 'development') return base;
  return { ...base, available_markets: MARKETS };
}

export function fullTrack(ctx: RenderContext, t: CatalogTrack): SpotifyApi.TrackObjectFull | DevTrack {
  const album = ctx.catalog.albums.get(t.albumId)!;
  const base = {
    ...simplifiedTrack(ctx, t), album: simplifiedAlbum(ctx, album) as SpotifyApi.AlbumObjectSimplified,
    external_ids: { isrc: t.isrc },
  };
  if (ctx.profile === 'development') return base;
  return { ...base, popularity: t.popularity };
}

export function paging<T>(
  ctx: RenderContext, path: string, params: Record<string, string | undefined>,
  items: T[], offset: number, limit: number, total: number,
): SpotifyApi.PagingObject<T> {
  const url = (o: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    q.set('offset', String(o));
    q.set('limit', String(limit));
    return `${apiUrl(ctx, path)}?${q.toString()}`;
  };
  return {
    href: url(offset), items, limit,
    next: offset + limit < total ? url(offset + limit) : null,
    offset,
    previous: offset > 0 ? url(Math.max(0, offset - limit)) : null,
    total,
  };
}

export function fullAlbum(ctx: RenderContext, al: CatalogAlbum): SpotifyApi.AlbumObjectFull | DevAlbum {
  const tracks = al.trackIds.slice(0, 50).map((id) => simplifiedTrack(ctx, ctx.catalog.tracks.get(id)!));
  const year = al.releaseDate.slice(0, 4);
  const label = al.label;
  const base: DevAlbum = {
    ...(simplifiedAlbum(ctx, al) as DevSimplifiedAlbum),
    tracks: paging(ctx, `/albums/${al.id}/tracks`, {}, tracks, 0, 50, al.trackIds.length),
    copyrights: [{ text: `© ${year} ${label}`, type: 'C' }, { text: `℗ ${year} ${label}`, type: 'P' }],
    external_ids: { upc: al.upc }, genres: [],
  };
  if (ctx.profile === 'development') return base;
  return { ...base, available_markets: MARKETS, label, popularity: al.popularity };
}

export function audioFeatures(ctx: RenderContext, t: CatalogTrack): SpotifyApi.AudioFeaturesObject | null {
  if (!t.features) return null;
  return {
    ...t.features, id: t.id, duration_ms: t.durationMs, type: 'audio_features', uri: `spotify:track:${t.id}`,
    track_href: apiUrl(ctx, `/tracks/${t.id}`), analysis_url: apiUrl(ctx, `/audio-analysis/${t.id}`),
  };
}

export const accountId = (listenerId: string): string => base62Id(`account:${listenerId}`).slice(0, 16);

export function privateUser(ctx: RenderContext, l: DemoListener, scopes: Set<string>): Record<string, unknown> {
  const base: Record<string, unknown> = {
    account_id: accountId(l.id), display_name: l.displayName,
    external_urls: { spotify: `https://open.spotify.com/user/${encodeURIComponent(l.id)}` },
    href: apiUrl(ctx, `/users/${encodeURIComponent(l.id)}`), id: l.id, images: images(ctx, 'user', l.id).slice(0, 2),
    type: 'user', uri: `spotify:user:${l.id}`,
  };
  if (ctx.profile === 'development') return base;
  return {
    ...base, country: l.country, explicit_content: { filter_enabled: false, filter_locked: false },
    followers: { href: null, total: l.taste.length * 7 }, product: l.product,
    ...(scopes.has('user-read-email') ? { email: l.email } : {}),
  };
}

export function playHistory(ctx: RenderContext, p: RecentPlay): SpotifyApi.PlayHistoryObject {
  const track = ctx.catalog.tracks.get(p.trackId)!;
  const context = p.contextAlbumId
    ? {
      type: 'album' as const, href: apiUrl(ctx, `/albums/${p.contextAlbumId}`),
      external_urls: { spotify: `https://open.spotify.com/album/${p.contextAlbumId}` }, uri: `spotify:album:${p.contextAlbumId}`,
    }
    : null;
  return {
    track: fullTrack(ctx, track) as SpotifyApi.TrackObjectFull,
    played_at: new Date(p.playedAt).toISOString(),
    context: context as SpotifyApi.ContextObject,
  };
}
