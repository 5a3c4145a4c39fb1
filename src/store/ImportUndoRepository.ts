import { APP_KEY, SK_PREFIX, userPk } from './keys';
import type { StoredDay } from './HistoryRepository';
import { SplitItems } from './itemParts';
import type { Store } from './Store';

/**
 * What each import job added, one item per job and day (keys.ts: UNDO#<jobId>#<date>), in the
 * day codec's layout (opaque here), so undoing the job removes exactly those plays. A record too
 * large for one item is split like a day item (itemParts.ts).
 */
export class ImportUndoRepository {
  private readonly split: SplitItems;

  constructor(private readonly store: Store) {
    this.split = new SplitItems(store, () => this.table);
  }

  private get table(): string {
    return this.store.tables.app;
  }

  async get(userId: string, jobId: string, dates: string[]): Promise<Map<string, StoredDay>> {
    const found = await this.split.getMany(dates.map((d) => APP_KEY.importAdded(userId, jobId, d)));
    const prefix = SK_PREFIX.importAdded(jobId);
    const out = new Map<string, StoredDay>();
    for (const { pk: _pk, sk, ...item } of found) out.set(String(sk).slice(prefix.length), item);
    return out;
  }

  async put(userId: string, jobId: string, days: { date: string; item: StoredDay }[]): Promise<void> {
    await this.split.putMany(days.map(({ date, item }) => ({ ...item, ...APP_KEY.importAdded(userId, jobId, date) })));
  }

  private async query(userId: string, jobId: string, keysOnly: boolean) {
    return this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':p': SK_PREFIX.importAdded(jobId) },
      ...(keysOnly ? { ProjectionExpression: 'pk, sk' } : {}),
    });
  }

  /** Every day a job added plays to, with those plays. */
  async all(userId: string, jobId: string): Promise<{ date: string; item: StoredDay }[]> {
    const prefix = SK_PREFIX.importAdded(jobId);
    const isHead = (sk: string) => sk.length === prefix.length + 10;
    const items = await this.split.fromQuery(await this.query(userId, jobId, false), isHead);
    return items.map(({ pk: _pk, sk, ...item }) => ({ date: String(sk).slice(prefix.length), item }));
  }

  /** Removes a job's records of these days, with their parts (and any leftover parts). */
  async remove(userId: string, jobId: string, dates: string[]): Promise<void> {
    if (!dates.length) return;
    const prefix = SK_PREFIX.importAdded(jobId);
    const wanted = new Set(dates);
    const keys = (await this.query(userId, jobId, true))
      .filter((i) => wanted.has(String(i.sk).slice(prefix.length, prefix.length + 10)))
      .map(({ pk, sk }) => ({ pk, sk }));
    if (keys.length) await this.store.batchDelete(this.table, keys);
  }
}
