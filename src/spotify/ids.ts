/** Spotify ids (artists, albums, tracks, episodes) are 22 base62 characters. */
export const SPOTIFY_ID_PATTERN = '[0-9A-Za-z]{22}';
export const SPOTIFY_ID = new RegExp(`^${SPOTIFY_ID_PATTERN}$`);

export function isSpotifyId(s: unknown): s is string {
  return typeof s === 'string' && SPOTIFY_ID.test(s);
}
