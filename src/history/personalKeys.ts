import crypto from 'node:crypto';
import { SPOTIFY_ID } from '../spotify/ids';

/**
 * Keys of the personal pages (/me/artists/:key, /me/tracks/:key, /me/albums/:key). They work for
 * plays with and without Spotify ids (the account-data export has none) and are computed from names
 * alone, so any page (history, dashboard, taste, share) can link to them without a lookup:
 *   artist  hash(normalised artist name), plus "-<Spotify artist id>" when the linking page knows it
 *           (the export never names artist ids; the id only makes the catalog link direct)
 *   track   the Spotify track id when known, else "t" + hash(normalised artist, normalised track)
 *   album   "a" + hash(normalised artist, normalised album)
 * hash = the first 16 hex digits of SHA-256. Normalised = Unicode NFKC, lower case, spaces collapsed,
 * so "The Band" and "the  band" are one artist.
 */

export function normaliseName(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function hash16(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function artistKey(name: string, spotifyArtistId?: string | null): string {
  const base = hash16(`artist\u0000${normaliseName(name)}`);
  return spotifyArtistId && SPOTIFY_ID.test(spotifyArtistId) ? `${base}-${spotifyArtistId}` : base;
}

/** The hash form of a track's key (every track has one; the Spotify id is preferred when known). */
export function trackNameKey(artist: string, track: string): string {
  return `t${hash16(`track\u0000${normaliseName(artist)}\u0000${normaliseName(track)}`)}`;
}

export function trackKey(artist: string, track: string, trackId?: string | null): string {
  return trackId && SPOTIFY_ID.test(trackId) ? trackId : trackNameKey(artist, track);
}

export function albumKey(artist: string, album: string): string {
  return `a${hash16(`album\u0000${normaliseName(artist)}\u0000${normaliseName(album)}`)}`;
}

export const ARTIST_KEY = /^([0-9a-f]{16})(?:-([0-9A-Za-z]{22}))?$/;
export const TRACK_KEY = /^(?:t[0-9a-f]{16}|[0-9A-Za-z]{22})$/;
export const ALBUM_KEY = /^a[0-9a-f]{16}$/;

/** An artist key split into its hash and the Spotify artist id it may carry. */
export function parseArtistKey(key: string): { hash: string; spotifyId: string | null } | null {
  const m = ARTIST_KEY.exec(key);
  return m ? { hash: m[1], spotifyId: m[2] ?? null } : null;
}
