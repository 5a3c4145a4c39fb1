import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FEATURE_NAMES, type FeaturesCoverage, type TrackFeatures } from '../features/FeatureProvider';
import { CATALOG_KEY, CATALOG_SK } from './keys';
import { Lease } from './Lease';
import { isConditionalFailure } from './storeErrors';
import type { Store } from './Store';

/** What the artist item records besides the artist's own fields. */
export type IngestStatus = 'ingesting' | 'complete' | 'failed';

export interface ArtistRecord {
  id: string;
  name: string;
  genres: string[];
  /** Where the genres came from: the Spotify artist object, MusicBrainz, or nowhere. */
  genres_source: 'spotify' | 'musicbrainz' | 'none';
  popularity: number | null;
  followers: number | null;
  image: string | null;
  spotify_url: string | null;
  status: IngestStatus;
  /** Generation of the last complete ingest; items of older generations are not served. */
  complete_generation: string | null;
  ingest_generation: string;
  started_at: string;
  finished_at: string | null;
  fetched_at: string | null;
  error: string | null;
  album_count: number | null;
  track_count: number | null;
  api_profile: string | null;
  features_provider: string | null;
  features_note: string | null;
  /** How many tracks got features, and why the others did not (absent on items written before it existed). */
  features_coverage?: FeaturesCoverage | null;
  /** Why the genre lookup failed (genres are then empty until the next ingest). */
  genres_error?: string | null;
  /** Copies of a release the ingest left out, each with the copy kept instead and why (releaseCopies.ts). */
  albums_collapsed?: { id: string; kept_id: string; reason: string }[];
  /** Set when enrichment failed: from then on the artist is fetched again, ahead of ARTIST_TTL. */
  enrichment_retry_at?: string | null;
}

export interface AlbumRecord {
  id: string;
  name: string;
  album_type: string;
  release_date: string;
  release_date_precision: string;
  total_tracks: number;
  label: string | null;
  popularity: number | null;
  image: string | null;
  spotify_url: string | null;
  /** Spotify sells this release in no market and lists no copy that is sold: kept, and marked. */
  unavailable?: boolean;
}

export interface TrackRecord extends TrackFeatures {
  id: string;
  name: string;
  album_id: string;
  album_name: string;
  album_type: string;
  release_date: string;
  disc_number: number;
  track_number: number;
  duration_ms: number;
  explicit: boolean;
  popularity: number | null;
  artists: string[];
  spotify_url: string | null;
}

export type CatalogEntry = { kind: 'album'; record: AlbumRecord } | { kind: 'track'; record: TrackRecord };

export interface ArtistSnapshot {
  artist: ArtistRecord | null;
  albums: AlbumRecord[];
  tracks: TrackRecord[];
}

const KEY_FIELDS = new Set(['artist_id', 'track_id', 'generation']);

/**
 * Track items are lean: album fields live on the album item and are joined on read, and the twelve
 * features are packed into one string attribute in FEATURE_NAMES order ("" = not available). Each
 * numeric attribute costs DynamoDB (and dynalite) a decimal parse; packing halves the write time of
 * a large discography. Numbers are written with String(n), which reads back as the same double.
 */
function toTrackItem(t: TrackRecord, artistId: string, generation: string, artistName: string): Record<string, unknown> {
  return {
    artist_id: artistId,
    track_id: t.id,
    generation,
    name: t.name,
    album_id: t.album_id,
    disc_number: t.disc_number,
    track_number: t.track_number,
    duration_ms: t.duration_ms,
    // Defaults are left out: not explicit, no popularity, performed by the artist alone.
    ...(t.explicit ? { explicit: true } : {}),
    ...(t.popularity === null ? {} : { popularity: t.popularity }),
    ...(t.artists.length === 1 && t.artists[0] === artistName ? {} : { artists: t.artists }),
    features: packFeatures(t),
  };
}

export function packFeatures(f: TrackFeatures): string {
  return FEATURE_NAMES.map((n) => (f[n] === null ? '' : String(f[n]))).join(',');
}

export function unpackFeatures(packed: string): TrackFeatures {
  const parts = packed.split(',');
  return Object.fromEntries(FEATURE_NAMES.map((f, k) => [f, parts[k] ? Number(parts[k]) : null])) as unknown as TrackFeatures;
}

function fromTrackItem(i: Record<string, unknown>, albums: Map<string, AlbumRecord>, artistName: string): TrackRecord {
  const album = albums.get(i.album_id as string);
  const features = unpackFeatures(String(i.features ?? ''));
  return {
    id: i.track_id as string,
    name: i.name as string,
    album_id: i.album_id as string,
    album_name: album?.name ?? '',
    album_type: album?.album_type ?? '',
    release_date: album?.release_date ?? '',
    disc_number: i.disc_number as number,
    track_number: i.track_number as number,
    duration_ms: i.duration_ms as number,
    explicit: Boolean(i.explicit),
    popularity: typeof i.popularity === 'number' ? i.popularity : null,
    artists: (i.artists as string[] | undefined) ?? [artistName],
    spotify_url: `https://open.spotify.com/track/${i.track_id as string}`,
    ...features,
  };
}

const isAlbumItem = (i: Record<string, unknown>) => String(i.track_id).startsWith(CATALOG_SK.albumPrefix);
/** Track ids are Spotify ids; every other item of the artist has a sort key starting with '#'. */
const isTrackItem = (i: Record<string, unknown>) => !String(i.track_id).startsWith('#');

function strip<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_FIELDS.has(k)) out[k] = v;
  return out as T;
}

/**
 * The artist catalog (table `spotify`, key design in keys.ts). Ingests write album and track items
 * tagged with a generation; the artist item names the last complete generation, so a reader never
 * takes a half-written ingest as whole.
 */
export class ArtistRepository {
  constructor(private readonly store: Store) {}

  private get table(): string {
    return this.store.tables.catalog;
  }

  async getArtist(artistId: string): Promise<ArtistRecord | null> {
    const out = await this.store.doc.send(
      new GetCommand({ TableName: this.table, Key: CATALOG_KEY.artist(artistId), ConsistentRead: true }),
    );
    return out.Item ? strip<ArtistRecord>(out.Item) : null;
  }

  /**
   * One Query reads the whole artist. Albums and tracks of generations older than the last complete
   * one (left over from a previous ingest) are dropped; newer ones (a refresh in progress or one
   * that failed) are fresher copies of the same tracks and are kept.
   */
  async getSnapshot(artistId: string): Promise<ArtistSnapshot> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'artist_id = :a',
      ExpressionAttributeValues: { ':a': artistId },
      ConsistentRead: true,
    });

    const artistItem = items.find((i) => i.track_id === CATALOG_SK.artist);
    const artist = artistItem ? strip<ArtistRecord>(artistItem) : null;
    const floor = artist?.complete_generation ?? '';
    const current = (i: Record<string, unknown>) => String(i.generation ?? '') >= floor;
    const albums = items.filter((i) => isAlbumItem(i) && current(i)).map((i) => strip<AlbumRecord>(i));
    const albumById = new Map(albums.map((a) => [a.id, a]));
    const tracks = items.filter((i) => isTrackItem(i) && current(i)).map((i) => fromTrackItem(i, albumById, artist?.name ?? ''));
    return { artist, albums, tracks };
  }

  /** Marks an ingest as started, keeping what the last complete ingest recorded. */
  async beginIngest(artistId: string, generation: string, startedAt: string, name: string): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: CATALOG_KEY.artist(artistId),
        UpdateExpression:
          'SET id = :id, #name = if_not_exists(#name, :name), #status = :s, ingest_generation = :g, started_at = :t, #error = :null, complete_generation = if_not_exists(complete_generation, :null)',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error', '#name': 'name' },
        ExpressionAttributeValues: { ':id': artistId, ':name': name, ':s': 'ingesting', ':g': generation, ':t': startedAt, ':null': null },
      }),
    );
  }

  /** Writes album and track items of one generation in BatchWrites of 25. Returns requests sent. */
  writeItems(artistId: string, artistName: string, generation: string, items: CatalogEntry[]): Promise<number> {
    return this.store.batchPut(
      this.table,
      items.map((e) =>
        e.kind === 'album'
          ? { ...e.record, artist_id: artistId, track_id: CATALOG_SK.album(e.record.id), generation }
          : toTrackItem(e.record, artistId, generation, artistName),
      ),
    );
  }

  /** The commit point: only after every item is written does the artist item say complete. */
  async completeIngest(record: Omit<ArtistRecord, 'status' | 'complete_generation' | 'error'>): Promise<void> {
    await this.store.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...record,
          artist_id: record.id,
          track_id: CATALOG_SK.artist,
          status: 'complete',
          complete_generation: record.ingest_generation,
          error: null,
        },
        // A newer ingest may have started meanwhile (a refresh after a lost lease): do not undo it.
        ConditionExpression: 'attribute_not_exists(ingest_generation) OR ingest_generation <= :g',
        ExpressionAttributeValues: { ':g': record.ingest_generation },
      }),
    );
  }

  async failIngest(artistId: string, generation: string, message: string, at: string): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: CATALOG_KEY.artist(artistId),
        UpdateExpression: 'SET #status = :failed, #error = :m, finished_at = :t',
        ConditionExpression: 'ingest_generation = :g',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: { ':failed': 'failed', ':m': message.slice(0, 500), ':t': at, ':g': generation },
      }),
    ).catch((err: Error) => {
      if (!isConditionalFailure(err)) throw err;
    });
  }

  /** Deletes album and track items older than `generation` (tracks or albums Spotify no longer lists). */
  async deleteOlderGenerations(artistId: string, generation: string): Promise<number> {
    const snapshotKeys = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'artist_id = :a',
      FilterExpression: 'generation < :g',
      ProjectionExpression: 'artist_id, track_id',
      ExpressionAttributeValues: { ':a': artistId, ':g': generation },
    });
    if (snapshotKeys.length) await this.store.batchDelete(this.table, snapshotKeys);
    return snapshotKeys.length;
  }

  /** The single-flight lease of one artist's ingest (across processes and workers). */
  ingestLease(artistId: string): Lease {
    return new Lease(this.store, this.table, CATALOG_KEY.lease(artistId));
  }

  /** Takes or renews the ingest lease of an artist; true when `owner` holds it. */
  acquireLease(artistId: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    return this.ingestLease(artistId).acquire(owner, ttlMs, now);
  }

  releaseLease(artistId: string, owner: string): Promise<void> {
    return this.ingestLease(artistId).release(owner);
  }

  /**
   * Features already known for tracks, from ingested artists' track items or the feature cache.
   * `artistId` is where a track would be found: its first artist.
   */
  async knownFeatures(tracks: { trackId: string; artistId: string }[]): Promise<Map<string, TrackFeatures>> {
    const keys = tracks.flatMap((t) => [
      CATALOG_KEY.track(t.artistId, t.trackId),
      CATALOG_KEY.featureCache(t.artistId, t.trackId),
    ]);
    const unique = [...new Map(keys.map((k) => [`${k.artist_id}/${k.track_id}`, k])).values()];
    const out = new Map<string, TrackFeatures>();
    for (const item of await this.store.batchGet(this.table, unique)) {
      const trackId = String(item.track_id).replace(/^#f#/, '');
      if (typeof item.features === 'string') out.set(trackId, unpackFeatures(item.features));
    }
    return out;
  }

  async cacheFeatures(entries: { trackId: string; artistId: string; features: TrackFeatures }[]): Promise<void> {
    await this.store.batchPut(
      this.table,
      entries.map((e) => ({ ...CATALOG_KEY.featureCache(e.artistId, e.trackId), features: packFeatures(e.features) })),
    );
  }

  async getCachedGenres(artistId: string): Promise<{ genres: string[]; source: 'musicbrainz' | 'none'; fetched_at: string } | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: CATALOG_KEY.genres(artistId) }));
    if (!out.Item) return null;
    return { genres: out.Item.genres as string[], source: out.Item.source as 'musicbrainz' | 'none', fetched_at: out.Item.fetched_at as string };
  }

  /** The cached genres of many artists in batched reads; artists without a cache entry are absent. */
  async getCachedGenresMany(artistIds: string[]): Promise<Map<string, { genres: string[]; source: 'musicbrainz' | 'none'; fetched_at: string }>> {
    const keys = [...new Set(artistIds)].map((id) => CATALOG_KEY.genres(id));
    const out = new Map<string, { genres: string[]; source: 'musicbrainz' | 'none'; fetched_at: string }>();
    for (const item of await this.store.batchGet(this.table, keys)) {
      out.set(String(item.artist_id), { genres: item.genres as string[], source: item.source as 'musicbrainz' | 'none', fetched_at: item.fetched_at as string });
    }
    return out;
  }

  async putCachedGenres(artistId: string, genres: string[], source: 'musicbrainz' | 'none', fetchedAt: string): Promise<void> {
    await this.store.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...CATALOG_KEY.genres(artistId), genres, source, fetched_at: fetchedAt } }),
    );
  }
}
