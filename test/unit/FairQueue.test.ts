import { FairQueue } from '../../src/util/FairQueue';

/** A task that runs until the test releases it, recording when it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  return { release, task: async () => { log.push(`start ${name}`); await released; log.push(`end ${name}`); } };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('FairQueue', () => {
  it('serves people round-robin: B queued after A\'s three tasks runs before A\'s second and third', async () => {
    const q = new FairQueue(1);
    const log: string[] = [];
    const tasks = { a1: gate(log, 'a1'), a2: gate(log, 'a2'), a3: gate(log, 'a3'), b1: gate(log, 'b1') };
    const runs = [q.run('A', tasks.a1.task), q.run('A', tasks.a2.task), q.run('A', tasks.a3.task), q.run('B', tasks.b1.task)];
    await settle();
    expect(log).toEqual(['start a1']);
    tasks.a1.release();
    await settle();
    expect(log.at(-1)).toBe('start b1');
    tasks.b1.release();
    await settle();
    tasks.a2.release();
    await settle();
    tasks.a3.release();
    await Promise.all(runs);
    expect(log).toEqual(['start a1', 'end a1', 'start b1', 'end b1', 'start a2', 'end a2', 'start a3', 'end a3']);
  });

  it('runs at most one task per person even with free slots, and up to the cap across people', async () => {
    const q = new FairQueue(2);
    const log: string[] = [];
    const g = { a1: gate(log, 'a1'), a2: gate(log, 'a2'), b1: gate(log, 'b1'), c1: gate(log, 'c1') };
    const runs = [q.run('A', g.a1.task), q.run('A', g.a2.task), q.run('B', g.b1.task), q.run('C', g.c1.task)];
    await settle();
    expect(log).toEqual(['start a1', 'start b1']);
    expect(q.queued('A')).toBe(1);
    g.a1.release();
    await settle();
    // C was never served, so it goes before A's second task.
    expect(log.slice(-2)).toEqual(['end a1', 'start c1']);
    g.b1.release();
    await settle();
    expect(log.at(-1)).toBe('start a2');
    g.c1.release();
    g.a2.release();
    await Promise.all(runs);
  });

  it('a failing task frees its slot and its person', async () => {
    const q = new FairQueue(1);
    await expect(q.run('A', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(q.run('A', async () => 7)).resolves.toBe(7);
  });
});
