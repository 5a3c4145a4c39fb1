import crypto from 'node:crypto';

/**
 * Key design, written down in one place: every key the repositories read or write is built here.
 *
 * Catalog table `<prefix>spotify` (original schema: artist_id HASH, track_id RANGE). One Query reads an artist:
 *   artist item   artist_id=<artistId>  track_id="#artist"
 *   album items   artist_id=<artistId>  track_id="#album#<albumId>"
 *   track items   artist_id=<artistId>  track_id=<trackId>       (features packed: see ArtistRepository)
 *   lease item    artist_id=<artistId>  track_id="#lease"        (single-flight ingest across workers; see Lease)
 *   genre cache   artist_id=<artistId>  track_id="#genres"       (MusicBrainz lookups)
 *   feature cache artist_id=<artistId>  track_id="#f#<trackId>"  (features of a track not ingested with its artist)
 *   track facts   artist_id="#track#<trackId>"  track_id="#features"  (features by track alone; TrackFactsRepository)
 *   artist by name artist_id="#name#<lower-cased name>" track_id="#artist"  (name -> artist id; TrackFactsRepository)
 *
 * App table `<prefix>app` (generic pk HASH, sk RANGE), access patterns:
 *   user profile + encrypted refresh token   pk="USER#<userId>"      sk="PROFILE"
 *   session by id                            pk="SESSION#<sid>"      sk="SESSION"
 *   a logged-in session, listed per user     pk="USER#<userId>"      sk="SESSION#<sid>"      (account deletion ends them all)
 *   dashboard summary cache (short TTL)      pk="USER#<userId>"      sk="SUMMARY"
 *   daily top-items snapshot                 pk="USER#<userId>"      sk="DAY#<YYYY-MM-DD>"   (Query, newest first)
 *   personal API token, listed per user      pk="USER#<userId>"      sk="TOKEN#<tokenId>"    (hash)
 *   personal API token, by hash              pk="APITOKEN#<sha256>"  sk="TOKEN"
 *   live capture state of a user             pk="USER#<userId>"      sk="CAPTURE"           (see CaptureRepository)
 *   users with live capture on (index)       pk="CAPTURE#users"      sk="<userId>"          (next_run_at)
 *   live capture scheduler lease             pk="CAPTURE#lease"      sk="LEASE"             (owner, expires_at; see Lease)
 *   public year-summary link, listed per user pk="USER#<userId>"     sk="SHARE#<slug>"      (year, created_at)
 *   public year-summary link, by slug        pk="SHARE#<slug>"       sk="SHARE"             (user_id, year; see ShareRepository)
 *   listening history, one item per day      pk="HIST#<userId>"      sk="D#<YYYY-MM-DD>"    (Query by date range; HistoryRepository)
 *   a large day's further parts              pk="HIST#<userId>"      sk="D#<YYYY-MM-DD>#<gen>.<i>" (see "Split items" below)
 *   listening history version                pk="USER#<userId>"      sk="HISTMETA"          (version, updated_at)
 *   all-time statistics kept at write time   pk="HIST#<userId>"      sk="AGG#stats#<000..>" (version, tag = zone and rules, parts, stamp, body: JSON in parts; HistoryRepository)
 *   artists the person counts as podcasts    pk="USER#<userId>"      sk="PODCASTS"          (as_podcast, as_music; PodcastChoiceRepository)
 *   history import job                       pk="USER#<userId>"      sk="IMPORT#<jobId>"    (Query: a user's jobs)
 *   import jobs to resume (all users)        pk="IMPORTS#pending"    sk="<userId>#<jobId>"  (upload_path, file_name)
 *   the lease of a running import job        pk="USER#<userId>"      sk="LEASE#IMPORT#<jobId>" (owner, expires_at; see Lease)
 *   who may rewrite the person's day items   pk="USER#<userId>"      sk="LEASE#WRITER"      (owner, expires_at; import, capture and undo; see HistoryRepository.writerLease)
 *   the plays an import added, per day       pk="USER#<userId>"      sk="UNDO#<jobId>#<YYYY-MM-DD>" (day-codec item; what undo removes; ImportUndoRepository)
 *   a large undo record's further parts      pk="USER#<userId>"      sk="UNDO#<jobId>#<YYYY-MM-DD>#<gen>.<i>"
 *   a playlist made from one's listening     pk="USER#<userId>"      sk="PLAYLIST#<resultId>" (what was added, matched, skipped; PlaylistRepository)
 *   a friend invitation, by token hash       pk="INVITE#<sha256(token)>" sk="INVITE"       (inviter, created_at, expires_at, ttl; FriendRepository)
 *   a friend invitation, listed per inviter  pk="USER#<userId>"      sk="INVITE#<sha256(token)>" (created_at, expires_at, ttl)
 *   a friendship, one item on each side      pk="USER#<userId>"      sk="FRIEND#<friendId>"  (since; both exist or neither is shown)
 *   tombstone of a deleted account           pk="DELETED#<sha256(userId)>" sk="TOMBSTONE" (deleted_at, blocks_until, ttl; TombstoneRepository)
 *   an upstream's learned rate limit         pk="RATE#<service>#<host>#<clientId>" sk="STATE" (paused_until, budget, window_ms, learned_at; RateStateRepository)
 *
 * Deletion is final (the tombstone rule). dynalite has no transactions, so account deletion is
 * made safe with single-item conditions and one tombstone (AccountService), in this order:
 *   1. the tombstone is written: deleted_at = now, blocks_until = now + DELETION_WINDOW_MS;
 *   2. this process cancels the person's imports and capture and waits until they stopped, and
 *      waits (bounded) for import leases other pm2 workers hold, which see the tombstone;
 *   3. everything is swept (AccountRepository), then swept once more;
 *   4. blocks_until = now (deletion finished): from here on a new login is a new account.
 * A background writer (an import job, a capture poll) that started at T writes for a person only
 * while their PROFILE exists and no tombstone has blocks_until >= T (tombstoneBlocks). It checks
 * before every write batch; job-record updates are conditional on the job item existing
 * (attribute_exists(pk)), so a swept job record is never recreated, and resumePending drops jobs
 * created before a deletion. A new login after deletion creates a new PROFILE, and its jobs and
 * polls start after blocks_until, so they are not blocked. Deletion crashed half-way blocks only
 * until blocks_until. The tombstone is keyed by a hash (it must not name the person) and expires
 * by TTL (TOMBSTONE_TTL_SECONDS); nothing of the old account is left that could resume by then.
 *
 * Split items (itemParts.ts): a day item or undo record that would pass the 400 KB item limit is
 * written as a head (the key above, with `zparts` = number of further parts and `zgen` = a random
 * generation id) and parts at "<head sk>#<zgen>.<i>", i = 1..zparts, each holding a piece of the
 * binary `z`. They sort right after their head and share its partition, so a Query by prefix (and
 * account deletion's Query of the whole partition) finds them; a part whose head points to another
 * generation is a leftover that readers ignore.
 *
 * Everything personal lives under pk="USER#<userId>", pk="HIST#<userId>", or is pointed at from
 * there (token hashes, sessions, shares, the capture index, pending imports): account deletion
 * (AccountRepository) finds it all from those two partitions.
 */
export const CATALOG_SK = {
  artist: '#artist',
  lease: '#lease',
  genres: '#genres',
  album: (albumId: string) => `#album#${albumId}`,
  featureCache: (trackId: string) => `#f#${trackId}`,
  albumPrefix: '#album#',
} as const;

export const CATALOG_KEY = {
  artist: (artistId: string) => ({ artist_id: artistId, track_id: CATALOG_SK.artist }),
  lease: (artistId: string) => ({ artist_id: artistId, track_id: CATALOG_SK.lease }),
  genres: (artistId: string) => ({ artist_id: artistId, track_id: CATALOG_SK.genres }),
  track: (artistId: string, trackId: string) => ({ artist_id: artistId, track_id: trackId }),
  featureCache: (artistId: string, trackId: string) => ({ artist_id: artistId, track_id: CATALOG_SK.featureCache(trackId) }),
  trackFacts: (trackId: string) => ({ artist_id: `${TRACK_FACTS_PREFIX}${trackId}`, track_id: '#features' }),
  artistByName: (name: string) => ({ artist_id: `${ARTIST_NAME_PREFIX}${name.toLowerCase().slice(0, 400)}`, track_id: CATALOG_SK.artist }),
} as const;
export const TRACK_FACTS_PREFIX = '#track#';
export const ARTIST_NAME_PREFIX = '#name#';

export const userPk = (userId: string) => `USER#${userId}`;
export const historyPk = (userId: string) => `HIST#${userId}`;

/** Sort-key prefixes for Queries within pk="USER#<userId>" (and "D#" within pk="HIST#<userId>"). */
export const SK_PREFIX = {
  session: 'SESSION#',
  day: 'DAY#',
  token: 'TOKEN#',
  share: 'SHARE#',
  importJob: 'IMPORT#',
  /** Not under IMPORT#: a Query for a user's jobs must not return these. */
  importAdded: (jobId: string) => `UNDO#${jobId}#`,
  historyDay: 'D#',
  playlist: 'PLAYLIST#',
  invite: 'INVITE#',
  friend: 'FRIEND#',
} as const;

/** The sort key of part i (1-based) of a split item (itemParts.ts). */
export const partSk = (headSk: string, gen: string, i: number) => `${headSk}#${gen}.${i}`;
/** The head's sort key of an item's sort key (itself for a head): parts add "#<gen>.<i>" after a date. */
export const headSkOf = (sk: string, prefixLength: number) => sk.slice(0, prefixLength + 10);

export const CAPTURE_INDEX_PK = 'CAPTURE#users';

/** How long a deleted account's tombstone is kept (DynamoDB TTL removes it afterwards). */
export const TOMBSTONE_TTL_SECONDS = 30 * 24 * 3600;
/** Upper bound on one deletion: until it finishes (or for this long, if it crashed) every writer is blocked. */
export const DELETION_WINDOW_MS = 10 * 60_000;

/**
 * The tombstone rule (see the top of this file): a writer that started at `startedAt` (Unix ms)
 * is blocked when it started before the deletion finished (`blocksUntil`); an unknown start
 * counts as before. No tombstone (null): never blocked.
 */
export function tombstoneBlocks(blocksUntil: number | null, startedAt: number): boolean {
  return blocksUntil !== null && !(startedAt > blocksUntil);
}
export const IMPORTS_PENDING_PK = 'IMPORTS#pending';

export const APP_KEY = {
  user: (userId: string) => ({ pk: userPk(userId), sk: 'PROFILE' }),
  session: (sid: string) => ({ pk: `${SK_PREFIX.session}${sid}`, sk: 'SESSION' }),
  userSession: (userId: string, sid: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.session}${sid}` }),
  summary: (userId: string) => ({ pk: userPk(userId), sk: 'SUMMARY' }),
  day: (userId: string, date: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.day}${date}` }),
  userToken: (userId: string, tokenId: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.token}${tokenId}` }),
  tokenHash: (hash: string) => ({ pk: `APITOKEN#${hash}`, sk: 'TOKEN' }),
  captureState: (userId: string) => ({ pk: userPk(userId), sk: 'CAPTURE' }),
  captureIndex: (userId: string) => ({ pk: CAPTURE_INDEX_PK, sk: userId }),
  captureLease: { pk: 'CAPTURE#lease', sk: 'LEASE' },
  userShare: (userId: string, slug: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.share}${slug}` }),
  shareBySlug: (slug: string) => ({ pk: `${SK_PREFIX.share}${slug}`, sk: 'SHARE' }),
  historyDay: (userId: string, date: string) => ({ pk: historyPk(userId), sk: `${SK_PREFIX.historyDay}${date}` }),
  historyMeta: (userId: string) => ({ pk: userPk(userId), sk: 'HISTMETA' }),
  podcastChoices: (userId: string) => ({ pk: userPk(userId), sk: 'PODCASTS' }),
  importJob: (userId: string, jobId: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.importJob}${jobId}` }),
  pendingImport: (userId: string, jobId: string) => ({ pk: IMPORTS_PENDING_PK, sk: `${userId}#${jobId}` }),
  importLease: (userId: string, jobId: string) => ({ pk: userPk(userId), sk: `LEASE#IMPORT#${jobId}` }),
  historyWriter: (userId: string) => ({ pk: userPk(userId), sk: 'LEASE#WRITER' }),
  importAdded: (userId: string, jobId: string, date: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.importAdded(jobId)}${date}` }),
  playlistResult: (userId: string, resultId: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.playlist}${resultId}` }),
  inviteByHash: (hash: string) => ({ pk: `INVITE#${hash}`, sk: 'INVITE' }),
  userInvite: (userId: string, hash: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.invite}${hash}` }),
  friendship: (userId: string, friendId: string) => ({ pk: userPk(userId), sk: `${SK_PREFIX.friend}${friendId}` }),
  /** One per app and upstream: Spotify's rate limit is per client id; the secret never appears in a key. */
  rateState: (service: string, host: string, clientId: string) => ({ pk: `RATE#${service}#${host}#${clientId}`, sk: 'STATE' }),
  /** Hashed: the tombstone outlives the account, and must not name the person. */
  tombstone: (userId: string) => ({ pk: `DELETED#${crypto.createHash('sha256').update(userId).digest('hex')}`, sk: 'TOMBSTONE' }),
} as const;
