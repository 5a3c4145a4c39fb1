import { blendTracks, discoveredFirst, type PlayedItem } from '../../src/services/friendTaste';

const t = (key: string, plays: number): PlayedItem => ({ key, id: key, name: key, artist: 'x', plays });

describe('blendTracks', () => {
  it('ranks shared tracks by the lower of the two shares, leaving out tracks only one has', () => {
    const a = [t('loved-by-a', 80), t('both', 10), t('mild', 10)];
    const b = [t('loved-by-a', 1), t('both', 50), t('mild', 10), t('only-b', 39)];
    expect(blendTracks(a, b).map((x) => x.id)).toEqual(['both', 'mild', 'loved-by-a']);
  });
  it('is empty when either has no plays', () => {
    expect(blendTracks([t('a', 3)], [])).toEqual([]);
  });
});

describe('discoveredFirst', () => {
  it('names who played each shared artist first, oldest first', () => {
    const r = discoveredFirst(
      [{ artist: 'X', first: '2020-01-01' }, { artist: 'Y', first: '2022-05-01' }, { artist: 'Z', first: '2019-01-01' }],
      [{ artist: 'X', first: '2021-01-01' }, { artist: 'Y', first: '2018-03-01' }],
    );
    expect(r).toEqual([
      { artist: 'Y', firstA: '2022-05-01', firstB: '2018-03-01', first: 'b' },
      { artist: 'X', firstA: '2020-01-01', firstB: '2021-01-01', first: 'a' },
    ]);
  });
});
