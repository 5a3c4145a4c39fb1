import { UpstreamForbidden } from '../errors';
import { NO_FEATURES, type FeatureProvider, type TrackFeatures } from '../features/FeatureProvider';
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
 * features attached, through `done`. A 403 switches to the fallback provider for good.
 */
export class FeatureBatcher<T extends { id: string } & TrackFeatures> {
  private pending: T[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown;
  with = 0;

  constructor(
    private chosen: ChosenProvider,
    private readonly onForbidden: (name: FeatureProvider['name']) => Promise<ChosenProvider>,
    private readonly done: (tracks: T[]) => void,
  ) {}

  get note(): string | null {
    return this.chosen.note;
  }

  get providerName(): FeatureProvider['name'] {
    return this.chosen.provider.name;
  }

  add(tracks: T[]): void {
    this.pending.push(...tracks);
    this.drain(false);
  }

  private drain(final: boolean): void {
    const size = this.chosen.provider.batchSize;
    if (size <= 0) {
      // No provider: features stay null, tracks go straight on.
      if (this.pending.length) this.done(this.pending.splice(0));
      return;
    }
    while (this.pending.length >= size || (final && this.pending.length > 0)) this.send(this.pending.splice(0, size));
  }

  private send(batch: T[]): void {
    const provider = this.chosen.provider;
    const p = provider
      .fetchBatch(batch.map((t) => t.id))
      .then((features) => {
        for (const t of batch) {
          const f = features.get(t.id);
          Object.assign(t, f ?? NO_FEATURES);
          if (f) this.with++;
        }
        this.done(batch);
      })
      .catch(async (err: unknown) => {
        if (!(err instanceof UpstreamForbidden)) {
          this.failure ??= err;
          return;
        }
        if (this.chosen.provider === provider) this.chosen = await this.onForbidden(provider.name);
        this.pending.push(...batch);
        this.drain(true);
      });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  async finish(): Promise<void> {
    // A 403 puts its batch back for the fallback provider, so drain until nothing is left.
    do {
      this.drain(true);
      await Promise.all([...this.inflight]);
    } while (this.pending.length > 0 || this.inflight.size > 0);
    if (this.failure) throw this.failure;
  }
}
