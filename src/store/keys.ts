/**
 * Key design, written down in one place.
 *
 * Catalog table `<prefix>spotify` (original schema: artist_id HASH, track_id RANGE). One Query reads an artist:
 *   artist item   artist_id=<artistId>  track_id="#artist"
 *   album items   artist_id=<artistId>  track_id="#album#<albumId>"
 *   track items   artist_id=<artistId>  track_id=<trackId>       (features packed: see ArtistRepository)
 *   lease item    artist_id=<artistId>  track_id="#lease"        (single-flight ingest across workers)
 *   genre cache   artist_id=<artistId>  track_id="#genres"       (MusicBrainz lookups)
 *   feature cache artist_id=<artistId>  track_id="#f#<trackId>"  (features of a track not ingested with its artist)
 *
 * App table `<prefix>app` (generic pk HASH, sk RANGE), access patterns:
 *   user profile + encrypted refresh token   pk="USER#<userId>"      sk="PROFILE"
 *   session by id                            pk="SESSION#<sid>"      sk="SESSION"
 *   a logged-in session, listed per user     pk="USER#<userId>"      sk="SESSION#<sid>"      (account deletion ends them all)
 *   dashboard summary cache (short TTL)      pk="USER#<userId>"      sk="SUMMARY"
 *   daily top-items snapshot                 pk="USER#<userId>"      sk="DAY#<YYYY-MM-DD>"   (Query, newest first)
 *   personal API token, listed per user      pk="USER#<userId>"      sk="TOKEN#<tokenId>"
 *   personal API token, by hash              pk="APITOKEN#<sha256>"  sk="TOKEN"
 *   live capture state of a user             pk="USER#<userId>"      sk="CAPTURE"           (see CaptureRepository)
 *   users with live capture on (index)       pk="CAPTURE#users"      sk="<userId>"          (next_run_at)
 *   live capture scheduler lease             pk="CAPTURE#lease"      sk="LEASE"             (owner, expires_at)
 *   public year-summary link, listed per user pk="USER#<userId>"     sk="SHARE#<slug>"      (year, created_at)
 *   public year-summary link, by slug        pk="SHARE#<slug>"       sk="SHARE"             (user_id, year; see ShareRepository)
 */
export const CATALOG_SK = {
  artist: '#artist',
  lease: '#lease',
  genres: '#genres',
  album: (albumId: string) => `#album#${albumId}`,
  featureCache: (trackId: string) => `#f#${trackId}`,
  albumPrefix: '#album#',
} as const;

export const APP_KEY = {
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  session: (sid: string) => ({ pk: `SESSION#${sid}`, sk: 'SESSION' }),
  userSession: (userId: string, sid: string) => ({ pk: `USER#${userId}`, sk: `SESSION#${sid}` }),
  summary: (userId: string) => ({ pk: `USER#${userId}`, sk: 'SUMMARY' }),
  day: (userId: string, date: string) => ({ pk: `USER#${userId}`, sk: `DAY#${date}` }),
  userToken: (userId: string, tokenId: string) => ({ pk: `USER#${userId}`, sk: `TOKEN#${tokenId}` }),
  tokenHash: (hash: string) => ({ pk: `APITOKEN#${hash}`, sk: 'TOKEN' }),
} as const;
