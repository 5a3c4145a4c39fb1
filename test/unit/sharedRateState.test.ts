import { AdaptiveLimiter } from '../../src/upstream/AdaptiveLimiter';
import type { RateState, RateStateStore, SharedRateHook } from '../../src/upstream/SharedRateState';
import { call, rollingWindowUpstream, runAll } from '../helpers/rateLimitedUpstream';

/**
 * The limiter's shared-state hook on jest's fake clock, with an in-memory store that keeps the
 * same rules as RateStateRepository (the pause only grows; a newer learnedAt wins for the budget).
 */
class MemoryRateStore implements RateStateStore {
  state: RateState | undefined;
  loads = 0;
  published: RateState[] = [];
  async load(): Promise<RateState | undefined> {
    this.loads++;
    return this.state && { ...this.state };
  }
  async publish(s: RateState): Promise<void> {
    this.published.push(s);
    const cur: RateState = this.state ?? { pausedUntil: 0 };
    cur.pausedUntil = Math.max(cur.pausedUntil, s.pausedUntil);
    if (s.learnedAt !== undefined && !(cur.learnedAt !== undefined && cur.learnedAt >= s.learnedAt)) {
      Object.assign(cur, { budget: s.budget, learnedAt: s.learnedAt, windowMs: s.windowMs });
    }
    this.state = cur;
  }
}


const hook = (store: RateStateStore, extra: Partial<SharedRateHook> = {}) => {
  const warnings: string[] = [];
  return { warnings, hook: { store, warn: (_err: unknown, message: string) => void warnings.push(message), ...extra } satisfies SharedRateHook };
};

describe('AdaptiveLimiter with a shared rate state', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('a restarted limiter sends no more than the learned budget into its first window (a cold one wastes its concurrency)', async () => {
    const store = new MemoryRateStore();
    const upstream = rollingWindowUpstream(50, 30_000, 100);
    const first = new AdaptiveLimiter(20, 30_000, hook(store).hook);
    await runAll(120, () => call(first, upstream));
    expect(store.state).toMatchObject({ budget: 50, windowMs: 30_000 });
    const limitedFirst = upstream.counts.limited;
    expect(limitedFirst).toBeGreaterThan(5);

    // The restart: a new limiter on the same store, once the upstream's window has passed.
    await jest.advanceTimersByTimeAsync(31_000);
    const restarted = new AdaptiveLimiter(20, 30_000, hook(store).hook);
    const ms = await runAll(120, () => call(restarted, upstream));
    expect(upstream.counts.limited - limitedFirst).toBe(0);
    expect(restarted.learnedBudget).toBe(50);
    // Two full windows of 50 and then 20: the shortest possible, nothing spent on a 429's pause.
    expect(ms).toBeLessThanOrEqual(2 * 30_000 + 2 * 100 + 1000);

    // The control: the same run with a cold limiter.
    await jest.advanceTimersByTimeAsync(31_000);
    const before = upstream.counts.limited;
    await runAll(120, () => call(new AdaptiveLimiter(20), upstream));
    expect(upstream.counts.limited - before).toBeGreaterThan(5);
  });

  it('honours a pause another process stored that is still running, and adopts its budget', async () => {
    const store = new MemoryRateStore();
    store.state = { pausedUntil: Date.now() + 5000, budget: 7, learnedAt: Date.now() - 1000, windowMs: 30_000 };
    const limiter = new AdaptiveLimiter(20, 30_000, hook(store).hook);
    let started = false;
    void limiter.acquire().then(() => (started = true));
    await jest.advanceTimersByTimeAsync(4900);
    expect(started).toBe(false);
    await jest.advanceTimersByTimeAsync(200);
    expect(started).toBe(true);
    expect(limiter.learnedBudget).toBe(7);
    // Read before the first request, which sent nothing: no halving.
    expect(limiter.concurrency).toBe(20);
  });

  it('counts a budget learned over an hour ago, or for another window, as unknown', async () => {
    for (const state of [
      { pausedUntil: 0, budget: 7, learnedAt: Date.now() - 3600_001, windowMs: 30_000 },
      { pausedUntil: 0, budget: 7, learnedAt: Date.now() - 1000, windowMs: 60_000 },
    ]) {
      const store = new MemoryRateStore();
      store.state = state;
      const limiter = new AdaptiveLimiter(20, 30_000, hook(store).hook);
      (await limiter.acquire()).release('answered');
      expect(limiter.learnedBudget).toBeUndefined();
    }
  });

  it('goes on cold when the store fails or does not answer within the bounded wait; requests never fail', async () => {
    const failing = hook({ load: () => Promise.reject(new Error('db down')), publish: () => Promise.reject(new Error('db down')) });
    const a = new AdaptiveLimiter(4, 30_000, failing.hook);
    const slot = await a.acquire();
    slot.release({ retryAfterMs: 1000 }); // a publish that fails is logged, not thrown
    await jest.advanceTimersByTimeAsync(0);
    expect(failing.warnings).toEqual([expect.stringMatching(/reading .* failed/), expect.stringMatching(/publishing .* failed/)]);

    const hanging = hook({ load: () => new Promise(() => {}), publish: async () => {} }, { loadTimeoutMs: 500 });
    const b = new AdaptiveLimiter(4, 30_000, hanging.hook);
    let started = false;
    void b.acquire().then(() => (started = true));
    await jest.advanceTimersByTimeAsync(499);
    expect(started).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toBe(true);
    expect(hanging.warnings).toEqual([expect.stringMatching(/timed out/)]);
    // Only the first request waited: the next ones start at once.
    await expect(b.acquire()).resolves.toBeDefined();
  });

  it('publishes once per 429 episode, not per request: the pause and the budget learned', async () => {
    const store = new MemoryRateStore();
    const limiter = new AdaptiveLimiter(16, 30_000, hook(store).hook);
    const slots = await Promise.all(Array.from({ length: 6 }, () => limiter.acquire()));
    for (const s of slots.slice(0, 3)) s.release('answered');
    const t = Date.now();
    // The window is full: the three in flight all get a 429 with the same Retry-After.
    for (const s of slots.slice(3)) s.release({ retryAfterMs: 29_000 });
    expect(store.published).toEqual([{ pausedUntil: t + 29_000, windowMs: 30_000, budget: 3, learnedAt: t }]);
  });

  it('while busy, reads the store every 2 s at most and takes another process’s longer pause (halving once) and newer budget', async () => {
    const store = new MemoryRateStore();
    const limiter = new AdaptiveLimiter(16, 30_000, hook(store).hook);
    const held = await limiter.acquire(); // busy from here on
    expect(store.loads).toBe(1);
    for (let i = 0; i < 10; i++) (await limiter.acquire()).release('answered');
    expect(store.loads).toBe(1); // no read more often than every 2 s

    // Another process hits a 429 and learns a budget of 50.
    await jest.advanceTimersByTimeAsync(2000);
    const other = Date.now();
    store.state = { pausedUntil: other + 10_000, budget: 50, learnedAt: other, windowMs: 30_000 };
    (await limiter.acquire()).release('answered');
    await jest.advanceTimersByTimeAsync(0);
    expect(store.loads).toBe(2);
    expect(limiter.learnedBudget).toBe(50);
    expect(limiter.concurrency).toBe(8);
    let started = false;
    void limiter.acquire().then(() => (started = true));
    await jest.advanceTimersByTimeAsync(9000);
    expect(started).toBe(false);
    // The same episode read again (or its own echo) halves nothing more; an older budget changes nothing.
    store.state = { pausedUntil: other + 10_000, budget: 9, learnedAt: other - 1, windowMs: 30_000 };
    held.release('answered');
    await jest.advanceTimersByTimeAsync(2000);
    expect(started).toBe(true);
    expect(limiter.learnedBudget).toBe(50);
    expect(limiter.concurrency).toBe(8);
  });

  it('reads the store while requests only wait (nothing acquires or releases) and takes a longer pause', async () => {
    const store = new MemoryRateStore();
    const limiter = new AdaptiveLimiter(16, 30_000, hook(store).hook);
    const t = Date.now();
    (await limiter.acquire()).release({ retryAfterMs: 5000 });
    let started = false;
    void limiter.acquire().then(() => (started = true));
    // Another process in the same episode got a longer Retry-After.
    store.state = { ...store.state!, pausedUntil: t + 20_000 };
    await jest.advanceTimersByTimeAsync(6000);
    expect(started).toBe(false);
    expect(limiter.concurrency).toBe(8); // the same episode: halved once
    await jest.advanceTimersByTimeAsync(14_100);
    expect(started).toBe(true);
  });

  it('behaves as before when the hook is not given (no store, no wait)', async () => {
    const limiter = new AdaptiveLimiter(2);
    const a = await limiter.acquire();
    a.release({ retryAfterMs: 1000 });
    expect(limiter.concurrency).toBe(1);
  });
});
