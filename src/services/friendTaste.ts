/** Pure logic of the friend comparison: which tracks both love, and who played a shared artist first. */

export interface PlayedItem { key: string; id: string | null; name: string; artist: string; plays: number }
export interface BlendTrack { id: string | null; name: string; artist: string; shareA: number; shareB: number; score: number }

/**
 * Tracks in both lists, ranked by the lower of the two shares (a track's plays over that person's
 * plays of all listed tracks), so a track only one person loves cannot top the blend.
 */
export function blendTracks(a: PlayedItem[], b: PlayedItem[], limit = 50): BlendTrack[] {
  const total = (xs: PlayedItem[]): number => xs.reduce((s, x) => s + Math.max(0, x.plays), 0);
  const totalA = total(a);
  const totalB = total(b);
  if (totalA === 0 || totalB === 0) return [];
  const byKey = new Map(b.map((x) => [x.key, x]));
  const out: BlendTrack[] = [];
  for (const x of a) {
    const y = byKey.get(x.key);
    if (!y || x.plays <= 0 || y.plays <= 0) continue;
    const shareA = x.plays / totalA;
    const shareB = y.plays / totalB;
    out.push({ id: x.id ?? y.id, name: x.name, artist: x.artist, shareA, shareB, score: Math.min(shareA, shareB) });
  }
  out.sort((p, q) => q.score - p.score || Math.max(q.shareA, q.shareB) - Math.max(p.shareA, p.shareB) || p.name.localeCompare(q.name));
  return out.slice(0, limit);
}

export interface FirstPlay { artist: string; first: string }
export interface DiscoveredFirst { artist: string; firstA: string; firstB: string; first: 'a' | 'b' | 'same' }

/** For each artist both have played, whose first play (ISO date) came earlier. */
export function discoveredFirst(a: FirstPlay[], b: FirstPlay[]): DiscoveredFirst[] {
  const byArtist = new Map(b.map((x) => [x.artist, x.first]));
  const out: DiscoveredFirst[] = [];
  for (const x of a) {
    const firstB = byArtist.get(x.artist);
    if (firstB === undefined) continue;
    const first = x.first < firstB ? 'a' : x.first > firstB ? 'b' : 'same';
    out.push({ artist: x.artist, firstA: x.first, firstB, first });
  }
  return out.sort((p, q) => (p.firstA < p.firstB ? p.firstA : p.firstB).localeCompare(q.firstA < q.firstB ? q.firstA : q.firstB) || p.artist.localeCompare(q.artist));
}
