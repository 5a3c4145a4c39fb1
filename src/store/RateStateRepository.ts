import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateState, RateStateStore } from '../upstream/SharedRateState';
import { APP_KEY } from './keys';
import type { Item, Store } from './Store';
import { isConditionalFailure } from './storeErrors';

/** Whose rate limit: the upstream service, the host of its base URL, and the app's client id (never the secret). */
export interface RateStateOwner {
  service: string;
  host: string;
  clientId: string;
}

/**
 * The rate-limit state the limiters of one upstream share across processes (app table; key in
 * keys.ts): paused_until, and budget with the window_ms it is per and learned_at. Written once per
 * 429 episode, not per request, with two conditional updates so concurrent writers never regress
 * each other: the pause only grows, and the budget is replaced only by one learned later (a
 * failed condition means another process already stored something newer, which is the answer).
 */
export class RateStateRepository implements RateStateStore {
  private readonly key: Item;

  constructor(
    private readonly store: Store,
    owner: RateStateOwner,
  ) {
    this.key = APP_KEY.rateState(owner.service, owner.host, owner.clientId);
  }

  private get table(): string {
    return this.store.tables.app;
  }

  async load(): Promise<RateState | undefined> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: this.key, ConsistentRead: true }));
    const i = out.Item;
    if (!i) return undefined;
    const state: RateState = { pausedUntil: typeof i.paused_until === 'number' ? i.paused_until : 0 };
    if (isCount(i.budget) && typeof i.learned_at === 'number' && isCount(i.window_ms)) {
      state.budget = i.budget;
      state.learnedAt = i.learned_at;
      state.windowMs = i.window_ms;
    }
    return state;
  }

  async publish(state: RateState): Promise<void> {
    const writes = [
      this.updateIf('SET paused_until = :p', 'attribute_not_exists(paused_until) OR paused_until < :p', { ':p': state.pausedUntil }),
    ];
    if (state.budget !== undefined && state.learnedAt !== undefined && state.windowMs !== undefined) {
      writes.push(
        this.updateIf('SET budget = :b, learned_at = :t, window_ms = :w', 'attribute_not_exists(learned_at) OR learned_at < :t', {
          ':b': state.budget, ':t': state.learnedAt, ':w': state.windowMs,
        }),
      );
    }
    await Promise.all(writes);
  }

  private async updateIf(update: string, condition: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.store.doc.send(
        new UpdateCommand({ TableName: this.table, Key: this.key, UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
