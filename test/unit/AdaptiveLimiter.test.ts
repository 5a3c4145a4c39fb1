import { AdaptiveLimiter } from '../../src/upstream/AdaptiveLimiter';
import { call, rollingWindowUpstream, runAll } from '../helpers/rateLimitedUpstream';


describe('AdaptiveLimiter (AIMD pacing after a 429)', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('learns the budget from the first full window, so later windows send no request into a 429', async () => {
    const budget = 50;
    const upstream = rollingWindowUpstream(budget, 30_000, 100);
    const limiter = new AdaptiveLimiter(20);
    const requests = 500;
    const ms = await runAll(requests, () => call(limiter, upstream));

    expect(upstream.counts.ok).toBe(requests);
    // The requests in flight when the first window filled (at most the concurrency, 20) got a 429;
    // after that only the rare probe for a bigger budget (one per three full windows) may.
    const windows = Math.ceil(requests / budget);
    expect(upstream.counts.limited).toBeLessThanOrEqual(20 + Math.ceil(windows / 3));
    expect(upstream.counts.limited / (upstream.counts.limited + requests)).toBeLessThanOrEqual(0.05);
    expect(limiter.learnedBudget).toBe(budget);
    // The shortest possible: one window per 50 requests after the first, plus the last window's round trips.
    const shortest = (Math.ceil(requests / budget) - 1) * 30_000 + Math.ceil(budget / 20) * 100;
    expect(ms).toBeLessThanOrEqual(shortest * 1.1);
  });

  it('halves its concurrency on a 429 and grows it back by one per round of successes', async () => {
    const limiter = new AdaptiveLimiter(16);
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    a.release({ retryAfterMs: 1000 });
    expect(limiter.concurrency).toBe(8);
    // Another request of the same episode (in flight when the window closed) does not halve it again.
    b.release({ retryAfterMs: 1000 });
    expect(limiter.concurrency).toBe(8);
    await jest.advanceTimersByTimeAsync(1000);
    for (let i = 0; i < 9; i++) (await limiter.acquire()).release('answered');
    expect(limiter.concurrency).toBe(9);
  });

  it('pauses every caller until Retry-After, but a short Retry-After (not a full window) teaches no budget', async () => {
    const limiter = new AdaptiveLimiter(4);
    // A burst limit or a one-off: the second request gets 429 with Retry-After 1 s.
    let first429 = true;
    const upstream = {
      async request(): Promise<{ status: 200 } | { status: 429; retryAfterMs: number }> {
        await new Promise((r) => setTimeout(r, 10));
        if (first429) {
          first429 = false;
          return { status: 429, retryAfterMs: 1000 };
        }
        return { status: 200 };
      },
    };
    const ms = await runAll(100, () => call(limiter, upstream));
    expect(limiter.learnedBudget).toBeUndefined();
    // Paused once for 1 s; then 100 requests at (regrowing) concurrency, not one window each.
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(5000);
  });

  it('raises the budget by one after full windows without a 429, so it grows when the upstream allows more', async () => {
    const limiter = new AdaptiveLimiter(10);
    let budget = 20;
    const admitted: number[] = [];
    const upstream = {
      async request(): Promise<{ status: 200 } | { status: 429; retryAfterMs: number }> {
        await new Promise((r) => setTimeout(r, 100));
        const now = Date.now();
        while (admitted.length > 0 && admitted[0] <= now - 30_000) admitted.shift();
        if (admitted.length >= budget) return { status: 429, retryAfterMs: Math.ceil((admitted[0] + 30_000 - now) / 1000) * 1000 };
        admitted.push(now);
        return { status: 200 };
      },
    };
    await runAll(60, () => call(limiter, upstream));
    expect(limiter.learnedBudget).toBeGreaterThanOrEqual(20);
    expect(limiter.learnedBudget).toBeLessThanOrEqual(21);
    budget = 40; // the upstream's quota grew
    const before = limiter.learnedBudget!;
    await runAll(200, () => call(limiter, upstream));
    expect(limiter.learnedBudget).toBeGreaterThan(before);
  });
});
