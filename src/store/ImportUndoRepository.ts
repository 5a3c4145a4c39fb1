import { APP_KEY, SK_PREFIX, userPk } from './keys';
import type { StoredDay } from './HistoryRepository';
import type { Store } from './Store';

/**
 * What each import job added, one item per job and day (keys.ts: UNDO#<jobId>#<date>), in the
 * day codec's layout (opaque here), so undoing the job removes exactly those plays.
 */
export class ImportUndoRepository {
  constructor(private readonly store: Store) {}

  private get table(): string {
    return this.store.tables.app;
  }

  async get(userId: string, jobId: string, dates: string[]): Promise<Map<string, StoredDay>> {
    const found = dates.length ? await this.store.batchGet(this.table, dates.map((d) => APP_KEY.importAdded(userId, jobId, d))) : [];
    const prefix = SK_PREFIX.importAdded(jobId);
    const out = new Map<string, StoredDay>();
    for (const { pk: _pk, sk, ...item } of found) out.set(String(sk).slice(prefix.length), item);
    return out;
  }

  async put(userId: string, jobId: string, days: { date: string; item: StoredDay }[]): Promise<void> {
    if (days.length) await this.store.batchPut(this.table, days.map(({ date, item }) => ({ ...item, ...APP_KEY.importAdded(userId, jobId, date) })));
  }

  /** Every day a job added plays to, with those plays. */
  async all(userId: string, jobId: string): Promise<{ date: string; item: StoredDay }[]> {
    const prefix = SK_PREFIX.importAdded(jobId);
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':p': prefix },
    });
    return items.map(({ pk: _pk, sk, ...item }) => ({ date: String(sk).slice(prefix.length), item }));
  }

  async remove(userId: string, jobId: string, dates: string[]): Promise<void> {
    if (dates.length) await this.store.batchDelete(this.table, dates.map((d) => APP_KEY.importAdded(userId, jobId, d)));
  }
}
