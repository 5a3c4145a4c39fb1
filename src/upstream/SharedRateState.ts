/**
 * What one limiter learned about an upstream's rate limit, as other processes (a restarted server,
 * another pm2 worker, another host) can use it. Times are Unix ms.
 */
export interface RateState {
  /** Requests the upstream accepted per window, learned from a 429 of a full window; absent when none was. */
  budget?: number;
  /** When the budget was learned: a newer one wins, an old one (see SharedRateHook.maxAgeMs) counts as unknown. */
  learnedAt?: number;
  /** The window the budget is per; a budget for another window is not used. */
  windowMs?: number;
  /** Nobody sends before this (the longest Retry-After of the latest 429 episode). */
  pausedUntil: number;
}

/**
 * Where limiters share their RateState (DynamoDB in the app: RateStateRepository). `publish` keeps
 * the stored state from regressing: a longer pause wins, and a newer learnedAt wins for the budget.
 */
export interface RateStateStore {
  load(): Promise<RateState | undefined>;
  publish(state: RateState): Promise<void>;
}

/** The optional shared-state hook of AdaptiveLimiter. */
export interface SharedRateHook {
  store: RateStateStore;
  /** A store failure or a slow load is logged here and never fails a request. */
  warn(err: unknown, message: string): void;
  /** How long the first request waits for the stored state before it goes on cold (default 500 ms). */
  loadTimeoutMs?: number;
  /** While busy, how often the stored state is read again at most (default 2 s). */
  pollMs?: number;
  /** A budget learned longer ago than this counts as unknown (default 1 h): the upstream's quota may have changed. */
  maxAgeMs?: number;
}

const DEFAULT_LOAD_TIMEOUT_MS = 500;
const DEFAULT_POLL_MS = 2000;
export const DEFAULT_MAX_AGE_MS = 3600_000;

/**
 * The limiter's side of the hook: reads the stored state once before the first request (waiting
 * at most loadTimeoutMs), again at most every pollMs while busy, and publishes without waiting.
 * Nothing here throws: a store that fails or hangs only leaves the limiter as cold as it would be alone.
 */
export class SharedRateSync {
  private loading: Promise<void> | undefined;
  private loaded = false;
  private polling = false;
  private lastReadAt = -Infinity;

  constructor(
    private readonly hook: SharedRateHook,
    /** Takes a state read from the store; `first` for the read before the first request. */
    private readonly adopt: (state: RateState, first: boolean) => void,
  ) {}

  get maxAgeMs(): number {
    return this.hook.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  get pollMs(): number {
    return this.hook.pollMs ?? DEFAULT_POLL_MS;
  }

  /** Undefined once the first read is over; until then, a promise that resolves when it is (or timed out). */
  ready(): Promise<void> | undefined {
    if (this.loaded) return undefined;
    this.loading ??= this.firstLoad();
    return this.loading;
  }

  private async firstLoad(): Promise<void> {
    const timeoutMs = this.hook.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    // A late answer is still taken, as a poll's would be: the limiter has gone on cold meanwhile.
    const read = this.hook.store
      .load()
      .then((state) => state && this.adopt(state, !timedOut))
      .catch((err: unknown) => this.hook.warn(err, 'reading the shared rate state failed; the limiter starts cold'));
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
      timer.unref?.();
    });
    await Promise.race([read, timeout]);
    clearTimeout(timer);
    if (timedOut) this.hook.warn(new Error(`no answer within ${timeoutMs} ms`), 'reading the shared rate state timed out; the limiter starts cold');
    this.lastReadAt = Date.now();
    this.loaded = true;
  }

  /** Reads the stored state again if the last read is pollMs old and none is under way; call while busy. */
  poll(now: number): void {
    if (!this.loaded || this.polling || now - this.lastReadAt < this.pollMs) return;
    this.polling = true;
    this.lastReadAt = now;
    this.hook.store
      .load()
      .then((state) => state && this.adopt(state, false))
      .catch((err: unknown) => this.hook.warn(err, 'reading the shared rate state failed'))
      .finally(() => (this.polling = false));
  }

  /** Fire and forget: a failed write costs the other processes a cold start, not this request. */
  publish(state: RateState): void {
    this.hook.store.publish(state).catch((err: unknown) => this.hook.warn(err, 'publishing the shared rate state failed'));
  }
}
