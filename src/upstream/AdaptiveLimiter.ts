import { SharedRateSync, type RateState, type SharedRateHook } from './SharedRateState';

/** How one request through the limiter ended, as far as the upstream's rate limit is concerned. */
export type RequestOutcome =
  /** The upstream took the request (any status but 429, or a transport failure, counted to be safe). */
  | 'answered'
  /** A 429 whose Retry-After is too long to wait for: the caller gives up, nothing is learned. */
  | 'refused'
  /** A 429 to wait out: every caller pauses, and the budget is learned. */
  | { retryAfterMs: number };

/** How far this side's window may lag the upstream's: end times trail admission by a round trip. */
const WINDOW_SLACK_MS = 2000;

/** Full windows without a 429 before the budget is raised by one. */
const PROBE_AFTER_FULL_WINDOWS = 3;

export interface LimiterSlot {
  release(outcome: RequestOutcome): void;
}

/**
 * The request limiter every caller of one upstream shares (the rate limit is per app, not per
 * request). Before any 429 it only bounds concurrency. A 429 starts a congestion episode: every
 * caller pauses until Retry-After; the concurrency is halved (multiplicative decrease) and grows
 * back by one per round of successful requests (additive increase); and the number of requests the
 * upstream accepted in the last rolling window becomes the budget (when the Retry-After shows the
 * window is full), so later windows send exactly that many and no more: nothing bursts into a
 * closed window. The budget grows by one after every
 * three windows that used it up without a 429, in case the upstream allows more again.
 *
 * The window is Spotify's rolling 30 s. Times are the ends of requests, which the upstream counted
 * earlier, so this side's window always closes after the upstream's.
 *
 * Alone, a limiter learns the budget only from its first 429, so a cold one (a restarted server,
 * another pm2 worker) wastes up to its concurrency on 429s once. With a shared-state hook it reads
 * what the others learned before its first request (a pause still running is honoured, a budget
 * under an hour old is used from the first window on), publishes each new episode of its own, and
 * while busy reads again every few seconds: another's longer pause or newer budget is taken, and
 * another's new episode halves this concurrency too.
 */
export class AdaptiveLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private limit: number;
  private budget: number | undefined;
  private budgetSetAt = 0;
  /** When the budget was learned from a 429 (here or by another process): a newer one wins. */
  private budgetLearnedAt = -Infinity;
  /** Whether requests waited for the budget in the current window: only a used-up budget is worth probing past. */
  private saturated = false;
  /** Windows in a row that used up the budget without a 429. */
  private fullWindows = 0;
  /** End times of the requests the upstream counted within the last window, oldest first. */
  private readonly counted: number[] = [];
  private pausedUntil = 0;
  private episodeEnds = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly shared: SharedRateSync | undefined;
  /** Reads the shared state while requests wait (a pause or a used-up budget), when nothing acquires or releases. */
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly maxConcurrency: number,
    readonly windowMs = 30_000,
    shared?: SharedRateHook,
  ) {
    if (!(maxConcurrency >= 1)) throw new Error('concurrency must be at least 1');
    this.limit = maxConcurrency;
    this.shared = shared && new SharedRateSync(shared, (state, first) => this.adopt(state, first));
  }

  /** Requests allowed in flight now. */
  get concurrency(): number {
    return Math.floor(this.limit);
  }

  /** Requests per window learned from the last 429, or undefined before any. */
  get learnedBudget(): number | undefined {
    return this.budget;
  }

  /** Waits (FIFO) until a request may start; the slot must be released with how it ended. */
  async acquire(): Promise<LimiterSlot> {
    if (this.shared) {
      // The first request waits (bounded) for what other processes learned; later ones not at all.
      const ready = this.shared.ready();
      if (ready) await ready;
      this.shared.poll(Date.now());
    }
    if (this.waiting.length === 0 && this.hasRoom(Date.now())) {
      this.active++;
    } else {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.pump();
      });
    }
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.release(outcome);
      },
    };
  }

  /** Runs one request; a thrown error counts as answered. */
  async run<T>(task: () => Promise<T>, outcomeOf: (value: T) => RequestOutcome = () => 'answered'): Promise<T> {
    const slot = await this.acquire();
    try {
      const value = await task();
      slot.release(outcomeOf(value));
      return value;
    } catch (err) {
      slot.release('answered');
      throw err;
    }
  }

  private release(outcome: RequestOutcome): void {
    this.active--;
    const now = Date.now();
    this.shared?.poll(now);
    if (outcome === 'answered') {
      this.counted.push(now);
      this.prune(now);
      this.limit = Math.min(this.maxConcurrency, this.limit + 1 / this.limit);
      if (this.budget !== undefined) {
        // A request in flight when the 429 came that still got through: the budget is at least this.
        if (this.counted.length > this.budget) this.budget = this.counted.length;
        if (now - this.budgetSetAt >= this.windowMs) {
          // Additive increase, slowly: one more after every few windows that used their budget
          // without a 429 (a failed probe costs a 429, so probes stay rare).
          this.fullWindows = this.saturated ? this.fullWindows + 1 : 0;
          if (this.fullWindows >= PROBE_AFTER_FULL_WINDOWS) {
            this.budget += 1;
            this.fullWindows = 0;
          }
          this.saturated = false;
          this.budgetSetAt = now;
        }
      }
    } else if (outcome !== 'refused') {
      this.pausedUntil = Math.max(this.pausedUntil, now + outcome.retryAfterMs);
      // The other requests in flight when the window closed get 429s too: one episode, one decrease.
      if (now >= this.episodeEnds) {
        this.limit = Math.max(1, this.limit / 2);
        this.prune(now);
        // Only a window that is really full teaches the budget: its Retry-After runs to when the oldest
        // counted request leaves the window. A short one (a burst limit, an injected fault) does not.
        const oldest = this.counted[0];
        if (oldest !== undefined && now + outcome.retryAfterMs >= oldest + this.windowMs - WINDOW_SLACK_MS) {
          this.budget = this.counted.length;
          this.budgetSetAt = now;
          this.budgetLearnedAt = now;
          this.saturated = false;
          this.fullWindows = 0;
        }
        // Once per episode, not per request: the first 429 of it tells the others.
        this.shared?.publish({
          pausedUntil: this.pausedUntil,
          windowMs: this.windowMs,
          ...(this.budgetLearnedAt === now ? { budget: this.budget, learnedAt: now } : {}),
        });
      }
      this.episodeEnds = this.pausedUntil;
    }
    this.pump();
  }

  /**
   * Takes what another process learned: a longer pause than this one's (a new episode when this
   * one's is over, so the concurrency halves as for a 429 of its own; not for the read before the
   * first request, which has sent nothing yet), and a budget learned later than this one's, unless
   * it is for another window or too old to trust.
   */
  private adopt(state: RateState, first: boolean): void {
    const now = Date.now();
    if (state.pausedUntil > now && state.pausedUntil > this.pausedUntil) {
      if (!first && now >= this.episodeEnds) this.limit = Math.max(1, this.limit / 2);
      this.pausedUntil = state.pausedUntil;
      this.episodeEnds = this.pausedUntil;
    }
    const { budget, learnedAt } = state;
    if (
      budget !== undefined && learnedAt !== undefined && state.windowMs === this.windowMs &&
      now - learnedAt <= this.shared!.maxAgeMs && learnedAt > this.budgetLearnedAt
    ) {
      this.budget = budget;
      this.budgetLearnedAt = learnedAt;
      this.budgetSetAt = now;
      this.saturated = false;
      this.fullWindows = 0;
    }
    this.pump();
  }

  private pollWhileWaiting(): void {
    if (!this.shared || this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.shared!.poll(Date.now());
      if (this.waiting.length > 0) this.pollWhileWaiting();
    }, this.shared.pollMs);
    this.pollTimer.unref?.();
  }

  private prune(now: number): void {
    while (this.counted.length > 0 && this.counted[0] <= now - this.windowMs) this.counted.shift();
  }

  private hasRoom(now: number): boolean {
    if (now < this.pausedUntil || this.active >= Math.floor(this.limit)) return false;
    if (this.budget === undefined) return true;
    this.prune(now);
    if (this.counted.length + this.active < this.budget) return true;
    this.saturated = true;
    return false;
  }

  /** Starts waiting requests while there is room; otherwise wakes up when the pause or the window opens. */
  private pump(): void {
    const now = Date.now();
    while (this.waiting.length > 0 && this.hasRoom(now)) {
      this.active++;
      this.waiting.shift()!();
    }
    if (this.waiting.length > 0) this.pollWhileWaiting();
    if (this.waiting.length === 0 || this.active >= Math.floor(this.limit)) return; // a release will pump
    let at = this.pausedUntil;
    if (this.budget !== undefined) {
      // The oldest counted request whose expiry makes room for one more.
      const k = this.counted.length + this.active - this.budget;
      if (k >= 0 && k < this.counted.length) at = Math.max(at, this.counted[k] + this.windowMs + 1);
      else if (k >= this.counted.length) return; // in-flight requests alone fill the budget: a release will pump
    }
    if (at <= now) at = now + 1;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, at - now);
  }
}
