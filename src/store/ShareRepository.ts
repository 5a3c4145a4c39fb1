import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY, SK_PREFIX, userPk } from './keys';
import type { Store } from './Store';

/** A public link to one year's summary. */
export interface Share {
  slug: string;
  year: string;
  created_at: string;
}

/** Share keys (see keys.ts): a listing under the user, and a lookup by slug for the public page. */
const SHARE_KEY = { userShare: APP_KEY.userShare, bySlug: APP_KEY.shareBySlug } as const;

/** Public yearly-summary links: created and revoked by their owner, read by anyone who has the slug. */
export class ShareRepository {
  constructor(private readonly store: Store) {}

  /**
   * Two items, listing first (no transactions in dynalite): a link that works is always listed and
   * so revocable; if the lookup write fails, the listing is undone.
   */
  async create(userId: string, share: Share): Promise<void> {
    const table = this.store.tables.app;
    await this.store.doc.send(
      new PutCommand({ TableName: table, Item: { ...SHARE_KEY.userShare(userId, share.slug), ...share }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    try {
      await this.store.doc.send(
        new PutCommand({
          TableName: table,
          Item: { ...SHARE_KEY.bySlug(share.slug), user_id: userId, year: share.year, created_at: share.created_at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      await this.store.doc.send(new DeleteCommand({ TableName: table, Key: SHARE_KEY.userShare(userId, share.slug) })).catch(() => undefined);
      throw err;
    }
  }

  /** The user's links, newest first. */
  async list(userId: string): Promise<Share[]> {
    const items = await this.store.queryAll({
      TableName: this.store.tables.app,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':s': SK_PREFIX.share },
      ConsistentRead: true,
    });
    return items
      .map((i) => ({ slug: i.slug as string, year: i.year as string, created_at: i.created_at as string }))
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /** Who shared what under a slug; null for an unknown or revoked one. */
  async find(slug: string): Promise<{ userId: string; year: string } | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: SHARE_KEY.bySlug(slug), ConsistentRead: true }));
    return out.Item ? { userId: out.Item.user_id as string, year: out.Item.year as string } : null;
  }

  /** Deletes both items, the public lookup first; false when the user has no such link. */
  async revoke(userId: string, slug: string): Promise<boolean> {
    const table = this.store.tables.app;
    const out = await this.store.doc.send(new GetCommand({ TableName: table, Key: SHARE_KEY.userShare(userId, slug), ConsistentRead: true }));
    if (!out.Item) return false;
    await this.store.doc.send(new DeleteCommand({ TableName: table, Key: SHARE_KEY.bySlug(slug) }));
    await this.store.doc.send(new DeleteCommand({ TableName: table, Key: SHARE_KEY.userShare(userId, slug) }));
    return true;
  }

  /** Removes every link of a user (account deletion); returns how many there were. */
  async deleteAllForUser(userId: string): Promise<number> {
    const shares = await this.list(userId);
    if (shares.length === 0) return 0;
    const table = this.store.tables.app;
    // Lookups first: the public pages stop working before the listing that would let them be revoked goes.
    await this.store.batchDelete(table, shares.map((s) => SHARE_KEY.bySlug(s.slug)));
    await this.store.batchDelete(table, shares.map((s) => SHARE_KEY.userShare(userId, s.slug)));
    return shares.length;
  }
}
