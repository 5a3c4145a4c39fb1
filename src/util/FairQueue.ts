/**
 * Runs tasks grouped by key (a person): at most one task per key at a time, at most `concurrency`
 * in all, and when a slot frees the key served least recently goes next (round-robin), so one key
 * with many queued tasks cannot hold the others back. Within a key, tasks run in FIFO order.
 */
export class FairQueue {
  private active = 0;
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly busy = new Set<string>();
  /** When each key last got a slot (a counter, not a clock); keys never served go first. */
  private readonly served = new Map<string, number>();
  private tick = 0;

  constructor(readonly concurrency: number) {
    if (!(concurrency >= 1)) throw new Error('concurrency must be at least 1');
  }

  /**
   * Runs `task` when its turn comes. Aborting `signal` while the task still waits takes it out of
   * the queue (the returned promise rejects with the signal's reason); a running task is not
   * stopped here (it watches the signal itself).
   */
  async run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const list = this.waiting.get(key) ?? [];
      const onAbort = () => {
        const l = this.waiting.get(key);
        const i = l?.indexOf(start) ?? -1;
        if (i < 0) return;
        l!.splice(i, 1);
        if (!l!.length) this.waiting.delete(key);
        reject(signal!.reason);
      };
      const start = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      list.push(start);
      this.waiting.set(key, list);
      this.dispatch();
    });
    try {
      return await task();
    } finally {
      this.active--;
      this.busy.delete(key);
      this.dispatch();
    }
  }

  /** Tasks waiting (not running) for this key. */
  queued(key: string): number {
    return this.waiting.get(key)?.length ?? 0;
  }

  private dispatch(): void {
    while (this.active < this.concurrency) {
      let next: string | undefined;
      for (const key of this.waiting.keys()) {
        if (this.busy.has(key)) continue;
        if (next === undefined || (this.served.get(key) ?? -1) < (this.served.get(next) ?? -1)) next = key;
      }
      if (next === undefined) return;
      const list = this.waiting.get(next)!;
      const start = list.shift()!;
      if (!list.length) this.waiting.delete(next);
      this.active++;
      this.busy.add(next);
      this.served.set(next, this.tick++);
      start();
    }
  }
}
