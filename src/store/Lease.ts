import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Item, Store } from './Store';
import { isConditionalFailure } from './storeErrors';

/** Who holds a lease and until when (Unix ms). */
export interface LeaseHolder {
  owner: string;
  expiresAt: number;
}

/** An expired lease item is removed by DynamoDB's TTL this long after it lapsed (it is harmless meanwhile). */
const TTL_GRACE_SECONDS = 3600;

/**
 * One lease item (single flight across processes and pm2 workers): whoever writes it with a
 * conditional put holds it until `expires_at`; the holder renews it before then, and a crashed
 * holder's lease simply lapses. Used for the artist ingest (one per artist, catalog table) and the
 * live-capture scheduler (one for the app); the item's key comes from keys.ts.
 */
export class Lease {
  constructor(
    private readonly store: Store,
    private readonly table: string,
    private readonly key: Item,
  ) {}

  /**
   * Takes the lease when it is free, expired, or already `owner`'s (which extends it).
   * False: someone else holds it; ask holder() who, if that matters.
   */
  async acquire(owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const expiresAt = now + ttlMs;
    try {
      await this.store.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.key, owner, expires_at: expiresAt, ttl: Math.ceil(expiresAt / 1000) + TTL_GRACE_SECONDS },
          ConditionExpression: 'attribute_not_exists(#owner) OR expires_at < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Extends a lease `owner` holds: the same conditional put as acquire, so a lease that lapsed
   * without anyone taking it is taken back. False: someone else took it meanwhile.
   */
  renew(owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    return this.acquire(owner, ttlMs, now);
  }

  /** Gives the lease up if `owner` still holds it; a lease someone else took is left alone. */
  async release(owner: string): Promise<void> {
    try {
      await this.store.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }

  /** The current holder, or null when the lease is free or has lapsed at `now`. */
  async holder(now = Date.now()): Promise<LeaseHolder | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: this.key, ConsistentRead: true }));
    return liveHolder(out.Item, now);
  }

  /** The holder when it is someone other than `owner` (the "held by someone else" answer), else null. */
  async heldByOther(owner: string, now = Date.now()): Promise<LeaseHolder | null> {
    const h = await this.holder(now);
    return h && h.owner !== owner ? h : null;
  }
}

/** A stored lease item read as its holder; null when absent, malformed, or expired at `now`. */
export function liveHolder(item: Item | undefined, now: number): LeaseHolder | null {
  if (!item || typeof item.owner !== 'string' || typeof item.expires_at !== 'number') return null;
  return item.expires_at < now ? null : { owner: item.owner, expiresAt: item.expires_at };
}
