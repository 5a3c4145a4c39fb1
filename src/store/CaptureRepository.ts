import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY, CAPTURE_INDEX_PK } from './keys';
import { Lease } from './Lease';
import type { Store } from './Store';
import { isConditionalFailure } from './storeErrors';

/**
 * Live capture of recently played tracks (app table). Access patterns first:
 *   a user's capture state        pk="USER#<userId>"   sk="CAPTURE"    enabled, cursor, next_run_at, last_run_at, last_added, last_error
 *   users to poll (the index)     pk="CAPTURE#users"   sk="<userId>"   next_run_at
 *   the scheduler's lease         pk="CAPTURE#lease"   sk="LEASE"      owner, expires_at, ttl
 *
 * Consent: a user with a PROFILE but no CAPTURE item counts as enabled (capture is on by default
 * after login); the item is created lazily (ensureEnrolled) and `enabled=false` is stored when the
 * person turns capture off. Only enabled users have an index item, so the scheduler reads one
 * small partition per tick (Query + filter on next_run_at) instead of scanning every user.
 * The index item's next_run_at is the schedule (claimed with a conditional update before each
 * poll, so a user is never polled twice for one slot); the state item keeps a copy for display.
 * Times are Unix ms; `cursor` is the played_at (ms) of the newest captured play.
 */
export interface CaptureState {
  enabled: boolean;
  cursor: number | null;
  next_run_at: number | null;
  last_run_at: number | null;
  last_added: number | null;
  last_error: string | null;
}

export interface DueUser {
  userId: string;
  nextRunAt: number;
}

const INDEX_PK = CAPTURE_INDEX_PK;
const stateKey = APP_KEY.captureState;
const indexKey = APP_KEY.captureIndex;

export class CaptureRepository {
  /** The scheduler's lease: one holder polls, across all processes and pm2 workers. */
  readonly schedulerLease: Lease;

  constructor(private readonly store: Store) {
    this.schedulerLease = new Lease(store, store.tables.app, APP_KEY.captureLease);
  }

  private get table(): string {
    return this.store.tables.app;
  }

  /** The stored state, or null when the user has none yet (which means: enabled, never run). */
  async get(userId: string): Promise<CaptureState | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: stateKey(userId), ConsistentRead: true }));
    if (!out.Item) return null;
    const i = out.Item;
    return {
      enabled: i.enabled !== false,
      cursor: (i.cursor as number | undefined) ?? null,
      next_run_at: (i.next_run_at as number | undefined) ?? null,
      last_run_at: (i.last_run_at as number | undefined) ?? null,
      last_added: (i.last_added as number | undefined) ?? null,
      last_error: (i.last_error as string | undefined) ?? null,
    };
  }

  /** Creates the state of a user seen for the first time (enabled). False when it already exists. */
  async create(userId: string, nextRunAt: number): Promise<boolean> {
    try {
      await this.store.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...stateKey(userId), enabled: true, cursor: null, next_run_at: nextRunAt, last_run_at: null, last_added: null, last_error: null },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /** Puts the user in the index; keeps an existing schedule. */
  async addToIndex(userId: string, nextRunAt: number): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: indexKey(userId),
        UpdateExpression: 'SET next_run_at = if_not_exists(next_run_at, :n)',
        ExpressionAttributeValues: { ':n': nextRunAt },
      }),
    );
  }

  async removeFromIndex(userId: string): Promise<void> {
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: indexKey(userId) }));
  }

  /** Turns capture on or off (creating the state if needed) and updates the index to match. */
  async setEnabled(userId: string, enabled: boolean, nextRunAt: number): Promise<void> {
    if (!enabled) {
      await this.store.doc.send(
        new UpdateCommand({ TableName: this.table, Key: stateKey(userId), UpdateExpression: 'SET enabled = :f REMOVE next_run_at', ExpressionAttributeValues: { ':f': false } }),
      );
      await this.removeFromIndex(userId);
      return;
    }
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: stateKey(userId),
        UpdateExpression: 'SET enabled = :t, next_run_at = :n',
        ExpressionAttributeValues: { ':t': true, ':n': nextRunAt },
      }),
    );
    await this.store.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...indexKey(userId), next_run_at: nextRunAt } }),
    );
  }

  /** Index entries whose next run is due (one partition; the filter runs server-side). */
  async dueUsers(now: number): Promise<DueUser[]> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'next_run_at <= :now',
      ExpressionAttributeValues: { ':pk': INDEX_PK, ':now': now },
    });
    return items.map((i) => ({ userId: String(i.sk), nextRunAt: Number(i.next_run_at) })).sort((a, b) => a.nextRunAt - b.nextRunAt);
  }

  /**
   * Claims one scheduled run: moves next_run_at from the value read to the next slot, only if
   * nobody else moved it first. False: another worker has it, or the user left the index.
   */
  async claimRun(userId: string, scheduled: number, next: number): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: indexKey(userId),
          UpdateExpression: 'SET next_run_at = :next',
          ConditionExpression: 'next_run_at = :scheduled',
          ExpressionAttributeValues: { ':next': next, ':scheduled': scheduled },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /** Pushes a user's next run later (after a long Retry-After), if the user is still indexed. */
  async postpone(userId: string, next: number): Promise<void> {
    await this.store.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: indexKey(userId),
          UpdateExpression: 'SET next_run_at = :n',
          ConditionExpression: 'attribute_exists(pk) AND next_run_at < :n',
          ExpressionAttributeValues: { ':n': next },
        }),
      )
      .catch((err: unknown) => {
        if (!isConditionalFailure(err)) throw err;
      });
  }

  /**
   * Records a poll's outcome. Only an existing state is updated: a user deleted meanwhile is not
   * brought back. `cursor` undefined leaves it as it is.
   */
  async recordRun(
    userId: string,
    run: { cursor?: number | null; last_run_at: number; last_added: number; last_error: string | null; next_run_at?: number },
  ): Promise<void> {
    const sets: string[] = ['last_run_at = :r', 'last_added = :a', 'last_error = :e'];
    const values: Record<string, unknown> = { ':r': run.last_run_at, ':a': run.last_added, ':e': run.last_error };
    if (run.cursor !== undefined) {
      sets.push('#cursor = :c');
      values[':c'] = run.cursor;
    }
    if (run.next_run_at !== undefined) {
      sets.push('next_run_at = :n');
      values[':n'] = run.next_run_at;
    }
    await this.store.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: stateKey(userId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ...(run.cursor !== undefined ? { ExpressionAttributeNames: { '#cursor': 'cursor' } } : {}),
          ExpressionAttributeValues: values,
        }),
      )
      .catch((err: unknown) => {
        if (!isConditionalFailure(err)) throw err;
      });
  }

  /** Account deletion: the user's capture state and index entry. */
  async deleteAllForUser(userId: string): Promise<void> {
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: stateKey(userId) }));
    await this.removeFromIndex(userId);
  }

  /**
   * Takes or renews the scheduler's lease. The holder renews it before it lapses; a crashed
   * holder's lease expires after `ttlMs`.
   */
  acquireLease(owner: string, ttlMs: number, now: number): Promise<boolean> {
    return this.schedulerLease.acquire(owner, ttlMs, now);
  }

  releaseLease(owner: string): Promise<void> {
    return this.schedulerLease.release(owner);
  }
}
