import { collapseReleaseCopies, type DroppedCopy } from '../spotify/releaseCopies';

/** An album's details with its complete track list (embedded page plus any extra pages). */
export interface FetchedAlbum {
  album: SpotifyApi.AlbumObjectFull;
  tracks: SpotifyApi.TrackObjectSimplified[];
}

type ListedAlbum = Pick<SpotifyApi.AlbumObjectSimplified, 'id' | 'album_type' | 'release_date'>;

/**
 * Keeps one copy per release while an ingest streams album details (collapseReleaseCopies, which
 * needs complete track lists, so it runs on details, not on the listing). Albums that could be
 * copies of each other wait until all of them have arrived; the rest pass at once, so features and
 * writes still overlap with fetching. Candidates are albums listed with the same release date and
 * type (ignoring case): copies always share both (releaseKey), so the groups hold every set of
 * copies, and the collapse itself decides within a group.
 */
export class ReleaseCollapser {
  private readonly groupOf = new Map<string, string>();
  private readonly listedIn = new Map<string, number>();
  private readonly waiting = new Map<string, FetchedAlbum[]>();
  readonly dropped: DroppedCopy[] = [];
  /** Kept albums sold in no market that have no playable twin: kept, and marked. */
  readonly unavailable = new Set<string>();

  constructor(
    listed: readonly ListedAlbum[],
    private readonly market: string | undefined,
    private readonly emit: (kept: FetchedAlbum) => void,
  ) {
    for (const a of listed) {
      const key = candidateKey(a);
      this.groupOf.set(a.id, key);
      this.listedIn.set(key, (this.listedIn.get(key) ?? 0) + 1);
    }
  }

  add(fetched: FetchedAlbum): void {
    // Details of an album the listing did not name (never seen, but cheap to allow): on its own.
    const key = this.groupOf.get(fetched.album.id) ?? `unlisted:${fetched.album.id}`;
    const members = [...(this.waiting.get(key) ?? []), fetched];
    if (members.length < (this.listedIn.get(key) ?? 1)) {
      this.waiting.set(key, members);
      return;
    }
    this.waiting.delete(key);
    this.decide(members);
  }

  /** Decides the groups still waiting: some of their albums never came (Spotify answered null for an id). */
  finish(): void {
    for (const members of this.waiting.values()) this.decide(members);
    this.waiting.clear();
  }

  private decide(members: FetchedAlbum[]): void {
    const result = collapseReleaseCopies(
      members.map((m) => m.album),
      this.market,
      new Map(members.map((m) => [m.album.id, m.tracks])),
    );
    this.dropped.push(...result.dropped);
    for (const id of result.unavailable) this.unavailable.add(id);
    const kept = new Set(result.albums.map((a) => a.id));
    for (const m of members) if (kept.has(m.album.id)) this.emit(m);
  }
}

const candidateKey = (a: ListedAlbum): string => `${String(a.album_type).toLowerCase()}|${a.release_date}`;
