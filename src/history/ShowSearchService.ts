import type { Logger } from 'pino';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { HistoryRepository } from '../store/HistoryRepository';
import type { PodcastChoiceRepository } from '../store/PodcastChoiceRepository';
import type { TokenSource } from '../upstream/UpstreamHttp';
import { LruCache } from '../util/LruCache';
import type { Columns } from './columns';
import { PLAY_KINDS } from './play';

/** Names looked up per history load: the most-listened unknown names, so a big history costs a few searches. */
const MAX_LOOKUPS = 30;
const MUSIC = PLAY_KINDS.indexOf('music');

/**
 * Recognises podcasts in old account data with Spotify search: a music name without a track id
 * that a show search finds by its exact name (case-insensitive) is a show. Runs in the background
 * after the history is decoded; results are cached in memory for every person (a name is searched
 * once per process) and what is found is stored with the person's podcast choices (shows_found),
 * so every statistic applies it from then on (podcastRecognition).
 */
export class ShowSearchService {
  private readonly isShow = new LruCache<boolean>(100_000);
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly o: {
      spotify: Pick<SpotifyClient, 'searchShows'>;
      auth: TokenSource;
      choices: PodcastChoiceRepository;
      history: HistoryRepository;
      /** Shows are market-bound; an app token must name one. */
      market: string;
      onChanged?: (userId: string) => void;
      logger?: Logger;
    },
  ) {}

  /** Starts looking up a decoded history's candidate names (no-op while a lookup for the person runs). */
  schedule(userId: string, cols: Columns, known: { as_podcast: string[]; as_music: string[]; shows_found: string[] }): void {
    if (this.running.has(userId)) return;
    const decided = new Set([...known.as_podcast, ...known.as_music, ...known.shows_found].map((n) => n.toLowerCase()));
    const ms = new Map<string, number>();
    for (let i = 0; i < cols.n; i++) {
      const e = cols.entries[cols.entry[i]];
      if (e.kind !== MUSIC || e.trackId !== null) continue;
      ms.set(e.artist, (ms.get(e.artist) ?? 0) + cols.ms[i]);
    }
    const candidates = [...ms]
      .filter(([name]) => !decided.has(name.toLowerCase()) && this.isShow.get(name.toLowerCase()) !== false)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_LOOKUPS)
      .map(([name]) => name);
    if (candidates.length === 0) return;
    const run = this.lookUp(userId, candidates)
      .catch((err: unknown) => this.o.logger?.warn({ err, userId }, 'show search failed; podcasts in old account data stay as they are'))
      .finally(() => this.running.delete(userId));
    this.running.set(userId, run);
  }

  /** Waits for a person's lookup (tests). */
  async settled(userId: string): Promise<void> {
    await this.running.get(userId);
  }

  private async lookUp(userId: string, names: string[]): Promise<void> {
    const found: string[] = [];
    for (const name of names) {
      let show = this.isShow.get(name.toLowerCase());
      if (show === undefined) {
        const res = await this.o.spotify.searchShows(name.slice(0, 100), 5, this.o.auth, this.o.market);
        show = (res.shows?.items ?? []).some((s) => typeof s?.name === 'string' && s.name.toLowerCase() === name.toLowerCase());
        this.isShow.set(name.toLowerCase(), show);
      }
      if (show) found.push(name);
    }
    if (found.length === 0) return;
    const current = await this.o.choices.get(userId);
    await this.o.choices.put(userId, { ...current, shows_found: [...new Set([...current.shows_found, ...found])] });
    await this.o.history.bumpVersion(userId);
    this.o.onChanged?.(userId);
  }
}
