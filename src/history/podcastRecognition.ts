import type { Columns } from './columns';
import { PLAY_KINDS } from './play';

const MUSIC = PLAY_KINDS.indexOf('music');
const EPISODE = PLAY_KINDS.indexOf('episode');

/** A name counted as a podcast although its entries came as music, and why. */
export interface ReclassifiedName {
  name: string;
  entries: number;
  /** podcast_files: a show in the person's own podcast entries; spotify_search: a show Spotify finds by that exact name; you: the person moved it. */
  source: ReclassifySource;
}

export type ReclassifySource = 'podcast_files' | 'spotify_search' | 'you';

export interface Reclassified {
  entries: number;
  names: ReclassifiedName[];
}

/**
 * Old account data (`StreamingHistoryN.json`, before Spotify split music from podcasts) lists
 * podcast episodes as music, with the show in artistName. Applied to the decoded history, so every
 * statistic sees it, and re-derived on every load, so nothing stored is rewritten and a choice can
 * be taken back: a music entry without a Spotify track id (account data has none; extended history
 * always gives one) whose artist is the name of a show the person's own podcast entries have
 * (StreamingHistory_podcast files, extended episode rows), or of a show Spotify's search finds by
 * that exact name (ShowSearchService), is an episode; a name the person moved
 * to podcasts is one whatever its entries; a name they moved back to music stays music.
 */
export function reclassifyPodcasts(cols: Columns, choices: { as_podcast: string[]; as_music: string[]; shows_found?: string[] }): Reclassified {
  const lower = (s: string) => s.toLowerCase();
  const shows = new Set<string>();
  for (const e of cols.entries) if (e.kind === EPISODE) shows.add(lower(e.artist));
  const asPodcast = new Set(choices.as_podcast.map(lower));
  const asMusic = new Set(choices.as_music.map(lower));
  const found = new Set((choices.shows_found ?? []).map(lower));
  const perEntry = new Map<number, ReclassifySource>();
  cols.entries.forEach((e, i) => {
    if (e.kind !== MUSIC) return;
    const a = lower(e.artist);
    if (asMusic.has(a)) return;
    if (asPodcast.has(a)) perEntry.set(i, 'you');
    else if (e.trackId === null && shows.has(a)) perEntry.set(i, 'podcast_files');
    else if (e.trackId === null && found.has(a)) perEntry.set(i, 'spotify_search');
  });
  if (perEntry.size === 0) return { entries: 0, names: [] };
  const names = new Map<string, ReclassifiedName>();
  let entries = 0;
  for (let i = 0; i < cols.n; i++) {
    const source = perEntry.get(cols.entry[i]);
    if (!source) continue;
    entries++;
    const artist = cols.entries[cols.entry[i]].artist;
    const n = names.get(artist) ?? names.set(artist, { name: artist, entries: 0, source }).get(artist)!;
    n.entries++;
  }
  for (const i of perEntry.keys()) cols.entries[i] = { ...cols.entries[i], kind: EPISODE };
  return { entries, names: [...names.values()].sort((a, b) => b.entries - a.entries || a.name.localeCompare(b.name)) };
}
