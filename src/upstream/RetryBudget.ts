import { UpstreamError, UpstreamForbidden } from '../errors';
import { sleep } from '../util/sleep';

export interface RetryBudgetPolicy {
  /** How many more times one call is sent after it failed (each time with UpstreamHttp's own attempts). */
  perCall: number;
  /** How many such re-sends the whole job may make: the bound that lets a job against a dead upstream end. */
  total: number;
  /** Base of the exponential backoff between re-sends (full jitter). */
  baseDelayMs: number;
}

/**
 * Re-sends of whole upstream calls within one job (an artist ingest), on top of UpstreamHttp's
 * per-attempt retries. A job of hundreds of requests behind an upstream failing 30% of the time
 * loses a call now and then even after five attempts; failing the job for it would throw away every
 * page already fetched and start again, which at that size practically never finishes. So only the
 * failed call is sent again, and everything else the job has is kept. Only transient failures
 * (5xx, timeouts, resets, malformed answers) are re-sent; 4xx, 403 and rate limits are answers.
 */
export class RetryBudget {
  used = 0;

  constructor(private readonly policy: RetryBudgetPolicy) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    for (let resend = 0; ; resend++) {
      try {
        return await call();
      } catch (err) {
        if (!isTransient(err) || resend >= this.policy.perCall || this.used >= this.policy.total) throw err;
        this.used++;
        await sleep(Math.random() * this.policy.baseDelayMs * 2 ** resend);
      }
    }
  }
}

/** A failure worth sending the same request again for: the upstream broke, it did not say no. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof UpstreamError) || err instanceof UpstreamForbidden) return false;
  return err.upstreamStatus === undefined || err.upstreamStatus >= 500;
}
