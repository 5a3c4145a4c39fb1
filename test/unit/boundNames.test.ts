import { boundNames, truncateName } from '../../src/util/boundNames';

describe('boundNames', () => {
  it('cuts names (and string lists of names) to 300 characters ending in an ellipsis, and leaves other strings', () => {
    const long = 'n'.repeat(10_000);
    const out = boundNames({ name: long, image: `https://x/${long}`, genres: [long, 'pop'], artists: [long, { id: 'a'.repeat(22), name: long }], id: 'a'.repeat(22), n: 3 });
    expect(out.name).toHaveLength(300);
    expect(out.name.endsWith('…')).toBe(true);
    expect(out.image).toHaveLength(10_010);
    expect(out.genres.map((g) => g.length)).toEqual([300, 3]);
    expect((out.artists[0] as string).length).toBe(300);
    expect(out.artists[1]).toEqual({ id: 'a'.repeat(22), name: truncateName(long) });
    expect(out.id).toBe('a'.repeat(22));
    expect(out.n).toBe(3);
  });

  it('never leaves half a surrogate pair, and leaves short names alone', () => {
    const emoji = '🎹'.repeat(400);
    const cut = truncateName(emoji);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut.endsWith('…')).toBe(true);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(truncateName('short')).toBe('short');
  });
});
