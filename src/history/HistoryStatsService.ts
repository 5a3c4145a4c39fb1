import { BadRequest } from '../errors';
import type { HistoryRepository } from '../store/HistoryRepository';
import { LruCache } from '../util/LruCache';
import { columnsFromDays, type Columns } from './columns';
import type { CountingRules } from './countingRules';
import { computeStats, type HistoryStats } from './historyStats';
import { reclassifyPodcasts } from './podcastRecognition';
import { isTimeZone } from './timeZones';
import type { PodcastChoices } from '../store/PodcastChoiceRepository';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Lifetime statistics over imported history. The decoded history is cached per user and version
 * (one GetItem checks the version), so any date range is computed from memory in milliseconds.
 */
export class HistoryStatsService {
  private readonly cache = new LruCache<Columns>(400 * 1024 * 1024);

  constructor(
    private readonly repo: HistoryRepository,
    /** The person's time zone and counting rules, used when a query does not give them. */
    private readonly prefs: (userId: string) => Promise<{ timeZone: string; countingRules: CountingRules }>,
    /** Names the person moved to podcasts or back (applied to the decoded history: podcastRecognition). */
    private readonly podcastChoices: (userId: string) => Promise<PodcastChoices> = async () => ({ as_podcast: [], as_music: [], shows_found: [] }),
    /** Told of every freshly decoded history, to look its unknown names up as shows (ShowSearchService). */
    private readonly onDecoded?: (userId: string, cols: Columns, choices: PodcastChoices) => void,
  ) {}

  async stats(userId: string, q: { from?: string; to?: string; tz?: string; rules?: CountingRules }): Promise<HistoryStats> {
    const { tz, rules } = await this.settings(userId, q);
    const cols = await this.columns(userId);
    return computeStats(cols, tz, q.from ?? null, q.to ?? null, rules);
  }

  /** Validates a query's range and zone and fills in the person's own zone and rules. */
  async settings(userId: string, q: { from?: string; to?: string; tz?: string; rules?: CountingRules }): Promise<{ tz: string; rules: CountingRules }> {
    for (const [k, v] of [['from', q.from], ['to', q.to]] as const) {
      if (v !== undefined && (!DATE.test(v) || Number.isNaN(Date.parse(v)))) throw new BadRequest(`${k} must be a date as YYYY-MM-DD.`, 'invalid_date');
    }
    if (q.from && q.to && q.from > q.to) throw new BadRequest('from must not be after to.', 'invalid_range');
    const prefs = q.tz && q.rules ? null : await this.prefs(userId);
    const tz = q.tz ?? prefs!.timeZone;
    if (!isTimeZone(tz)) throw new BadRequest(`Unknown time zone ${JSON.stringify(tz.slice(0, 60))}.`, 'invalid_time_zone');
    return { tz, rules: q.rules ?? prefs!.countingRules };
  }

  /** The decoded history of a user, from memory when the stored version has not moved. */
  async columns(userId: string): Promise<Columns> {
    const { version } = await this.repo.meta(userId);
    const hit = this.cache.get(userId);
    if (hit && hit.version === version) return hit;
    const cols = columnsFromDays(await this.repo.allDays(userId), version);
    // Every statistic reads these columns: podcasts listed as music are counted as episodes here.
    const choices = await this.podcastChoices(userId);
    cols.reclassified = reclassifyPodcasts(cols, choices);
    this.onDecoded?.(userId, cols, choices);
    this.cache.set(userId, cols, cols.n * 32 + cols.entries.length * 200 + 1024);
    return cols;
  }

  /** Drops a user's cached history (after an import in this process). */
  forget(userId: string): void {
    this.cache.delete(userId);
  }
}
