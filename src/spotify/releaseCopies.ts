/**
 * Spotify lists one release several times when asked without a market (and sometimes with one):
 * one copy per market group, each with its own album id, its own track ids and disjoint
 * `available_markets`, one of them often `[]` (SPOTIFY.md "Markets and copies of one release").
 * collapseReleaseCopies keeps one copy per release and says which ids it dropped and why.
 *
 * Lossless by construction: two albums are copies only when their keys are equal, and the key
 * holds the complete track list (disc, number, normalised name, exact duration of every track),
 * so two releases whose track lists differ in any way are never merged. An album whose complete
 * track list is not known is never merged either.
 */

export interface ReleaseTrack {
  name: string;
  duration_ms: number;
  disc_number: number;
  track_number: number;
  /** Sent with a market: whether this track (or the twin it was relinked to) plays there. */
  is_playable?: boolean;
  /** Set when Spotify relinked the track: the one shown is another copy's. */
  linked_from?: unknown;
}

/** The fields of a Spotify album object (simplified or full) that decide whether two are copies. */
export interface ReleaseAlbum {
  id: string;
  name: string;
  album_type: string;
  release_date: string;
  /** Absent in Development Mode responses (unknown, not empty). */
  available_markets?: readonly string[] | null;
  /** Only sent when the request named a market. */
  is_playable?: boolean;
  artists?: ReadonlyArray<{ id: string | null }>;
  /** Full album objects carry the first page of tracks; used only when it is the whole list. */
  tracks?: { items: readonly ReleaseTrack[]; total: number } | null;
}

export type DropReason =
  /** `available_markets: []`: playable nowhere, and a twin is kept. */
  | 'no_markets'
  /** A market was given; the kept twin is playable there and this one is not. */
  | 'not_playable_in_market'
  /** Neither decides by market: the kept twin is available in more markets (or came first on a tie). */
  | 'fewer_markets';

export interface DroppedCopy {
  id: string;
  /** The copy kept in its place. */
  keptId: string;
  reason: DropReason;
}

export interface CollapsedReleases<A> {
  /** One album per release, in the order the kept copies came in. */
  albums: A[];
  dropped: DroppedCopy[];
  /** Kept albums with `available_markets: []` (no twin to replace them): the ingest may mark them. */
  unavailable: string[];
  /** Kept albums whose complete track list was not known, so they were compared with nothing. */
  unchecked: string[];
}

const normaliseName = (s: string): string =>
  s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

function trackListOf(album: ReleaseAlbum, given: ReadonlyMap<string, readonly ReleaseTrack[]> | undefined): readonly ReleaseTrack[] | undefined {
  const fromMap = given?.get(album.id);
  if (fromMap) return fromMap;
  const page = album.tracks;
  // A first page shorter than the total is not the whole list: comparing it could merge releases
  // that differ after track 50.
  if (page && Array.isArray(page.items) && page.items.length === page.total) return page.items;
  return undefined;
}

/** Everything two copies of one release share; JSON keeps the parts unambiguous. */
export function releaseKey(album: ReleaseAlbum, tracks: readonly ReleaseTrack[]): string {
  const list = tracks
    .map((t) => [t.disc_number, t.track_number, normaliseName(t.name), t.duration_ms] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : a[3] - b[3]));
  const artists = (album.artists ?? []).map((a) => a.id ?? '').sort();
  return JSON.stringify([normaliseName(album.name), album.album_type.toLowerCase(), album.release_date, artists, list]);
}

const marketCount = (a: ReleaseAlbum): number => a.available_markets?.length ?? 0;
const hasNoMarkets = (a: ReleaseAlbum): boolean => Array.isArray(a.available_markets) && a.available_markets.length === 0;

/**
 * Sold in the market: the album says so (is_playable, available_markets), or, when only the
 * tracks fetched with that market tell, one of its own tracks plays there without relinking (a
 * relinked track plays another copy, so it proves nothing about this one).
 */
function playableIn(a: ReleaseAlbum, tracks: readonly ReleaseTrack[] | undefined, market: string | undefined): boolean {
  if (!market) return false;
  if (typeof a.is_playable === 'boolean') return a.is_playable;
  if (a.available_markets) return a.available_markets.includes(market);
  return tracks?.some((t) => t.is_playable === true && !t.linked_from) ?? false;
}

/**
 * Collapses copies of the same release (same normalised name, album type ignoring case, release
 * date, artists and track list). Keeps the copy playable in `market` (is_playable, available_markets,
 * or its tracks fetched with that market), else the one with the most markets, else the first. `tracksByAlbumId` gives
 * the track lists the ingest fetched (album details or /albums/{id}/tracks); without an entry the
 * album's own `tracks` page is used when it is complete.
 */
export function collapseReleaseCopies<A extends ReleaseAlbum>(
  albums: readonly A[],
  market?: string,
  tracksByAlbumId?: ReadonlyMap<string, readonly ReleaseTrack[]>,
): CollapsedReleases<A> {
  const groups = new Map<string, number[]>();
  const trackLists: Array<readonly ReleaseTrack[] | undefined> = [];
  const unchecked: string[] = [];
  const keepAlone: number[] = [];
  albums.forEach((album, index) => {
    const tracks = trackListOf(album, tracksByAlbumId);
    trackLists[index] = tracks;
    if (!tracks) {
      unchecked.push(album.id);
      keepAlone.push(index);
      return;
    }
    const key = releaseKey(album, tracks);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });

  const kept = new Set<number>(keepAlone);
  const dropped: DroppedCopy[] = [];
  for (const members of groups.values()) {
    const playable = members.filter((i) => playableIn(albums[i], trackLists[i], market));
    const pool = playable.length > 0 ? playable : members;
    // Most markets wins; on a tie the earliest in the input (members are in input order).
    const winner = pool.reduce((best, i) => (marketCount(albums[i]) > marketCount(albums[best]) ? i : best), pool[0]);
    kept.add(winner);
    const keptId = albums[winner].id;
    for (const i of members) {
      if (i === winner) continue;
      const reason: DropReason = hasNoMarkets(albums[i]) && !hasNoMarkets(albums[winner])
        ? 'no_markets'
        : playable.length > 0 && !playable.includes(i) ? 'not_playable_in_market' : 'fewer_markets';
      dropped.push({ id: albums[i].id, keptId, reason });
    }
  }

  const result = albums.filter((_, i) => kept.has(i));
  return {
    albums: result,
    dropped,
    unavailable: result.filter((a) => hasNoMarkets(a) && !playableIn(a, undefined, market)).map((a) => a.id),
    unchecked,
  };
}
