import { CaptureRepository } from './CaptureRepository';
import { FriendRepository } from './FriendRepository';
import { APP_KEY, historyPk, IMPORTS_PENDING_PK, SK_PREFIX, userPk } from './keys';
import { ShareRepository } from './ShareRepository';
import type { Item, Store } from './Store';

/**
 * Deleting an account removes every item of the person from every table: everything under
 * pk="USER#<id>" (profile, tokens list, snapshots, imports, history meta, capture state, shares,
 * session pointers), the day items under pk="HIST#<id>", and the items found through them that
 * live elsewhere (API token hashes, share slugs, the capture index entry, sessions, pending
 * imports). The catalog table holds nothing personal (artists, tracks and their features are
 * shared by everyone). Key patterns: keys.ts. Only the sweep: AccountService writes the account's
 * tombstone before and stops the person's imports and capture, so nothing writes back meanwhile
 * (the tombstone rule, keys.ts); the tombstone (keyed by a hash) is the one item that stays.
 */
export class AccountRepository {
  private readonly shares: ShareRepository;
  private readonly capture: CaptureRepository;
  private readonly friends: FriendRepository;

  constructor(private readonly store: Store) {
    this.shares = new ShareRepository(store);
    this.capture = new CaptureRepository(store);
    this.friends = new FriendRepository(store);
  }

  /** Deletes every item of the person; `items` counts the app-table items found through their partitions. */
  async deleteEverything(userId: string): Promise<{ items: number }> {
    const table = this.store.tables.app;
    // Items that point elsewhere first: a crash half-way leaves the USER# items to find them again.
    await this.shares.deleteAllForUser(userId);
    await this.capture.deleteAllForUser(userId);
    // Friendships on the friends' side and the invitation lookups (their own items are swept below).
    await this.friends.deleteAllForUser(userId);
    const own = await this.store.queryAll({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': userPk(userId) } });
    const elsewhere: Item[] = [];
    for (const item of own) {
      const sk = String(item.sk);
      if (sk.startsWith(SK_PREFIX.token) && typeof item.hash === 'string') elsewhere.push(APP_KEY.tokenHash(item.hash));
      // A session pointer's sort key is the session item's partition key ("SESSION#<sid>").
      if (sk.startsWith(SK_PREFIX.session)) elsewhere.push(APP_KEY.session(sk.slice(SK_PREFIX.session.length)));
    }
    const history = await this.store.queryAll({
      TableName: table, KeyConditionExpression: 'pk = :pk', ProjectionExpression: 'pk, sk', ExpressionAttributeValues: { ':pk': historyPk(userId) },
    });
    const pending = await this.store.queryAll({
      TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)', ExpressionAttributeValues: { ':pk': IMPORTS_PENDING_PK, ':u': `${userId}#` },
    });
    const keys = [...elsewhere, ...pending.map(({ pk, sk }) => ({ pk, sk })), ...history.map(({ pk, sk }) => ({ pk, sk }))];
    if (keys.length) await this.store.batchDelete(table, keys);
    // The profile goes last: until then the account can still be found, and deleted again.
    const profileKey = APP_KEY.user(userId);
    const hasProfile = own.some((i) => i.sk === profileKey.sk);
    const rest = own.filter((i) => i.sk !== profileKey.sk).map(({ pk, sk }) => ({ pk, sk }));
    if (rest.length) await this.store.batchDelete(table, rest);
    if (hasProfile) await this.store.batchDelete(table, [profileKey]);
    return { items: keys.length + own.length };
  }
}
