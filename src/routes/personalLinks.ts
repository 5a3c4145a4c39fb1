import { albumKey, artistKey, trackKey } from '../history/personalKeys';

/** Links to the personal pages from any list that names an artist, track or album (available as `meLink` in every template). */
export const meLink = {
  artist: (name: string, spotifyArtistId?: string | null) => `/me/artists/${artistKey(name, spotifyArtistId)}`,
  track: (artist: string, name: string, trackId?: string | null) => `/me/tracks/${trackKey(artist, name, trackId)}`,
  album: (artist: string, album: string) => `/me/albums/${albumKey(artist, album)}`,
};
