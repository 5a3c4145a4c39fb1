import type { TrackFeatures } from '../features/FeatureProvider';
import type { Play } from '../history/play';
import type { AlbumRecord, TrackRecord } from '../store/ArtistRepository';
import { SPOTIFY_ID } from './ids';

/**
 * Spotify objects -> the app's records, in one place. Spotify's answers differ by API profile and
 * by endpoint (SPOTIFY.md): Development Mode drops genres, popularity, followers and label;
 * images may be []; recently played may hold episodes; playlists may hold local tracks with a
 * null id. Every field that can be missing maps to null (never to 0 or an invented value).
 */

/** A play longer than a day is a bad duration, not a long song. */
const MAX_PLAY_MS = 24 * 3600_000;

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

// ---- images: Spotify lists them largest first ----

/** The largest image (artist and album pages). */
export function largestImage(images: SpotifyApi.ImageObject[] | undefined | null): string | null {
  return images?.[0]?.url ?? null;
}

/** The second image (about 300 px), enough for dashboard cards; the only one if there is one. */
export function cardImage(images: SpotifyApi.ImageObject[] | undefined | null): string | null {
  if (!images?.length) return null;
  return images[Math.min(1, images.length - 1)].url;
}

/** The second-smallest image, for search result rows (the largest when there is only one). */
export function thumbnailImage(images: SpotifyApi.ImageObject[] | undefined | null): string | null {
  if (!images?.length) return null;
  return images[images.length > 1 ? images.length - 2 : 0]?.url ?? null;
}

// ---- catalog (artist ingest) ----

/** Spotify sends album_type in upper case in some embedded objects ("ALBUM"); the app uses lower case. */
export function albumType(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

/** What the ingest keeps of the artist object itself (genres come from GenreService). */
export interface ArtistFacts {
  name: string;
  /** null when absent (Development Mode), so GenreService looks elsewhere. */
  genres: string[] | null;
  popularity: number | null;
  followers: number | null;
  image: string | null;
  spotify_url: string | null;
}

export function toArtistFacts(a: SpotifyApi.ArtistObjectFull): ArtistFacts {
  return {
    name: a.name,
    genres: Array.isArray(a.genres) ? a.genres : null,
    popularity: numberOrNull(a.popularity),
    followers: numberOrNull(a.followers?.total),
    image: largestImage(a.images),
    spotify_url: a.external_urls?.spotify ?? null,
  };
}

export function toAlbumRecord(a: SpotifyApi.AlbumObjectFull): AlbumRecord {
  const extra = a as { label?: unknown; popularity?: unknown };
  return {
    id: a.id,
    name: a.name,
    album_type: albumType(a.album_type),
    release_date: a.release_date,
    release_date_precision: a.release_date_precision,
    total_tracks: a.total_tracks ?? a.tracks.total,
    label: stringOrNull(extra.label),
    popularity: numberOrNull(extra.popularity),
    image: largestImage(a.images),
    spotify_url: a.external_urls?.spotify ?? null,
  };
}

/** A track of an album as the catalog stores it, before features are attached. */
export type CatalogTrack = Omit<TrackRecord, keyof TrackFeatures>;

export function toCatalogTrack(t: SpotifyApi.TrackObjectSimplified, album: SpotifyApi.AlbumObjectFull): CatalogTrack {
  return {
    id: t.id,
    name: t.name,
    album_id: album.id,
    album_name: album.name,
    album_type: albumType(album.album_type),
    release_date: album.release_date,
    disc_number: t.disc_number,
    track_number: t.track_number,
    duration_ms: t.duration_ms,
    explicit: Boolean(t.explicit),
    // Simplified tracks (the album listing) carry no popularity; it is not invented.
    popularity: numberOrNull((t as { popularity?: unknown }).popularity),
    artists: (t.artists ?? []).map((ar) => ar.name),
    spotify_url: t.external_urls?.spotify ?? null,
  };
}

// ---- search ----

export interface ArtistHit {
  id: string;
  name: string;
  /** [] when Spotify gives none (Development Mode drops genres). */
  genres: string[];
  popularity: number | null;
  followers: number | null;
  image: string | null;
}

export function toArtistHit(a: SpotifyApi.ArtistObjectFull): ArtistHit {
  return {
    id: a.id,
    name: a.name,
    genres: Array.isArray(a.genres) ? a.genres : [],
    popularity: numberOrNull(a.popularity),
    followers: numberOrNull(a.followers?.total),
    image: thumbnailImage(a.images),
  };
}

// ---- the dashboard (top items, recent plays) ----

export interface ArtistLite {
  rank: number;
  id: string;
  name: string;
  image: string | null;
  genres: string[];
  popularity: number | null;
}

export interface TrackLite {
  rank: number;
  id: string;
  name: string;
  artists: { id: string; name: string }[];
  album: { id: string; name: string; image: string | null; release_date: string };
  duration_ms: number;
  popularity: number | null;
}

export interface RecentPlay {
  played_at: string;
  track: Omit<TrackLite, 'rank'>;
}

export function toArtistLite(a: SpotifyApi.ArtistObjectFull, rank: number, genres: string[]): ArtistLite {
  return { rank, id: a.id, name: a.name, image: cardImage(a.images), genres, popularity: numberOrNull(a.popularity) };
}

export function toTrackLite(t: SpotifyApi.TrackObjectFull, rank: number): TrackLite {
  return {
    rank,
    id: t.id,
    name: t.name,
    artists: (t.artists ?? []).map((a) => ({ id: a.id, name: a.name })),
    album: { id: t.album?.id ?? '', name: t.album?.name ?? '', image: cardImage(t.album?.images), release_date: t.album?.release_date ?? '' },
    duration_ms: t.duration_ms,
    popularity: numberOrNull(t.popularity),
  };
}

/** An artist as a small card (dashboard discovery). */
export function toArtistCard(a: SpotifyApi.ArtistObjectFull): { id: string; name: string; image: string | null } {
  return { id: a.id, name: a.name, image: cardImage(a.images) };
}

/** A recently-played entry as the dashboard lists it (whatever its context). */
export function toRecentPlay(item: SpotifyApi.PlayHistoryObject): RecentPlay {
  const { rank: _rank, ...track } = toTrackLite(item.track as SpotifyApi.TrackObjectFull, 0);
  return { played_at: item.played_at, track };
}

// ---- live capture ----

/**
 * One recently-played entry as a history play; null for anything that is not a music track
 * (episodes) or is malformed. played_at is the END of the play (as in the export). The context
 * (album, playlist, show, or null) does not change the play. A local track's null id gives a
 * play without a trackId.
 */
export function playFromRecent(item: SpotifyApi.PlayHistoryObject | null | undefined): Play | null {
  const track = item?.track;
  const ts = Date.parse(String(item?.played_at ?? ''));
  if (!track || (track.type && track.type !== 'track') || typeof track.name !== 'string' || !track.name || !Number.isFinite(ts)) return null;
  const duration = typeof track.duration_ms === 'number' && Number.isFinite(track.duration_ms) ? Math.round(track.duration_ms) : 0;
  return {
    ts,
    kind: 'music',
    name: track.name,
    artist: track.artists?.[0]?.name || 'Unknown artist',
    album: track.album?.name || null,
    trackId: typeof track.id === 'string' && SPOTIFY_ID.test(track.id) ? track.id : null,
    // The API does not say whether a play was partial: count the whole track.
    ms: Math.min(Math.max(duration, 0), MAX_PLAY_MS),
    skipped: null,
    shuffle: null,
    offline: null,
    incognito: null,
    platform: 'spotify-api',
    country: null,
  };
}

// ---- the logged-in person ----

export interface SpotifyProfile {
  displayName: string;
  imageUrl: string | null;
  /** null when the API profile does not give it (Development Mode drops product and country). */
  product: string | null;
  country: string | null;
  spotifyUrl: string | null;
}

export function toSpotifyProfile(me: SpotifyApi.CurrentUsersProfileResponse): SpotifyProfile {
  const extra = me as { product?: string; country?: string };
  return {
    displayName: me.display_name || me.id,
    imageUrl: largestImage(me.images),
    product: extra.product ?? null,
    country: extra.country ?? null,
    spotifyUrl: me.external_urls?.spotify ?? null,
  };
}

/** The person logging in, from passport-spotify's profile (its `_json` is the raw `/me` answer). */
export interface LoginProfile {
  id: string;
  displayName: string;
  imageUrl: string | null;
  country: string | null;
  product: string | null;
}

export function toLoginProfile(profile: {
  id: string;
  displayName?: string;
  photos?: { value: string }[] | null;
  _json?: { account_id?: string; country?: string; product?: string };
}): LoginProfile {
  const json = profile._json ?? {};
  return {
    // `account_id` (May 2026) is the stable key when present; the classic id otherwise.
    id: String(json.account_id ?? profile.id),
    displayName: profile.displayName || profile.id,
    imageUrl: profile.photos?.[0]?.value ?? null,
    // Development Mode drops country and product from /me.
    country: json.country ?? null,
    product: json.product ?? null,
  };
}
