import type { Store } from '../store/Store';
import type { CaptureRepository } from '../store/CaptureRepository';
import type { ShareRepository } from '../store/ShareRepository';

/**
 * Deleting an account removes every item of the person from every table: everything under
 * pk="USER#<id>" (profile, tokens list, snapshots, imports, history meta, capture state, shares,
 * session pointers), the day items under pk="HIST#<id>", and the items found through them that
 * live elsewhere (API token hashes, share slugs, the capture index entry, sessions). The catalog
 * table holds nothing personal (artists, tracks and their features are shared by everyone).
 */
export class AccountService {
  constructor(
    private readonly o: {
      store: Store;
      shares: ShareRepository;
      capture: CaptureRepository;
      /** Drops what the process holds in memory for the person (decoded history, taste). */
      forget: (userId: string) => void;
    },
  ) {}

  async delete(userId: string): Promise<{ items: number }> {
    const table = this.o.store.tables.app;
    // Items that point elsewhere first: a crash half-way leaves the USER# items to find them again.
    await this.o.shares.deleteAllForUser(userId);
    await this.o.capture.deleteAllForUser(userId);
    const own = await this.o.store.queryAll({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `USER#${userId}` } });
    const elsewhere: Record<string, unknown>[] = [];
    for (const item of own) {
      const sk = String(item.sk);
      if (sk.startsWith('TOKEN#') && typeof item.hash === 'string') elsewhere.push({ pk: `APITOKEN#${item.hash}`, sk: 'TOKEN' });
      if (sk.startsWith('SESSION#')) elsewhere.push({ pk: sk, sk: 'SESSION' });
    }
    const history = await this.o.store.queryAll({
      TableName: table, KeyConditionExpression: 'pk = :pk', ProjectionExpression: 'pk, sk', ExpressionAttributeValues: { ':pk': `HIST#${userId}` },
    });
    const pending = await this.o.store.queryAll({
      TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)', ExpressionAttributeValues: { ':pk': 'IMPORTS#pending', ':u': `${userId}#` },
    });
    const keys = [...elsewhere, ...pending.map(({ pk, sk }) => ({ pk, sk })), ...history.map(({ pk, sk }) => ({ pk, sk }))];
    if (keys.length) await this.o.store.batchDelete(table, keys);
    // The profile goes last: until then the account can still be found, and deleted again.
    const profile = own.filter((i) => i.sk === 'PROFILE');
    const rest = own.filter((i) => i.sk !== 'PROFILE').map(({ pk, sk }) => ({ pk, sk }));
    if (rest.length) await this.o.store.batchDelete(table, rest);
    if (profile.length) await this.o.store.batchDelete(table, [{ pk: `USER#${userId}`, sk: 'PROFILE' }]);
    this.o.forget(userId);
    return { items: keys.length + own.length };
  }
}
