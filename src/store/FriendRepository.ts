import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY, SK_PREFIX, userPk } from './keys';
import type { Store } from './Store';

/** An open invitation, as its inviter sees it: the token itself is never stored, only its hash. */
export interface Invite {
  hash: string;
  created_at: string;
  expires_at: string;
}

export interface Friendship {
  friend_id: string;
  since: string;
}

/**
 * Friends on one instance (keys.ts): an invitation is two items, a lookup by the token's SHA-256
 * and a listing under the inviter (so it can be revoked); a friendship is one item under each
 * person, written together when an invitation is accepted and deleted together when either ends it.
 * Checks read the asking person's own item, strongly consistent, so an ended friendship is gone
 * for the very next request.
 */
export class FriendRepository {
  constructor(private readonly store: Store) {}

  private get table(): string {
    return this.store.tables.app;
  }

  /** The person's items of one kind (sort-key prefix), strongly consistent. */
  private ownItems(userId: string, prefix: string) {
    return this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':s': prefix },
      ConsistentRead: true,
    });
  }

  /** Listing first (no transactions in dynalite): an invitation that works is always listed, so revocable. */
  async createInvite(inviter: string, invite: Invite): Promise<void> {
    const ttl = Math.ceil(Date.parse(invite.expires_at) / 1000);
    await this.store.doc.send(new PutCommand({ TableName: this.table, Item: { ...APP_KEY.userInvite(inviter, invite.hash), ...invite, ttl } }));
    await this.store.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...APP_KEY.inviteByHash(invite.hash), inviter, created_at: invite.created_at, expires_at: invite.expires_at, ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findInvite(hash: string): Promise<{ inviter: string; created_at: string; expires_at: string } | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: APP_KEY.inviteByHash(hash), ConsistentRead: true }));
    if (!out.Item) return null;
    return { inviter: out.Item.inviter as string, created_at: out.Item.created_at as string, expires_at: out.Item.expires_at as string };
  }

  /** The inviter's invitations, newest first (expired ones included until their TTL removes them). */
  async listInvites(userId: string): Promise<Invite[]> {
    return (await this.ownItems(userId, SK_PREFIX.invite))
      .map((i) => ({ hash: i.hash as string, created_at: i.created_at as string, expires_at: i.expires_at as string }))
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /** Removes an invitation: the lookup first (the link stops working), then the listing. */
  async deleteInvite(inviter: string, hash: string): Promise<void> {
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: APP_KEY.inviteByHash(hash) }));
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: APP_KEY.userInvite(inviter, hash) }));
  }

  /**
   * Takes an invitation for good: deleting its lookup item on the condition that it still exists, so
   * of two people accepting one link at the same moment exactly one gets it. False when it was gone.
   */
  async consumeInvite(inviter: string, hash: string): Promise<boolean> {
    try {
      await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: APP_KEY.inviteByHash(hash), ConditionExpression: 'attribute_exists(pk)' }));
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: APP_KEY.userInvite(inviter, hash) }));
    return true;
  }

  /** Both sides of a friendship. */
  async addFriendship(a: string, b: string, since: string): Promise<void> {
    await this.store.batchPut(this.table, [
      { ...APP_KEY.friendship(a, b), friend_id: b, since },
      { ...APP_KEY.friendship(b, a), friend_id: a, since },
    ]);
  }

  /** The asking person's side of a friendship, or null. */
  async friendship(userId: string, friendId: string): Promise<Friendship | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: APP_KEY.friendship(userId, friendId), ConsistentRead: true }));
    return out.Item ? { friend_id: out.Item.friend_id as string, since: out.Item.since as string } : null;
  }

  async friends(userId: string): Promise<Friendship[]> {
    return (await this.ownItems(userId, SK_PREFIX.friend)).map((i) => ({ friend_id: i.friend_id as string, since: i.since as string })).sort((a, b) => b.since.localeCompare(a.since));
  }

  /** Ends a friendship on both sides: the other person's item first, so neither keeps seeing the other. */
  async endFriendship(userId: string, friendId: string): Promise<void> {
    await this.store.batchDelete(this.table, [APP_KEY.friendship(friendId, userId), APP_KEY.friendship(userId, friendId)]);
  }

  /** Account deletion: every friendship (both sides) and every invitation (both items) of the person. */
  async deleteAllForUser(userId: string): Promise<void> {
    const [friends, invites] = await Promise.all([this.friends(userId), this.listInvites(userId)]);
    const keys = [
      ...friends.map((f) => APP_KEY.friendship(f.friend_id, userId)),
      ...invites.map((i) => APP_KEY.inviteByHash(i.hash)),
    ];
    if (keys.length) await this.store.batchDelete(this.table, keys);
    // The person's own items (FRIEND#, INVITE#) live under USER#<id>: deleteEverything sweeps them.
  }
}
