import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, NotFound, UpstreamError, UpstreamForbidden, UpstreamNotFound } from '../errors';
import { NO_FEATURES } from '../features/FeatureProvider';
import type { FeatureProviders } from '../features/FeatureProviders';
import type { GenreService } from '../genres/GenreService';
import type { ApiProfile } from '../spotify/ApiProfile';
import { toAlbumRecord, toArtistFacts, toCatalogTrack } from '../spotify/mappers';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { TokenSource } from '../upstream/UpstreamHttp';
import type { AlbumRecord, ArtistRecord, ArtistRepository, ArtistSnapshot, CatalogEntry, TrackRecord } from '../store/ArtistRepository';
import { EncodedBody } from './EncodedBody';
import { BatchWriter, FeatureBatcher } from './IngestPipeline';
import { ReleaseCollapser, type FetchedAlbum } from './ReleaseCollapser';
import { RetryBudget, type RetryBudgetPolicy } from '../upstream/RetryBudget';
import { LruCache } from '../util/LruCache';
import { sleep } from '../util/sleep';

/** The album groups that make up an artist's own discography (appears_on is other people's records). */
const INCLUDE_GROUPS = 'album,single,compilation';
const TRACK_PAGE = 50;
const ALBUM_BATCH = 20;

/**
 * Re-sends of a failed Spotify request within one ingest (each with UpstreamHttp's five attempts):
 * three per request, fifty per ingest. Behind a 30% failure rate a request fails all five attempts
 * once in 400; a 330-release discography (some 370 requests) then needs about one re-send, and an
 * upstream that is down ends the ingest after a bounded number of requests.
 */
export const INGEST_RETRIES: RetryBudgetPolicy = { perCall: 3, total: 50, baseDelayMs: 500 };

/** After an ingest whose features or genres failed, the artist is fetched again this much sooner than ARTIST_TTL. */
const ENRICHMENT_RETRY_MS = 3600 * 1000;

/** How long a page waits for a quick ingest before it shows progress instead. */
const QUICK_INGEST_WAIT_MS = 1500;

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
  /** The view serialized and compressed, made on first use and kept for the generation. */
  body?: EncodedBody;
  /** When DynamoDB last confirmed this generation is the artist's newest complete one (ms since epoch). */
  checkedAt?: number;
}

/** What the JSON API answers: the complete artist's bytes, or the progress of an ingest still running. */
export type ArtistBody = { ready: EncodedBody } | { pending: ArtistStatus };

export interface IngestResult {
  albums: number;
  tracks: number;
  writeRequests: number;
  /** The generation this process just committed (its view and body are in memory). */
  generation: string;
}

export interface ArtistServiceOptions {
  spotify: SpotifyClient;
  appAuth: TokenSource;
  profile: ApiProfile;
  features: FeatureProviders;
  genres: GenreService;
  repo: ArtistRepository;
  artistTtlSeconds: number;
  /** Market of the ingest's catalog requests (it uses the app's token): SPOTIFY_MARKET. */
  market?: string;
  /** Re-sends of failed Spotify requests within one ingest; default INGEST_RETRIES. */
  retries?: RetryBudgetPolicy;
  /** How long a worker's claim on an ingest lasts without renewal (renewed every third of it). */
  leaseMs?: number;
  /**
   * How long a cached artist is served without asking DynamoDB whether a newer generation exists
   * (another worker's refresh); the bound on how stale a worker can be. Default 5 s.
   */
  freshnessCheckMs?: number;
  /** How long the JSON API waits for an ingest before it answers 202 with the progress. Default 3 s. */
  apiWaitMs?: number;
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

  private readonly freshnessCheckMs: number;
  private readonly apiWaitMs: number;

  constructor(private readonly o: ArtistServiceOptions) {
    this.leaseMs = o.leaseMs ?? 60_000;
    this.freshnessCheckMs = o.freshnessCheckMs ?? 5000;
    this.apiWaitMs = o.apiWaitMs ?? 3000;
  }

  /** The artist from the cache when complete and fresh; otherwise ingests it first (and waits). */
  async get(id: string, opts: { refresh?: boolean } = {}): Promise<ArtistView> {
    return (await this.getEntry(id, opts)).view;
  }

  /**
   * The JSON API's answer: the artist serialized (and compressed) once per generation, or, when an
   * ingest is needed and takes longer than `apiWaitMs`, its progress, so no request is held open
   * for the minutes a big or rate-limited ingest can take.
   */
  async body(id: string, opts: { refresh?: boolean } = {}): Promise<ArtistBody> {
    if (!opts.refresh) {
      const entry = await this.freshEntry(id);
      if (entry) return { ready: bodyOf(entry) };
    }
    const ingest = this.ensureIngest(id);
    ingest.catch(() => undefined); // a 202 leaves it running; its failure is recorded on the artist item
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      ingest.then((result) => ({ result })),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), this.apiWaitMs))),
    ]).finally(() => clearTimeout(timer));
    if (!finished) return { pending: await this.status(id) };
    return { ready: bodyOf(this.committedEntry(id, finished.result) ?? (await this.completeEntry(id))) };
  }

  /**
   * The body of a complete artist when memory alone can answer: cached, serialized, and its version
   * stamp confirmed within `freshnessCheckMs` (and within the TTL). Synchronous and without any
   * DynamoDB request; null means "take the ordinary path" (which reads the stamp and refills this).
   */
  freshBodyNow(id: string): EncodedBody | null {
    const hit = this.memory.get(id);
    if (!hit?.body || hit.checkedAt === undefined) return null;
    const now = Date.now();
    if (now - hit.checkedAt >= this.freshnessCheckMs || !this.withinTtl(hit.view.fetched_at, now)) return null;
    return hit.body;
  }

  private async getEntry(id: string, opts: { refresh?: boolean }): Promise<CacheEntry> {
    if (!opts.refresh) {
      const entry = await this.freshEntry(id);
      if (entry) return entry;
    }
    const result = await this.ensureIngest(id);
    return this.committedEntry(id, result) ?? this.completeEntry(id);
  }

  /**
   * The entry an ingest of this process has just committed, while its commit still counts as the
   * freshness check (the conditional Put confirmed it as the newest generation): no GetItem needed.
   */
  private committedEntry(id: string, result: IngestResult | null): CacheEntry | null {
    if (!result) return null; // another worker ran it: ask DynamoDB
    const hit = this.memory.get(id);
    if (hit?.generation !== result.generation || hit.checkedAt === undefined) return null;
    return Date.now() - hit.checkedAt < this.freshnessCheckMs ? hit : null;
  }

  /**
   * The cached entry while it is fresh. Within `freshnessCheckMs` of the last check it is served
   * from memory alone; after that one GetItem compares the artist's complete_generation (a version
   * stamp every worker sees), so a refresh by another worker is picked up within the interval while
   * the whole-artist Query runs once per generation.
   */
  private async freshEntry(id: string): Promise<CacheEntry | null> {
    const now = Date.now();
    const hit = this.memory.get(id);
    if (hit?.checkedAt !== undefined && now - hit.checkedAt < this.freshnessCheckMs && this.withinTtl(hit.view.fetched_at, now)) return hit;
    const artist = await this.o.repo.getArtist(id);
    if (!this.isFresh(artist)) return null;
    const entry = await this.entryFor(id, artist!.complete_generation!);
    entry.checkedAt = now;
    return entry;
  }

  /** After an ingest: the newest complete generation, or the failure the ingest recorded. */
  private async completeEntry(id: string): Promise<CacheEntry> {
    const checkedAt = Date.now();
    const artist = await this.o.repo.getArtist(id);
    if (!artist?.complete_generation) {
      throw new UpstreamError(`Could not fetch this artist from Spotify: ${artist?.error ?? 'unknown error'}`);
    }
    const entry = await this.entryFor(id, artist.complete_generation);
    entry.checkedAt = checkedAt;
    return entry;
  }

  private async entryFor(id: string, generation: string): Promise<CacheEntry> {
    const hit = this.memory.get(id);
    if (hit && hit.generation === generation) return hit;
    const view = toView(await this.o.repo.getSnapshot(id));
    const entry: CacheEntry = { generation, view };
    // Weight: a rough byte size (tracks dominate; the serialized and compressed body about doubles it), so the cache holds at most ~64 MB.
    this.memory.set(id, entry, 1200 * view.tracks.length + 4000);
    return entry;
  }

  /** A complete snapshot if one exists (even if stale or being refreshed), without fetching anything. */
  async cached(id: string): Promise<{ view: ArtistView; fresh: boolean } | null> {
    // A fresh one comes from memory, as for the JSON API; only a stale or missing one needs the Query.
    const entry = await this.freshEntry(id);
    if (entry) return { view: entry.view, fresh: true };
    const snap = await this.o.repo.getSnapshot(id);
    return snap.artist?.complete_generation ? { view: toView(snap), fresh: this.isFresh(snap.artist) } : null;
  }

  /** The (first) artist of a track, for links from listening history where only the track id is known. */
  async artistOfTrack(trackId: string): Promise<string> {
    try {
      const track = await this.o.spotify.track(trackId, this.o.appAuth);
      const artistId = track.artists?.[0]?.id;
      if (!artistId) throw new NotFound('This track has no artist on Spotify');
      return artistId;
    } catch (err) {
      if (err instanceof UpstreamNotFound) throw new NotFound('Spotify has no track with this id.');
      throw err;
    }
  }

  isFresh(artist: ArtistRecord | null): boolean {
    if (!artist?.complete_generation) return false;
    // An ingest whose enrichment failed is redone once its retry time has come.
    if (artist.enrichment_retry_at && Date.now() >= Date.parse(artist.enrichment_retry_at)) return false;
    return this.withinTtl(artist.fetched_at, Date.now());
  }

  private withinTtl(fetchedAt: string | null, now: number): boolean {
    return fetchedAt !== null && now - Date.parse(fetchedAt) < this.o.artistTtlSeconds * 1000;
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

  /**
   * Starts (or joins) an ingest and gives a quick one a moment to finish, so a page can show a small
   * artist at once and a progress page for a large one: 'done' (finished, failed or not), 'missing'
   * (Spotify has no such artist) or 'pending' (still running in the background).
   */
  async ingestBriefly(id: string, waitMs = QUICK_INGEST_WAIT_MS): Promise<'done' | 'missing' | 'pending'> {
    const ingest = this.ensureIngest(id);
    ingest.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        ingest.then(() => 'done' as const, (err: unknown) => (err instanceof NotFound ? ('missing' as const) : ('done' as const))),
        new Promise<'pending'>((r) => (timer = setTimeout(() => r('pending'), waitMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
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

  /**
   * The ingest itself, as a pipeline: album pages, album details, extra track pages, feature batches
   * and DynamoDB writes overlap, while every kind of request stays at its minimum count. Catalog
   * requests name the market (SPOTIFY_MARKET), and copies of one release that Spotify still lists
   * are collapsed to the one sold there (ReleaseCollapser), recorded in `albums_collapsed`. A
   * Spotify request that fails is sent again within the ingest (INGEST_RETRIES), so the pages
   * already fetched are kept. Enrichment (features, genres) never fails an ingest: what it could
   * not get stays null, is reported (`features_coverage`, `genres_error`) and is asked again after
   * ENRICHMENT_RETRY_MS. Other failures are recorded on the artist item (status failed) and rethrown.
   */
  async ingest(id: string): Promise<IngestResult> {
    const { spotify, appAuth, repo } = this.o;
    const startedAt = new Date().toISOString();
    const generation = `${startedAt}#${crypto.randomBytes(3).toString('hex')}`;
    const progress: IngestProgress = { phase: 'starting', albums_total: null, albums_done: 0, tracks: 0, started_at: startedAt };
    this.progress.set(id, progress);
    const retries = new RetryBudget(this.o.retries ?? INGEST_RETRIES);
    const call: Resend = (request) => retries.run(request);
    let begun = false;
    try {
      // The artist, and (when the profile is unknown) the one detection request, run side by side;
      // with the profile known, the album listing joins them: its other pages go out as soon as the
      // first one answers, without waiting for the artist or the artist item's update.
      const artistP = call(() => spotify.artist(id, appAuth)).catch((err: unknown) => {
        throw err instanceof UpstreamNotFound ? new NotFound(`No artist with id ${id} on Spotify`) : err;
      });
      const known = this.o.profile.known;
      const listedP = known ? this.allAlbums(id, this.albumPage(id, 0, call), call) : undefined;
      listedP?.catch(() => undefined); // awaited below; avoid an unhandled rejection if the artist fails first
      const [artist, profile] = await Promise.all([
        artistP,
        this.o.profile.resolve(() => call(() => spotify.batchEndpointsAvailable(id, appAuth))),
      ]);
      await repo.beginIngest(id, generation, startedAt, artist.name);
      begun = true;
      const facts = toArtistFacts(artist);
      const genresP = this.o.genres.genresFor(id, facts.genres ?? undefined).then(
        (g) => ({ ...g, error: null }),
        (err: unknown) => {
          this.o.logger?.warn({ err, artist: id }, 'genre lookup failed; the ingest goes on without genres');
          return { genres: [] as string[], source: 'none' as const, error: err instanceof AppError ? err.message : 'The genre service gave an answer we could not read.' };
        },
      );

      const writer = new BatchWriter<CatalogEntry>((items) => repo.writeItems(id, artist.name, generation, items));
      const albumRecords: AlbumRecord[] = [];
      const trackRecords: TrackRecord[] = [];
      let trackCount = 0;
      const features = new FeatureBatcher<TrackRecord>(
        await this.o.features.current(profile),
        (name) => this.o.features.forbidden(name),
        (tracks) => {
          trackRecords.push(...tracks);
          writer.add(tracks.map((record) => ({ kind: 'track' as const, record })));
        },
        call,
      );

      progress.phase = 'albums';
      const listed = await (listedP ?? this.allAlbums(id, this.albumPage(id, 0, call), call));
      progress.albums_total = listed.length;
      progress.phase = 'tracks';
      const collapser = new ReleaseCollapser(listed, this.o.market, ({ album, tracks }: FetchedAlbum) => {
        const albumRecord: AlbumRecord = collapser.unavailable.has(album.id) ? { ...toAlbumRecord(album), unavailable: true } : toAlbumRecord(album);
        albumRecords.push(albumRecord);
        writer.add([{ kind: 'album', record: albumRecord }]);
        trackCount += tracks.length;
        progress.tracks = trackCount;
        features.add(tracks.map((t): TrackRecord => ({ ...toCatalogTrack(t, album), ...NO_FEATURES })));
      });
      const onAlbum = async (album: SpotifyApi.AlbumObjectFull) => {
        const tracks = [...album.tracks.items];
        for (const page of await this.extraTrackPages(album, call)) tracks.push(...page);
        collapser.add({ album, tracks });
      };
      await this.albumDetails(listed.map((a) => a.id), profile, progress, onAlbum, call);
      collapser.finish();
      progress.phase = 'features';
      await features.finish();
      progress.phase = 'genres';
      const genres = await genresP;
      progress.phase = 'writing';
      // The last BatchWrites go out now; while they are in flight the main thread sorts and
      // serializes the albums and tracks (nearly all of the JSON body), and the artist item is read
      // for the previous generation (the lease keeps it unchanged until the commit below).
      const written = writer.finish();
      const previousP = repo.getArtist(id);
      written.catch(() => undefined);
      previousP.catch(() => undefined);
      const catalog = sortedCatalog(albumRecords, trackRecords);
      const catalogJson = `"albums":${JSON.stringify(catalog.albums)},"tracks":${JSON.stringify(catalog.tracks)}`;
      await written;
      const previous = await previousP;

      const finishedAt = new Date().toISOString();
      const coverage = features.coverage();
      const featuresNote = coverage.error > 0
        ? `Audio features could not be fetched for ${coverage.error} of ${trackCount} tracks (${coverage.reason}); they are asked for again on the next fetch.`
        : features.with === 0 && trackCount > 0 && !features.note && features.providerName !== 'none'
          ? 'The audio feature service knows none of these tracks.'
          : features.note;
      const enrichmentFailed = coverage.error > 0 || genres.error !== null;
      const record: Omit<ArtistRecord, 'status' | 'complete_generation' | 'error'> = {
        id,
        name: facts.name,
        genres: genres.genres,
        genres_source: genres.source,
        genres_error: genres.error,
        popularity: facts.popularity,
        followers: facts.followers,
        image: facts.image,
        spotify_url: facts.spotify_url,
        ingest_generation: generation,
        started_at: startedAt,
        finished_at: finishedAt,
        fetched_at: finishedAt,
        album_count: albumRecords.length,
        track_count: trackCount,
        api_profile: profile,
        features_provider: features.providerName,
        features_note: featuresNote,
        features_coverage: coverage,
        albums_collapsed: collapser.dropped.map((d) => ({ id: d.id, kept_id: d.keptId, reason: d.reason })),
        enrichment_retry_at: enrichmentFailed ? new Date(Date.parse(finishedAt) + ENRICHMENT_RETRY_MS).toISOString() : null,
      };
      const committing = Date.now();
      await repo.completeIngest(record);
      // What was just written is what a reader would load: keep it, saving the whole-artist Query,
      // with its body (serialized from the parts made above, byte for byte JSON.stringify(view)).
      // The commit confirmed this generation as the newest at `committing`, as a freshness check does.
      const view = viewOf({ ...record, status: 'complete', complete_generation: generation, error: null }, catalog);
      const body = new EncodedBody(`{"artist":${JSON.stringify(view.artist)},${catalogJson},"complete":${JSON.stringify(view.complete)},"fetched_at":${JSON.stringify(view.fetched_at)}}`);
      // Compressed on libuv's pool meanwhile, so the first GET (which usually follows) finds it made.
      body.bytes('br').catch(() => undefined);
      this.memory.set(id, { generation, view, body, checkedAt: committing }, 1200 * trackRecords.length + 4000);
      if (previous?.complete_generation) {
        // A refresh: remove albums and tracks that Spotify no longer lists.
        await repo.deleteOlderGenerations(id, generation).catch((err: Error) => this.o.logger?.warn({ err, id }, 'cleanup of old generation failed'));
      }
      progress.phase = 'done';
      this.o.logger?.info(
        { artist: id, albums: albumRecords.length, collapsed: collapser.dropped.length, tracks: trackCount, writeRequests: writer.requests, resent: retries.used },
        'artist ingested',
      );
      return { albums: albumRecords.length, tracks: trackCount, writeRequests: writer.requests, generation };
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

  private albumPage(id: string, offset: number, call: Resend) {
    const params = { limit: this.o.profile.pageLimit, offset, include_groups: INCLUDE_GROUPS, market: this.o.market };
    return call(() => this.o.spotify.artistAlbums(id, params, this.o.appAuth));
  }

  /** Every album, single and compilation (each id once): the first page gives the total, the rest run concurrently. */
  private async allAlbums(id: string, firstPage: ReturnType<ArtistService['albumPage']>, call: Resend): Promise<SpotifyApi.AlbumObjectSimplified[]> {
    const first = await firstPage;
    const offsets: number[] = [];
    for (let offset = first.items.length; offset < first.total; offset += first.limit || this.o.profile.pageLimit) offsets.push(offset);
    const pages = await Promise.all(offsets.map((offset) => this.albumPage(id, offset, call)));
    const seen = new Set<string>();
    return [first, ...pages].flatMap((p) => p.items).filter((a) => !seen.has(a.id) && seen.add(a.id));
  }

  /** Full albums, handed to `onAlbum` as they arrive: batches of 20 with Extended Quota, one by one in Development Mode. */
  private async albumDetails(
    ids: string[],
    profile: string,
    progress: IngestProgress,
    onAlbum: (album: SpotifyApi.AlbumObjectFull) => Promise<void>,
    call: Resend,
  ): Promise<void> {
    const { spotify, appAuth, market } = this.o;
    const one = async (albumId: string) => {
      const album = await call(() => spotify.album(albumId, appAuth, market));
      progress.albums_done++;
      await onAlbum(album);
    };
    if (profile !== 'extended') {
      await Promise.all(ids.map(one));
      return;
    }
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += ALBUM_BATCH) batches.push(ids.slice(i, i + ALBUM_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        let albums: SpotifyApi.AlbumObjectFull[];
        try {
          albums = (await call(() => spotify.albums(batch, appAuth, market))).albums.filter((a): a is SpotifyApi.AlbumObjectFull => Boolean(a));
        } catch (err) {
          if (!(err instanceof UpstreamForbidden)) throw err;
          // Configured as extended but the batch endpoint is gone: Development Mode after all.
          this.o.profile.downgrade();
          await Promise.all(batch.map(one));
          return;
        }
        progress.albums_done += batch.length;
        await Promise.all(albums.map(onAlbum));
      }),
    );
  }

  /** Track pages beyond the 50 embedded in the album object; only for albums with more than 50. */
  private async extraTrackPages(album: SpotifyApi.AlbumObjectFull, call: Resend): Promise<SpotifyApi.TrackObjectSimplified[][]> {
    const offsets: number[] = [];
    for (let offset = album.tracks.items.length; offset < album.tracks.total; offset += TRACK_PAGE) offsets.push(offset);
    const params = (offset: number) => ({ limit: TRACK_PAGE, offset, market: this.o.market });
    return Promise.all(
      offsets.map(async (offset) => (await call(() => this.o.spotify.albumTracks(album.id, params(offset), this.o.appAuth))).items),
    );
  }
}

function bodyOf(entry: CacheEntry): EncodedBody {
  entry.body ??= new EncodedBody(JSON.stringify(entry.view));
  return entry.body;
}

/** Sends one upstream request under the ingest's retry budget. */
type Resend = <T>(request: () => Promise<T>) => Promise<T>;

function toView(snap: ArtistSnapshot): ArtistView {
  return viewOf(snap.artist!, sortedCatalog(snap.albums, snap.tracks));
}

/** Albums by release date (then name, id); tracks by album, disc, number (then id). */
function sortedCatalog(albumRecords: readonly AlbumRecord[], trackRecords: readonly TrackRecord[]): { albums: AlbumRecord[]; tracks: TrackRecord[] } {
  const albums = [...albumRecords].sort((x, y) => x.release_date.localeCompare(y.release_date) || x.name.localeCompare(y.name) || x.id.localeCompare(y.id));
  const order = new Map(albums.map((al, i) => [al.id, i]));
  const tracks = [...trackRecords].sort(
    (x, y) => (order.get(x.album_id) ?? 0) - (order.get(y.album_id) ?? 0) || x.disc_number - y.disc_number || x.track_number - y.track_number || x.id.localeCompare(y.id),
  );
  return { albums, tracks };
}

/** The view's keys in this order: the ingest serializes the body from its parts in the same order. */
function viewOf(a: ArtistRecord, catalog: { albums: AlbumRecord[]; tracks: TrackRecord[] }): ArtistView {
  const { ingest_generation: _g, complete_generation, ...artist } = a;
  return { artist, albums: catalog.albums, tracks: catalog.tracks, complete: Boolean(complete_generation), fetched_at: a.fetched_at };
}
