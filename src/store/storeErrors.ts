/**
 * The two questions callers ask about a DynamoDB failure, answered in one place so every
 * repository and service agrees on them.
 */

/** A ConditionExpression did not hold: an expected answer (someone else got there first), not a fault. */
export function isConditionalFailure(err: unknown): boolean {
  return (err as { name?: unknown } | null | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Error names that mean "busy or slow for a moment" once the SDK's own retries are spent. */
const TRANSIENT_NAMES = /Throttling|ProvisionedThroughputExceeded|RequestLimitExceeded|StoreError|TimeoutError/;
/** Socket codes of a database that is unreachable for a moment (restarting, network blip). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

/**
 * Failures worth waiting out: the database throttling after every SDK retry, the app's StoreError
 * (batch items still unprocessed, a table missing during start-up), timeouts, or a refused/reset connection.
 */
export function isTransientStoreError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null | undefined;
  return TRANSIENT_NAMES.test(typeof e?.name === 'string' ? e.name : '') || TRANSIENT_CODES.has(typeof e?.code === 'string' ? e.code : '');
}
