import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY, SK_PREFIX, userPk } from './keys';
import type { Store } from './Store';

/** A day's top items, compact: ids and names in rank order, per time range. */
export interface DailySnapshot {
  date: string;
  ranges: Record<string, { artists: { id: string; name: string }[]; tracks: { id: string; name: string }[] }>;
}

/** The dashboard's short-lived summary cache and its daily snapshots (app table). */
export class DashboardRepository {
  constructor(private readonly store: Store) {}

  async getSummary<T>(userId: string, now = Date.now()): Promise<T | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.summary(userId) }));
    if (!out.Item || (out.Item.expires_at as number) <= now) return null;
    return JSON.parse(out.Item.data as string) as T;
  }

  async putSummary(userId: string, summary: unknown, ttlSeconds: number, now = Date.now()): Promise<void> {
    await this.store.doc.send(
      new PutCommand({
        TableName: this.store.tables.app,
        Item: { ...APP_KEY.summary(userId), data: JSON.stringify(summary), expires_at: now + ttlSeconds * 1000, ttl: Math.ceil(now / 1000) + ttlSeconds + 86400 },
      }),
    );
  }

  async putDaily(userId: string, snapshot: DailySnapshot): Promise<void> {
    await this.store.doc.send(
      new PutCommand({ TableName: this.store.tables.app, Item: { ...APP_KEY.day(userId, snapshot.date), data: JSON.stringify(snapshot) } }),
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
