export interface RankedArtist {
  id: string;
  name: string;
  genres: string[];
}

export interface WeightedGenreShare {
  name: string;
  /** Points from the rule below. */
  weight: number;
  /** weight / sum of all weights, 0–1. */
  share: number;
  /** Top artists carrying this genre, best ranked first. */
  artists: string[];
}

export const GENRE_WEIGHTING =
  'Each top artist adds (N + 1 − rank) points to every one of their genres, where N is the number of top artists: #1 adds N, the last adds 1. Genres are ranked by points; shares are of all points.';

/**
 * Top genres from ranked top artists (rank = array position), weighted by rank as GENRE_WEIGHTING
 * says. Artists without genres add nothing. Ties break by name, so the result is stable.
 */
export function topGenres(artists: RankedArtist[], limit = 20): WeightedGenreShare[] {
  const n = artists.length;
  const points = new Map<string, { weight: number; artists: string[] }>();
  artists.forEach((artist, i) => {
    const add = n - i;
    for (const genre of new Set(artist.genres.map((g) => g.toLowerCase()))) {
      const entry = points.get(genre) ?? { weight: 0, artists: [] };
      entry.weight += add;
      entry.artists.push(artist.name);
      points.set(genre, entry);
    }
  });
  const total = [...points.values()].reduce((s, e) => s + e.weight, 0);
  return [...points]
    .map(([name, e]) => ({ name, weight: e.weight, share: total ? e.weight / total : 0, artists: e.artists }))
    .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name))
    .slice(0, limit);
}
