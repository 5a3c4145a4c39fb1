import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { boundNames } from '../util/boundNames';
import { ITEM_BUDGET_BYTES, ItemTooLarge, itemSize } from './itemParts';
import { APP_KEY, SK_PREFIX, userPk } from './keys';
import type { Item, Store } from './Store';

const deflateRaw = promisify(zlib.deflateRaw);

/** Measured before it is sent: an item over the budget is refused here (ItemTooLarge), nothing written. */
function fits(item: Item): Item {
  const size = itemSize(item);
  if (size > ITEM_BUDGET_BYTES) throw new ItemTooLarge(`Snapshot ${String(item.sk)} would be ${size} bytes (budget ${ITEM_BUDGET_BYTES}).`);
  return item;
}

/** A day's top items, compact: ids and names in rank order, per time range. */
export interface DailySnapshot {
  date: string;
  ranges: Record<string, { artists: { id: string; name: string }[]; tracks: { id: string; name: string }[] }>;
}

/**
 * The dashboard's short-lived summary cache and its daily snapshots (app table). Both are bounded
 * before writing: names are cut to 300 characters (boundNames), the summary is deflated, and the item is measured against
 * the item budget; one that still would not fit is refused (ItemTooLarge) and never half-written.
 */
export class DashboardRepository {
  constructor(private readonly store: Store) {}

  async getSummary<T>(userId: string, now = Date.now()): Promise<T | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.summary(userId) }));
    if (!out.Item || (out.Item.expires_at as number) <= now) return null;
    // Written deflated (z) since summaries carry hundreds of names; plain `data` from before still reads.
    const text = out.Item.z ? zlib.inflateRawSync(out.Item.z as Uint8Array).toString('utf8') : (out.Item.data as string);
    return JSON.parse(text) as T;
  }

  async putSummary(userId: string, summary: unknown, ttlSeconds: number, now = Date.now()): Promise<void> {
    // Deflated on the thread pool: a summary is ~100 KB of JSON, and the event loop has answers to send meanwhile.
    const z = await deflateRaw(JSON.stringify(boundNames(summary)), { level: 6 });
    await this.store.doc.send(
      new PutCommand({
        TableName: this.store.tables.app,
        Item: fits({ ...APP_KEY.summary(userId), z, expires_at: now + ttlSeconds * 1000, ttl: Math.ceil(now / 1000) + ttlSeconds + 86400 }),
      }),
    );
  }

  async putDaily(userId: string, snapshot: DailySnapshot): Promise<void> {
    await this.store.doc.send(
      new PutCommand({ TableName: this.store.tables.app, Item: fits({ ...APP_KEY.day(userId, snapshot.date), data: JSON.stringify(boundNames(snapshot)) }) }),
    );
  }

  /** Every daily snapshot (backups). */
  async allDaily(userId: string): Promise<DailySnapshot[]> {
    const items = await this.store.queryAll({
      TableName: this.store.tables.app,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':day': SK_PREFIX.day },
    });
    return items.map((i) => JSON.parse(i.data as string) as DailySnapshot);
  }

  /** The newest daily snapshots first. */
  async recentDaily(userId: string, limit = 45): Promise<DailySnapshot[]> {
    const out = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tables.app,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':day': SK_PREFIX.day },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => JSON.parse(i.data as string) as DailySnapshot);
  }
}
