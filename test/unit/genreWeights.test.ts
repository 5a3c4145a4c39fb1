import { topGenres } from '../../src/services/genreWeights';

describe('topGenres (rank-weighted)', () => {
  it('gives each artist N + 1 − rank points per genre and ranks genres by points', () => {
    const genres = topGenres([
      { id: '1', name: 'A', genres: ['indie pop', 'dream pop'] }, // rank 1 of 4: 4 points each
      { id: '2', name: 'B', genres: ['shoegaze'] }, // rank 2: 3 points
      { id: '3', name: 'C', genres: ['dream pop', 'Shoegaze'] }, // rank 3: 2 points each (case folded)
      { id: '4', name: 'D', genres: [] }, // rank 4: adds nothing
    ]);
    expect(genres.map((g) => [g.name, g.weight])).toEqual([
      ['dream pop', 6],
      ['shoegaze', 5],
      ['indie pop', 4],
    ]);
    expect(genres[0].share).toBeCloseTo(6 / 15);
    expect(genres[0].artists).toEqual(['A', 'C']);
  });

  it('counts a genre listed twice by one artist once, and breaks ties by name', () => {
    const genres = topGenres([
      { id: '1', name: 'A', genres: ['b', 'B', 'a'] },
    ]);
    expect(genres).toEqual([
      { name: 'a', weight: 1, share: 0.5, artists: ['A'] },
      { name: 'b', weight: 1, share: 0.5, artists: ['A'] },
    ]);
  });

  it('returns nothing for no artists', () => {
    expect(topGenres([])).toEqual([]);
  });
});
