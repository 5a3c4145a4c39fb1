import type { AdaptiveLimiter } from '../../src/upstream/AdaptiveLimiter';

/**
 * A stand-in upstream on jest's fake clock, limited as the sandbox's --rate-limit is: at most
 * `budget` requests admitted per rolling window, 429 with Retry-After (whole seconds, rounded up)
 * beyond it; latency before the check, as the sandbox applies it.
 */
export function rollingWindowUpstream(budget: number, windowMs: number, latencyMs: number) {
  const admitted: number[] = [];
  const counts = { ok: 0, limited: 0 };
  return {
    counts,
    async request(): Promise<{ status: 200 } | { status: 429; retryAfterMs: number }> {
      await new Promise((r) => setTimeout(r, latencyMs));
      const now = Date.now();
      while (admitted.length > 0 && admitted[0] <= now - windowMs) admitted.shift();
      if (admitted.length >= budget) {
        counts.limited++;
        return { status: 429, retryAfterMs: Math.max(1, Math.ceil((admitted[0] + windowMs - now) / 1000)) * 1000 };
      }
      admitted.push(now);
      counts.ok++;
      return { status: 200 };
    },
  };
}

export type Upstream = ReturnType<typeof rollingWindowUpstream>;

/** One caller's request as UpstreamHttp makes it: each attempt through the limiter, 429s waited out. */
export async function call(limiter: AdaptiveLimiter, upstream: Pick<Upstream, 'request'>): Promise<void> {
  for (;;) {
    const slot = await limiter.acquire();
    const answer = await upstream.request();
    if (answer.status === 429) {
      slot.release({ retryAfterMs: answer.retryAfterMs });
      continue;
    }
    slot.release('answered');
    return;
  }
}

/** Runs `n` concurrent calls to the end on the fake clock; returns the simulated time taken. */
export async function runAll(n: number, fn: () => Promise<void>): Promise<number> {
  const start = Date.now();
  let done = false;
  const all = Promise.all(Array.from({ length: n }, fn)).then(() => (done = true));
  while (!done) await jest.advanceTimersByTimeAsync(50);
  await all;
  return Date.now() - start;
}
