import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, NotFound, UpstreamError, UpstreamForbidden, UpstreamNotFound } from '../errors';
import { fetchAllFeatures, NO_FEATURES } from '../features/FeatureProvider';
import type { FeatureProviders } from '../features/FeatureProviders';
import type { GenreService } from '../genres/GenreService';
import type { ApiProfile } from '../spotify/ApiProfile';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { TokenSource } from '../spotify/SpotifyHttp';
import type { AlbumRecord, ArtistRecord, ArtistRepository, ArtistSnapshot, TrackRecord } from '../store/ArtistRepository';
import { LruCache } from '../util/LruCache';
import { sleep } from '../util/sleep';

/** The album groups that make up an artist's own discography (appears_on is other people's records). */
const INCLUDE_GROUPS = 'album,single,compilation';
const TRACK_PAGE = 50;
const ALBUM_BATCH = 20;

export interface IngestProgress {
  phase: 'starting' | 'albums' | 'tracks' | 'features' | 'genres' | 'writing' | 'done' | 'failed';
  albums_total: number | null;
  albums_done: number;
  tracks: number;
  started_at: string;
}

export interface ArtistView {
  artist: Omit<ArtistRecord, 'ingest_generation' | 'complete_generation'>;
  albums: AlbumRecord[];
  tracks: TrackRecord[];
  complete: boolean;
  fetched_at: string | null;
}

export interface ArtistStatus {
  id: string;
  status: 'missing' | ArtistRecord['status'];
  complete: boolean;
  fetched_at: string | null;
  error: string | null;
  progress: IngestProgress | null;
}

interface CacheEntry {
  generation: string;
  view: ArtistView;
  json?: string;
}

export interface IngestResult {
  albums: number;
  tracks: number;
  writeRequests: number;
}

export interface ArtistServiceOptions {
  spotify: SpotifyClient;
  appAuth: TokenSource;
  profile: ApiProfile;
  features: FeatureProviders;
  genres: GenreService;
  repo: ArtistRepository;
  artistTtlSeconds: number;
  /** How long a worker's claim on an ingest lasts without renewal (renewed every third of it). */
  leaseMs?: number;
  logger?: Logger;
}

/**
 * Artist query: reads an artist from DynamoDB when complete and fresh, otherwise ingests the whole
 * discography (albums, singles, compilations; every track; features; genres) with the fewest
 * Spotify requests the API profile allows, and commits it atomically (see ArtistRepository).
 * One ingest per artist at a time: a shared promise in this process, a DynamoDB lease across workers.
 */
export class ArtistService {
  private readonly inflight = new Map<string, Promise<IngestResult | null>>();
  private readonly progress = new Map<string, IngestProgress>();
  private readonly owner = crypto.randomUUID();
  private readonly leaseMs: number;
  private readonly memory = new LruCache<CacheEntry>(64 * 1024 * 1024);

  constructor(private readonly o: ArtistServiceOptions) {
    this.leaseMs = o.leaseMs ?? 60_000;
  }

  /** The artist from the cache when complete and fresh; otherwise ingests it first (and waits). */
  async get(id: string, opts: { refresh?: boolean } = {}): Promise<ArtistView> {
    return (await this.getEntry(id, opts)).view;
  }

  /** The same as get(), serialized once and kept: the JSON API sends these bytes as they are. */
  async getJson(id: string, opts: { refresh?: boolean } = {}): Promise<string> {
    const entry = await this.getEntry(id, opts);
    entry.json ??= JSON.stringify(entry.view);
    return entry.json;
  }

  private async getEntry(id: string, opts: { refresh?: boolean }): Promise<CacheEntry> {
    if (!opts.refresh) {
      // One GetItem says whether the cached copy is still the latest complete generation, so every
      // worker serves fresh data while the whole-artist Query runs once per generation.
      const artist = await this.o.repo.getArtist(id);
      if (this.isFresh(artist)) return this.entryFor(id, artist!.complete_generation!);
    }
    await this.ensureIngest(id);
    const artist = await this.o.repo.getArtist(id);
    if (!artist?.complete_generation) {
      throw new UpstreamError(`Could not fetch this artist from Spotify: ${artist?.error ?? 'unknown error'}`);
    }
    return this.entryFor(id, artist.complete_generation);
  }

  private async entryFor(id: string, generation: string): Promise<CacheEntry> {
    const hit = this.memory.get(id);
    if (hit && hit.generation === generation) return hit;
    const view = toView(await this.o.repo.getSnapshot(id));
    const entry: CacheEntry = { generation, view };
    // Weight: a rough byte size (tracks dominate), so the cache holds at most ~64 MB.
    this.memory.set(id, entry, 600 * view.tracks.length + 2000);
    return entry;
  }

  /** A complete snapshot if one exists (even if stale or being refreshed), without fetching anything. */
  async cached(id: string): Promise<{ view: ArtistView; fresh: boolean } | null> {
    const snap = await this.o.repo.getSnapshot(id);
    return snap.artist?.complete_generation ? { view: toView(snap), fresh: this.isFresh(snap.artist) } : null;
  }

  isFresh(artist: ArtistRecord | null): boolean {
    if (!artist?.complete_generation || !artist.fetched_at) return false;
    return Date.now() - Date.parse(artist.fetched_at) < this.o.artistTtlSeconds * 1000;
  }

  async status(id: string): Promise<ArtistStatus> {
    const artist = await this.o.repo.getArtist(id);
    return {
      id,
      status: artist?.status ?? 'missing',
      complete: Boolean(artist?.complete_generation),
      fetched_at: artist?.fetched_at ?? null,
      error: artist?.status === 'failed' ? artist.error : null,
      progress: this.progress.get(id) ?? null,
    };
  }

  /**
   * Starts (or joins) the ingest of an artist. Resolves when it has finished, whether this worker
   * or another one ran it; failures are recorded on the artist item rather than thrown.
   */
  ensureIngest(id: string): Promise<IngestResult | null> {
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.runUnderLease(id).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async runUnderLease(id: string): Promise<IngestResult | null> {
    const waitStart = new Date().toISOString();
    for (;;) {
      if (await this.o.repo.acquireLease(id, this.owner, this.leaseMs)) break;
      // Another worker is ingesting: wait for it to finish (or for its lease to lapse if it died).
      await sleep(250);
      const artist = await this.o.repo.getArtist(id);
      if (artist && artist.status !== 'ingesting' && artist.finished_at && artist.finished_at >= waitStart) return null;
    }
    const renew = setInterval(() => {
      this.o.repo.acquireLease(id, this.owner, this.leaseMs).catch((err: Error) => this.o.logger?.warn({ err, id }, 'lease renewal failed'));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    try {
      return await this.ingest(id);
    } finally {
      clearInterval(renew);
      await this.o.repo.releaseLease(id, this.owner).catch(() => undefined);
    }
  }

  /** The ingest itself. Failures are recorded on the artist item (status failed) and rethrown. */
  async ingest(id: string): Promise<IngestResult> {
    const { spotify, appAuth, repo } = this.o;
    const startedAt = new Date().toISOString();
    const generation = `${startedAt}#${crypto.randomBytes(3).toString('hex')}`;
    const progress: IngestProgress = { phase: 'starting', albums_total: null, albums_done: 0, tracks: 0, started_at: startedAt };
    this.progress.set(id, progress);
    let begun = false;
    try {
      let artist: SpotifyApi.ArtistObjectFull;
      try {
        artist = await spotify.artist(id, appAuth);
      } catch (err) {
        if (err instanceof UpstreamNotFound) throw new NotFound(`No artist with id ${id} on Spotify`);
        throw err;
      }
      await repo.beginIngest(id, generation, startedAt, artist.name);
      begun = true;

      const profile = await this.o.profile.resolve(() => this.probeBatchEndpoints(id));
      progress.phase = 'albums';
      const simplified = await this.allAlbums(id);
      progress.albums_total = simplified.length;

      progress.phase = 'tracks';
      const albums = await this.albumDetails(simplified.map((a) => a.id), profile, progress);
      const tracks: TrackRecord[] = [];
      const albumRecords: AlbumRecord[] = [];
      await Promise.all(
        albums.map(async (album) => {
          const items = [...album.tracks.items];
          for (const page of await this.extraTrackPages(album)) items.push(...page);
          albumRecords.push(toAlbumRecord(album));
          for (const t of items) tracks.push(toTrackRecord(t, album));
          progress.tracks = tracks.length;
        }),
      );

      progress.phase = 'features';
      const { provider, note } = await this.o.features.current(profile);
      let features = new Map<string, import('../features/FeatureProvider').TrackFeatures>();
      let featuresNote = note;
      try {
        features = await fetchAllFeatures(provider, tracks.map((t) => t.id));
      } catch (err) {
        if (!(err instanceof UpstreamForbidden)) throw err;
        const fallback = await this.o.features.forbidden(provider.name);
        featuresNote = fallback.note;
        features = await fetchAllFeatures(fallback.provider, tracks.map((t) => t.id));
      }
      for (const t of tracks) Object.assign(t, features.get(t.id) ?? NO_FEATURES);

      progress.phase = 'genres';
      const genres = await this.o.genres.genresFor(id, artist.genres);

      progress.phase = 'writing';
      const writeRequests = await repo.writeItems(id, generation, albumRecords, tracks);
      const finishedAt = new Date().toISOString();
      const previous = await repo.getArtist(id);
      await repo.completeIngest({
        id,
        name: artist.name,
        genres: genres.genres,
        genres_source: genres.source,
        popularity: typeof artist.popularity === 'number' ? artist.popularity : null,
        followers: typeof artist.followers?.total === 'number' ? artist.followers.total : null,
        image: artist.images?.[0]?.url ?? null,
        spotify_url: artist.external_urls?.spotify ?? null,
        ingest_generation: generation,
        started_at: startedAt,
        finished_at: finishedAt,
        fetched_at: finishedAt,
        album_count: albumRecords.length,
        track_count: tracks.length,
        api_profile: profile,
        features_provider: features.size > 0 ? provider.name : featuresNote ? 'none' : provider.name,
        features_note: featuresNote,
      });
      if (previous?.complete_generation) {
        // A refresh: remove albums and tracks that Spotify no longer lists.
        await repo.deleteOlderGenerations(id, generation).catch((err: Error) => this.o.logger?.warn({ err, id }, 'cleanup of old generation failed'));
      }
      progress.phase = 'done';
      this.o.logger?.info({ artist: id, albums: albumRecords.length, tracks: tracks.length, writeRequests }, 'artist ingested');
      return { albums: albumRecords.length, tracks: tracks.length, writeRequests };
    } catch (err) {
      progress.phase = 'failed';
      const message = err instanceof AppError ? err.message : 'internal error';
      this.o.logger?.warn({ err, artist: id }, 'artist ingest failed');
      if (!(err instanceof NotFound)) {
        if (!begun) await repo.beginIngest(id, generation, startedAt, id).catch(() => undefined);
        await repo.failIngest(id, generation, message, new Date().toISOString()).catch(() => undefined);
      }
      throw err;
    } finally {
      setTimeout(() => this.progress.get(id) === progress && this.progress.delete(id), 60_000).unref();
    }
  }

  /** One batch request tells the profile: 200 in Extended Quota, 403 in Development Mode. */
  private async probeBatchEndpoints(artistId: string): Promise<boolean> {
    try {
      await this.o.spotify.http.get('/artists', { ids: artistId }, this.o.appAuth);
      return true;
    } catch (err) {
      if (err instanceof UpstreamForbidden) return false;
      throw err;
    }
  }

  /** Every album, single and compilation: the first page gives the total, the rest run concurrently. */
  private async allAlbums(id: string): Promise<SpotifyApi.AlbumObjectSimplified[]> {
    const limit = this.o.profile.pageLimit;
    const first = await this.o.spotify.artistAlbums(id, { limit, offset: 0, include_groups: INCLUDE_GROUPS }, this.o.appAuth);
    const offsets: number[] = [];
    for (let offset = first.items.length; offset < first.total; offset += limit) offsets.push(offset);
    const pages = await Promise.all(
      offsets.map((offset) => this.o.spotify.artistAlbums(id, { limit, offset, include_groups: INCLUDE_GROUPS }, this.o.appAuth)),
    );
    const seen = new Set<string>();
    return [first, ...pages].flatMap((p) => p.items).filter((a) => !seen.has(a.id) && seen.add(a.id));
  }

  /** Full albums: batches of 20 with Extended Quota; one request per album in Development Mode. */
  private async albumDetails(ids: string[], profile: string, progress: IngestProgress): Promise<SpotifyApi.AlbumObjectFull[]> {
    const { spotify, appAuth } = this.o;
    const one = async (albumId: string) => {
      const album = await spotify.album(albumId, appAuth);
      progress.albums_done++;
      return album;
    };
    if (profile !== 'extended') return Promise.all(ids.map(one));
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += ALBUM_BATCH) batches.push(ids.slice(i, i + ALBUM_BATCH));
    const results = await Promise.all(
      batches.map(async (batch) => {
        try {
          const res = await spotify.albums(batch, appAuth);
          progress.albums_done += batch.length;
          return res.albums.filter((a): a is SpotifyApi.AlbumObjectFull => Boolean(a));
        } catch (err) {
          if (!(err instanceof UpstreamForbidden)) throw err;
          // Configured as extended but the batch endpoint is gone: Development Mode after all.
          this.o.profile.downgrade();
          return Promise.all(batch.map(one));
        }
      }),
    );
    return results.flat();
  }

  /** Track pages beyond the 50 embedded in the album object; only for albums with more than 50. */
  private async extraTrackPages(album: SpotifyApi.AlbumObjectFull): Promise<SpotifyApi.TrackObjectSimplified[][]> {
    const offsets: number[] = [];
    for (let offset = album.tracks.items.length; offset < album.tracks.total; offset += TRACK_PAGE) offsets.push(offset);
    return Promise.all(
      offsets.map(async (offset) => (await this.o.spotify.albumTracks(album.id, { limit: TRACK_PAGE, offset }, this.o.appAuth)).items),
    );
  }
}

function toAlbumRecord(a: SpotifyApi.AlbumObjectFull): AlbumRecord {
  const extra = a as { label?: string; popularity?: number };
  return {
    id: a.id,
    name: a.name,
    album_type: a.album_type,
    release_date: a.release_date,
    release_date_precision: a.release_date_precision,
    total_tracks: a.total_tracks ?? a.tracks.total,
    label: typeof extra.label === 'string' ? extra.label : null,
    popularity: typeof extra.popularity === 'number' ? extra.popularity : null,
    image: a.images?.[0]?.url ?? null,
    spotify_url: a.external_urls?.spotify ?? null,
  };
}

function toTrackRecord(t: SpotifyApi.TrackObjectSimplified, album: SpotifyApi.AlbumObjectFull): TrackRecord {
  const popularity = (t as { popularity?: number }).popularity;
  return {
    id: t.id,
    name: t.name,
    album_id: album.id,
    album_name: album.name,
    album_type: album.album_type,
    release_date: album.release_date,
    disc_number: t.disc_number,
    track_number: t.track_number,
    duration_ms: t.duration_ms,
    explicit: Boolean(t.explicit),
    // Simplified tracks (the album listing) carry no popularity; it is not invented.
    popularity: typeof popularity === 'number' ? popularity : null,
    artists: (t.artists ?? []).map((ar) => ar.name),
    spotify_url: t.external_urls?.spotify ?? null,
    ...NO_FEATURES,
  };
}

function toView(snap: ArtistSnapshot): ArtistView {
  const a = snap.artist!;
  const { ingest_generation: _g, complete_generation, ...artist } = a;
  const albums = [...snap.albums].sort((x, y) => x.release_date.localeCompare(y.release_date) || x.name.localeCompare(y.name));
  const order = new Map(albums.map((al, i) => [al.id, i]));
  const tracks = [...snap.tracks].sort(
    (x, y) => (order.get(x.album_id) ?? 0) - (order.get(y.album_id) ?? 0) || x.disc_number - y.disc_number || x.track_number - y.track_number,
  );
  return { artist, albums, tracks, complete: Boolean(complete_generation), fetched_at: a.fetched_at };
}
