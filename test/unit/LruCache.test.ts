import { LruCache } from '../../src/util/LruCache';

describe('LruCache', () => {
  it('evicts the least recently used entries once the total weight is over the bound', () => {
    const c = new LruCache<number>(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('d', 4);
    expect(c.has('b')).toBe(false);
    expect([c.has('a'), c.has('c'), c.has('d')]).toEqual([true, true, true]);
  });

  it('peek reads without making an entry recent, so a peeked entry is still evicted first', () => {
    const c = new LruCache<string | null>(2);
    c.set('x', null);
    c.set('y', 'y');
    expect(c.peek('x')).toBeNull();
    expect(c.has('x')).toBe(true);
    c.set('z', 'z');
    expect(c.has('x')).toBe(false);
    expect(c.peek('y')).toBe('y');
  });

  it('weighs entries and never keeps one heavier than the bound', () => {
    const c = new LruCache<string>(10);
    c.set('big', 'x', 11);
    expect(c.has('big')).toBe(false);
    c.set('a', 'a', 6);
    c.set('b', 'b', 6);
    expect(c.size).toBe(1);
    expect(c.get('b')).toBe('b');
  });
});
