import { APP_KEY, tombstoneBlocks } from '../../src/store/keys';
import { FairQueue } from '../../src/util/FairQueue';

describe('the tombstone rule (keys.ts)', () => {
  const until = Date.UTC(2026, 0, 1);

  it('blocks a writer that started before the deletion finished, or at the same moment', () => {
    expect(tombstoneBlocks(until, until - 60_000)).toBe(true);
    expect(tombstoneBlocks(until, until)).toBe(true);
  });

  it('does not block a writer that started after it (a new account of the same person), nor anyone without a tombstone', () => {
    expect(tombstoneBlocks(until, until + 1)).toBe(false);
    expect(tombstoneBlocks(null, until - 60_000)).toBe(false);
  });

  it('counts an unknown start (an unreadable created_at) as before the deletion', () => {
    expect(tombstoneBlocks(until, Number.NaN)).toBe(true);
  });

  it('keys the tombstone by a hash: it does not name the person', () => {
    const key = APP_KEY.tombstone('someone123');
    expect(key.pk).toMatch(/^DELETED#[0-9a-f]{64}$/);
    expect(JSON.stringify(key)).not.toContain('someone123');
    expect(APP_KEY.tombstone('someone123')).toEqual(key);
  });
});

describe('FairQueue: a waiting task whose signal aborts leaves the queue', () => {
  it('rejects with the reason, never runs, and the next task goes on', async () => {
    const q = new FairQueue(1);
    let release!: () => void;
    const first = q.run('A', () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    let ran = false;
    const queued = q.run('A', async () => void (ran = true), controller.signal);
    const after = q.run('A', async () => 'after');
    expect(q.queued('A')).toBe(2);
    controller.abort(new Error('cancelled'));
    await expect(queued).rejects.toThrow('cancelled');
    expect(q.queued('A')).toBe(1);
    release();
    await first;
    await expect(after).resolves.toBe('after');
    expect(ran).toBe(false);
  });

  it('an already aborted signal is refused at once', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(new FairQueue(1).run('A', async () => 1, controller.signal)).rejects.toThrow('gone');
  });
});
