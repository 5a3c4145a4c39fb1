import { LruCache } from './LruCache';

interface Held<T> {
  stamp: string;
  answers: Map<string, { value: T; weight: number }>;
  weight: number;
}

/**
 * Answers already computed, per user and query, for one state of the user's data (`stamp`: the
 * history version, and whatever else the answer depends on). A user holds at most `perUser`
 * answers (the oldest go first); all users together stay within `maxWeight` (the least recently
 * used user goes first). An answer asked for with another stamp is a miss, and storing one under
 * a new stamp drops the user's older answers.
 */
export class AnswerCache<T> {
  private readonly users: LruCache<Held<T>>;

  constructor(
    maxWeight: number,
    private readonly perUser: number,
    /** A rough size of an answer in memory. */
    private readonly weigh: (value: T) => number,
  ) {
    this.users = new LruCache<Held<T>>(maxWeight);
  }

  get(userId: string, stamp: string, key: string): T | undefined {
    const held = this.users.get(userId);
    return held && held.stamp === stamp ? held.answers.get(key)?.value : undefined;
  }

  set(userId: string, stamp: string, key: string, value: T): void {
    let held = this.users.peek(userId);
    if (!held || held.stamp !== stamp) held = { stamp, answers: new Map(), weight: 0 };
    const old = held.answers.get(key);
    if (old) {
      held.answers.delete(key);
      held.weight -= old.weight;
    }
    const weight = this.weigh(value);
    held.answers.set(key, { value, weight });
    held.weight += weight;
    for (const [k, v] of held.answers) {
      if (held.answers.size <= this.perUser) break;
      held.answers.delete(k);
      held.weight -= v.weight;
    }
    this.users.set(userId, held, held.weight);
  }

  delete(userId: string): void {
    this.users.delete(userId);
  }
}
