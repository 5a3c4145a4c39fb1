import { AppError, UpstreamForbidden, UpstreamNotFound } from '../errors';
import { NO_FEATURES, type FeatureProvider, type FeaturesCoverage, type TrackFeatures } from '../features/FeatureProvider';
import type { ChosenProvider } from '../features/FeatureProviders';
import { BATCH_WRITE_MAX } from '../store/Store';
import { Limiter } from '../util/Limiter';

/**
 * Collects items as an ingest produces them and writes every full group of 25 at once, so writes
 * overlap with fetching while the BatchWrite count stays the minimum, ceil(items / 25).
 */
export class BatchWriter<T> {
  private buffer: T[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown;
  requests = 0;
  written = 0;

  private readonly limiter: Limiter;

  constructor(
    private readonly write: (items: T[]) => Promise<number>,
    concurrency = 16,
  ) {
    this.limiter = new Limiter(concurrency);
  }

  add(items: T[]): void {
    this.buffer.push(...items);
    while (this.buffer.length >= BATCH_WRITE_MAX) this.flush(this.buffer.splice(0, BATCH_WRITE_MAX));
  }

  private flush(chunk: T[]): void {
    const p = this.limiter.run(() => this.write(chunk)).then(
      (n) => {
        this.requests += n;
        this.written += chunk.length;
      },
      (err) => {
        this.failure ??= err;
      },
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Writes what is left and waits for every write; throws the first write error. */
  async finish(): Promise<void> {
    if (this.buffer.length) this.flush(this.buffer.splice(0));
    while (this.inflight.size) await Promise.all([...this.inflight]);
    if (this.failure) throw this.failure;
  }
}

/**
 * Sends track ids to the feature provider in full batches as tracks arrive (the last batch may be
 * partial), so requests stay at ceil(T / batch) while albums are still being fetched. Tracks leave,
 * features attached, through `done`. A 403 switches to the fallback provider for good. Any other
 * failure of a batch (4xx, 5xx, timeout, malformed answer) never fails the caller: its tracks leave
 * with null features and are counted as `error` in the coverage. `sendWith` wraps each request (the
 * ingest's retry budget).
 */
export class FeatureBatcher<T extends { id: string } & TrackFeatures> {
  private pending: T[] = [];
  private readonly inflight = new Set<Promise<void>>();
  with = 0;
  without = 0;
  error = 0;
  private reason: string | null = null;

  constructor(
    private chosen: ChosenProvider,
    private readonly onForbidden: (name: FeatureProvider['name']) => Promise<ChosenProvider>,
    private readonly done: (tracks: T[]) => void,
    private readonly sendWith: <R>(request: () => Promise<R>) => Promise<R> = (request) => request(),
  ) {}

  get note(): string | null {
    return this.chosen.note;
  }

  get providerName(): FeatureProvider['name'] {
    return this.chosen.provider.name;
  }

  coverage(): FeaturesCoverage {
    return { provider: this.providerName, with: this.with, without: this.without, error: this.error, reason: this.reason ?? this.chosen.note };
  }

  add(tracks: T[]): void {
    this.pending.push(...tracks);
    this.drain(false);
  }

  private drain(final: boolean): void {
    const size = this.chosen.provider.batchSize;
    if (size <= 0) {
      // No provider: features stay null, tracks go straight on.
      this.without += this.pending.length;
      if (this.pending.length) this.done(this.pending.splice(0));
      return;
    }
    while (this.pending.length >= size || (final && this.pending.length > 0)) this.send(this.pending.splice(0, size));
  }

  private send(batch: T[]): void {
    const provider = this.chosen.provider;
    const p = this.sendWith(() => provider.fetchBatch(batch.map((t) => t.id)))
      .then((features) => {
        for (const t of batch) {
          const f = features.get(t.id);
          Object.assign(t, f ?? NO_FEATURES);
          if (f) this.with++;
          else this.without++;
        }
        this.done(batch);
      })
      .catch(async (err: unknown) => {
        if (err instanceof UpstreamForbidden) {
          if (this.chosen.provider === provider) this.chosen = await this.onForbidden(provider.name);
          this.pending.push(...batch);
          this.drain(true);
          return;
        }
        for (const t of batch) Object.assign(t, NO_FEATURES);
        if (err instanceof UpstreamNotFound) {
          // ReccoBeats answers 404 when it knows none of the ids: it has no features for them.
          this.without += batch.length;
          this.reason ??= `${serviceName(provider.name)} knows none of some tracks (404).`;
        } else {
          this.error += batch.length;
          this.reason = err instanceof AppError ? err.message : `${serviceName(provider.name)} gave an answer we could not read.`;
        }
        this.done(batch);
      });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Waits for every batch; never throws for a provider's failure (see the class comment). */
  async finish(): Promise<void> {
    // A 403 puts its batch back for the fallback provider, so drain until nothing is left.
    do {
      this.drain(true);
      await Promise.all([...this.inflight]);
    } while (this.pending.length > 0 || this.inflight.size > 0);
  }
}

const serviceName = (name: FeatureProvider['name']): string => (name === 'spotify' ? 'Spotify audio features' : name === 'reccobeats' ? 'ReccoBeats' : 'The feature provider');
