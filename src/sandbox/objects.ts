/**
 * Catalog entities → Spotify Web API JSON objects (shapes checked against Spotify's OpenAPI and
 * @types/spotify-api). In the development profile the fields Spotify removed in February 2026 are
 * left out (not zeroed): artist followers/genres/popularity; track available_markets/linked_from/
 * popularity; album album_group/available_markets/label/popularity. With ctx.quirks (quirks.ts) the
 * objects carry the real service's oddities: per-copy available_markets (left out when the request
 * named a market), relinked tracks, coarse release dates, odd images and type case, preview URLs.
 */
import type { Catalog, CatalogAlbum, CatalogArtist, CatalogTrack } from './catalog';
import type { DemoListener, RecentPlay } from './listeners';
import {
  MARKETS, type QuirkIndex, contextKindOf, copyPlayableIn, hasPreview, imageQuirk, marketsOf, originalId, playlistIdFor,
  releaseDateOf, showIdFor, upperCaseAlbumType,
} from './quirks';
import { base62Id } from './random';

export type SandboxProfile = 'extended' | 'development';

export interface RenderContext {
  /** Origin of the sandbox as the client sees it, e.g. http://127.0.0.1:5002 */
  origin: string;
  profile: SandboxProfile;
  catalog: Catalog;
  /** Set when the sandbox imitates the real service's quirks (then `catalog` includes the copies). */
  quirks?: RenderQuirks;
}

export interface RenderQuirks {
  index: QuirkIndex;
  /** The request's market (`market=XX`, or the user's country for `from_token`). */
  market?: string;
}

export type DevArtist = Omit<SpotifyApi.ArtistObjectFull, 'followers' | 'genres' | 'popularity'>;
export type DevTrack = Omit<SpotifyApi.TrackObjectFull, 'available_markets' | 'linked_from' | 'popularity'>;
export type DevSimplifiedAlbum = Omit<SpotifyApi.AlbumObjectSimplified, 'album_group' | 'available_markets'>;
export type DevAlbum = Omit<SpotifyApi.AlbumObjectFull, 'album_group' | 'available_markets' | 'label' | 'popularity'>;

export const apiUrl = (ctx: RenderContext, path: string): string => `${ctx.origin}/v1${path}`;

export function images(ctx: RenderContext, kind: 'artist' | 'album' | 'user', id: string): SpotifyApi.ImageObject[] {
  if (ctx.quirks && kind === 'album') {
    const quirk = imageQuirk(originalId(ctx.quirks.index, id));
    if (quirk === 'empty') return [];
    // One image without a size, as Spotify sends for custom covers.
    if (quirk === 'unsized') return [{ url: `${ctx.origin}/images/${kind}/${id}.svg`, height: null, width: null } as unknown as SpotifyApi.ImageObject];
  }
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
  const release = ctx.quirks ? releaseDateOf(al, originalId(ctx.quirks.index, al.id)) : { date: al.releaseDate, precision: al.releaseDatePrecision };
  const base: DevSimplifiedAlbum = {
    album_type: al.albumType, total_tracks: al.trackIds.length,
    external_urls: { spotify: `https://open.spotify.com/album/${al.id}` },
    href: apiUrl(ctx, `/albums/${al.id}`), id: al.id, images: images(ctx, 'album', al.id), name: al.name,
    release_date: release.date, release_date_precision: release.precision, type: 'album',
    uri: `spotify:album:${al.id}`, artists: artistsOf(ctx, al.artistIds),
  };
  if (ctx.profile === 'development') return base;
  return { ...base, ...marketsField(ctx, al.id), ...(group ? { album_group: group } : {}) };
}

/** available_markets as Spotify sends it: left out when the request named a market. */
function marketsField(ctx: RenderContext, id: string): { available_markets?: string[] } {
  if (!ctx.quirks) return { available_markets: MARKETS };
  return ctx.quirks.market ? {} : { available_markets: [...marketsOf(ctx.quirks.index, id)] };
}

interface Relinked {
  /** The track to show: the one asked for, or its copy playable in the market. */
  shown: CatalogTrack;
  /** The one asked for, when another copy is shown instead. */
  linkedFrom?: CatalogTrack;
  playable?: boolean;
}

/** Spotify's track relinking: with a market, a copy not sold there is replaced by its twin that is. */
function relink(ctx: RenderContext, t: CatalogTrack): Relinked {
  const market = ctx.quirks?.market;
  if (!ctx.quirks || !market) return { shown: t };
  if (marketsOf(ctx.quirks.index, t.id).includes(market)) return { shown: t, playable: true };
  const twinId = copyPlayableIn(ctx.quirks.index, t.id, market);
  const twin = twinId ? ctx.catalog.tracks.get(twinId) : undefined;
  return twin ? { shown: twin, linkedFrom: t, playable: true } : { shown: t, playable: false };
}

const trackLink = (ctx: RenderContext, t: CatalogTrack) => ({
  external_urls: { spotify: `https://open.spotify.com/track/${t.id}` }, href: apiUrl(ctx, `/tracks/${t.id}`), id: t.id,
  type: 'track' as const, uri: `spotify:track:${t.id}`,
});

export function simplifiedTrack(ctx: RenderContext, asked: CatalogTrack): SpotifyApi.TrackObjectSimplified {
  const { shown: t, linkedFrom, playable } = relink(ctx, asked);
  const base: SpotifyApi.TrackObjectSimplified = {
    artists: artistsOf(ctx, t.artistIds), disc_number: t.discNumber, duration_ms: t.durationMs, explicit: t.explicit,
    external_urls: { spotify: `https://open.spotify.com/track/${t.id}` }, href: apiUrl(ctx, `/tracks/${t.id}`), id: t.id,
    is_local: false, name: t.name, preview_url: null, track_number: t.trackNumber, type: 'track', uri: `spotify:track:${t.id}`,
  } as SpotifyApi.TrackObjectSimplified;
  if (ctx.quirks) {
    if (hasPreview(t, originalId(ctx.quirks.index, t.id))) base.preview_url = `${ctx.origin}/previews/${t.id}.mp3`;
    if (playable !== undefined) base.is_playable = playable;
    if (playable === false) (base as { restrictions?: { reason: string } }).restrictions = { reason: 'market' };
    // linked_from is one of the fields Development Mode no longer sends.
    if (linkedFrom && ctx.profile !== 'development') base.linked_from = trackLink(ctx, linkedFrom);
  }
  if (ctx.profile === 'development') return base;
  return { ...base, ...marketsField(ctx, t.id) };
}

export function fullTrack(ctx: RenderContext, asked: CatalogTrack): SpotifyApi.TrackObjectFull | DevTrack {
  const t = relink(ctx, asked).shown;
  const album = ctx.catalog.albums.get(t.albumId)!;
  const embedded = simplifiedAlbum(ctx, album) as SpotifyApi.AlbumObjectSimplified;
  if (ctx.quirks && upperCaseAlbumType(originalId(ctx.quirks.index, album.id))) {
    embedded.album_type = embedded.album_type.toUpperCase() as SpotifyApi.AlbumObjectSimplified['album_type'];
  }
  const base = {
    ...simplifiedTrack(ctx, asked), album: embedded,
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
  return { ...base, ...marketsField(ctx, al.id), label, popularity: al.popularity };
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

/** `position`: the play's place in the listener's recent plays (0 = newest), for the quirks' contexts. */
export function playHistory(ctx: RenderContext, p: RecentPlay, position = 0): SpotifyApi.PlayHistoryObject {
  const track = ctx.catalog.tracks.get(p.trackId)!;
  if (ctx.quirks) {
    return { track: fullTrack(ctx, track) as SpotifyApi.TrackObjectFull, played_at: new Date(p.playedAt).toISOString(), context: quirkContext(ctx, p, track, position) as SpotifyApi.ContextObject };
  }
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

function quirkContext(ctx: RenderContext, p: RecentPlay, track: CatalogTrack, position: number): SpotifyApi.ContextObject | null {
  const kind = contextKindOf(position);
  if (kind === null) return null;
  const id = kind === 'album' ? (p.contextAlbumId ?? track.albumId)
    : kind === 'artist' ? track.artistIds[0]
      : kind === 'playlist' ? playlistIdFor(track.artistIds[0]) : showIdFor(track.id);
  return {
    type: kind as SpotifyApi.ContextObject['type'], href: apiUrl(ctx, `/${kind}s/${id}`),
    external_urls: { spotify: `https://open.spotify.com/${kind}/${id}` }, uri: `spotify:${kind}:${id}`,
  };
}
