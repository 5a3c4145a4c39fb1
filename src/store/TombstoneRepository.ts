import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY, DELETION_WINDOW_MS, TOMBSTONE_TTL_SECONDS, tombstoneBlocks } from './keys';
import type { Store } from './Store';
import { isConditionalFailure } from './storeErrors';

/**
 * Tombstones of deleted accounts (app table; key and rule in keys.ts): what stops background
 * writers (imports, live capture, in this process or another pm2 worker) that started before a
 * deletion finished from writing the person's data back.
 */
export class TombstoneRepository {
  constructor(private readonly store: Store) {}

  private get table(): string {
    return this.store.tables.app;
  }

  /** Step 1 of a deletion: blocks every writer of the person until `finish` (at most DELETION_WINDOW_MS). */
  async mark(userId: string, now = Date.now()): Promise<void> {
    await this.store.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...APP_KEY.tombstone(userId), deleted_at: now, blocks_until: now + DELETION_WINDOW_MS, ttl: Math.ceil(now / 1000) + TOMBSTONE_TTL_SECONDS },
      }),
    );
  }

  /** The last step: the deletion is done; writers that start from now on (a new account's) are not blocked. */
  async finish(userId: string, now = Date.now()): Promise<void> {
    await this.store.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: APP_KEY.tombstone(userId),
          UpdateExpression: 'SET blocks_until = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': now },
        }),
      )
      .catch((err: unknown) => {
        if (!isConditionalFailure(err)) throw err;
      });
  }

  /** Until when (Unix ms) writers of the person are blocked, or null when the account was never deleted. */
  async blocksUntil(userId: string): Promise<number | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: APP_KEY.tombstone(userId), ConsistentRead: true }));
    return typeof out.Item?.blocks_until === 'number' ? out.Item.blocks_until : null;
  }

  /** Whether a writer of the person that started at `startedAt` (Unix ms) is blocked by a deletion. */
  async blocks(userId: string, startedAt: number): Promise<boolean> {
    return tombstoneBlocks(await this.blocksUntil(userId), startedAt);
  }

  /**
   * Whether a background writer of the person that started at `startedAt` may write now: the
   * account exists (its PROFILE item) and no deletion blocks it.
   */
  async mayWrite(userId: string, startedAt: number): Promise<boolean> {
    const [profile, blocked] = await Promise.all([
      this.store.doc.send(new GetCommand({ TableName: this.table, Key: APP_KEY.user(userId), ConsistentRead: true, ProjectionExpression: 'pk' })),
      this.blocks(userId, startedAt),
    ]);
    return !!profile.Item && !blocked;
  }
}

/** What background writers ask before each write batch (TombstoneRepository implements it). */
export type WriteGuard = Pick<TombstoneRepository, 'mayWrite' | 'blocks'>;
