/**
 * Key design, written down in one place.
 *
 * Catalog table `<prefix>spotify` (original schema: artist_id HASH, track_id RANGE). One Query reads an artist:
 *   artist item   artist_id=<artistId>  track_id="#artist"
 *   album items   artist_id=<artistId>  track_id="#album#<albumId>"
 *   track items   artist_id=<artistId>  track_id=<trackId>       (features packed: see ArtistRepository)
 *   lease item    artist_id=<artistId>  track_id="#lease"        (single-flight ingest across workers)
 *   genre cache   artist_id=<artistId>  track_id="#genres"       (MusicBrainz lookups)
 *
 * App table `<prefix>app` (generic pk HASH, sk RANGE), access patterns:
 *   user profile + encrypted refresh token   pk="USER#<userId>"      sk="PROFILE"
 *   session by id                            pk="SESSION#<sid>"      sk="SESSION"
 */
export const CATALOG_SK = {
  artist: '#artist',
  lease: '#lease',
  genres: '#genres',
  album: (albumId: string) => `#album#${albumId}`,
  albumPrefix: '#album#',
} as const;

export const APP_KEY = {
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  session: (sid: string) => ({ pk: `SESSION#${sid}`, sk: 'SESSION' }),
} as const;
