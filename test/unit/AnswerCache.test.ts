import { AnswerCache } from '../../src/util/AnswerCache';

describe('AnswerCache', () => {
  it('answers only for the stamp it was given, and a new stamp drops the older answers', () => {
    const c = new AnswerCache<string>(1000, 4, () => 10);
    c.set('u', 'v1', 'all', 'a');
    expect(c.get('u', 'v1', 'all')).toBe('a');
    expect(c.get('u', 'v2', 'all')).toBeUndefined();
    c.set('u', 'v2', '2024', 'b');
    expect(c.get('u', 'v2', '2024')).toBe('b');
    expect(c.get('u', 'v2', 'all')).toBeUndefined();
  });

  it('holds at most perUser answers per user, the oldest going first; a repeat replaces', () => {
    const c = new AnswerCache<number>(1000, 2, () => 10);
    c.set('u', 's', 'a', 1);
    c.set('u', 's', 'b', 2);
    c.set('u', 's', 'a', 3);
    c.set('u', 's', 'c', 4);
    expect([c.get('u', 's', 'a'), c.get('u', 's', 'b'), c.get('u', 's', 'c')]).toEqual([3, undefined, 4]);
  });

  it('keeps all users within the weight budget, the least recently used user going first', () => {
    const c = new AnswerCache<number>(25, 8, () => 10);
    c.set('a', 's', 'k', 1);
    c.set('b', 's', 'k', 2);
    expect(c.get('a', 's', 'k')).toBe(1); // a is now the more recent
    c.set('c', 's', 'k', 3);
    expect([c.get('a', 's', 'k'), c.get('b', 's', 'k'), c.get('c', 's', 'k')]).toEqual([1, undefined, 3]);
    c.delete('a');
    expect(c.get('a', 's', 'k')).toBeUndefined();
  });
});
