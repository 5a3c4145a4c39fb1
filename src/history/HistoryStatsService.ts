import { BadRequest } from '../errors';
import type { HistoryRepository } from '../store/HistoryRepository';
import { LruCache } from '../util/LruCache';
import { columnsFromDaysYielding, type Columns } from './columns';
import type { CountingRules } from './countingRules';
import type { StoredDay } from './dayCodec';
import { computeStats, type HistoryStats } from './historyStats';
import { reclassifyPodcasts } from './podcastRecognition';
import { isTimeZone } from './timeZones';
import type { PodcastChoices } from '../store/PodcastChoiceRepository';
import type { WriteGuard } from '../store/TombstoneRepository';
import { AnswerCache } from '../util/AnswerCache';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Answers held per user (different ranges, zones, rules), and the memory all answers may take. */
const RESULTS_PER_USER = 16;
const RESULTS_BYTES = 64 * 1024 * 1024;

/** The time zone and counting rules an all-time document was computed for. */
const aggregateTag = (tz: string, rules: CountingRules) =>
  JSON.stringify([tz, rules.min_play_seconds, rules.skipped, rules.offline, rules.incognito]);

/**
 * What an import wrote, handed to the refresh that follows it so the history is not read back:
 * the day items it wrote (as stored), every date that has a day item, and the history version its
 * own bump gave. Used only when the version is still that one (nothing else wrote meanwhile); days
 * it did not write are read from the store.
 */
export interface WrittenHistory {
  version: number;
  days: Map<string, StoredDay>;
  dates: Set<string>;
}

/** A rough size of an answer in memory (per_day dominates). */
const statsWeight = (s: HistoryStats) => 64 * 1024 + s.per_day.length * 120 + s.per_month.length * 120;

/**
 * Lifetime statistics over imported history. Three layers, each keyed by the history version (one
 * GetItem per request reads it; every write bumps it):
 *   - answers already computed, in memory, per user and query (range, zone, rules);
 *   - the all-time answer for the person's own zone and rules, kept in DynamoDB (refresh, run
 *     where the version is bumped), so a first request after a restart or an import reads a few
 *     items instead of every day of the history;
 *   - the decoded history (columns), in memory, from which any other query is computed.
 */
export class HistoryStatsService {
  private readonly cache = new LruCache<Columns>(400 * 1024 * 1024);
  private readonly results = new AnswerCache<HistoryStats>(RESULTS_BYTES, RESULTS_PER_USER, statsWeight);
  /** Refreshes of the stored all-time answer under way, per user (one at a time; `again` runs one more). */
  private readonly refreshing = new Map<string, { done: Promise<void>; again: boolean }>();
  /** Told of failures of background refreshes. */
  onError?: (userId: string, err: unknown) => void;
  /** Checked before the stored answer is written (the tombstone rule, keys.ts). */
  guard?: WriteGuard;

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
    // The version is read alongside the person's settings (two GetItems at once).
    const meta = this.repo.meta(userId);
    meta.catch(() => undefined);
    const { tz, rules } = await this.settings(userId, q);
    // A refresh under way in this process (after a write here) is waited for: it fills the caches.
    await this.refreshing.get(userId)?.done.catch(() => undefined);
    const { version } = await meta;
    const from = q.from ?? null;
    const to = q.to ?? null;
    const key = JSON.stringify([from, to, aggregateTag(tz, rules)]);
    const hit = this.answer(userId, version, key);
    if (hit) return hit;
    if (from === null && to === null) {
      const stored = await this.repo.getStatsAggregate(userId);
      if (stored && stored.version === version && stored.tag === aggregateTag(tz, rules)) {
        const stats = JSON.parse(stored.body) as HistoryStats;
        this.remember(userId, version, key, stats);
        return stats;
      }
    }
    const cols = await this.columnsAt(userId, version);
    const stats = computeStats(cols, tz, from, to, rules);
    this.remember(userId, version, key, stats);
    // The stored all-time answer was missing or stale: write it again (for the person's own zone and rules only).
    if (from === null && to === null && !this.refreshing.has(userId)) {
      void this.prefs(userId)
        .then(async (p) => {
          if (aggregateTag(p.timeZone, p.countingRules) === aggregateTag(tz, rules)) await this.store(userId, version, tz, rules, stats);
        })
        .catch((err: unknown) => this.onError?.(userId, err));
    }
    return stats;
  }

  /**
   * Computes the all-time answer for the person's own zone and rules at the current version and
   * stores it (memory and DynamoDB). Run where the history changes, after the version is bumped.
   */
  async refresh(userId: string, written?: WrittenHistory): Promise<void> {
    this.forget(userId);
    const running = this.refreshing.get(userId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { done: Promise.resolve(), again: false };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          const { timeZone, countingRules } = await this.prefs(userId);
          const { version } = await this.repo.meta(userId);
          const cols = await this.columnsAt(userId, version, written?.version === version ? written : undefined);
          written = undefined;
          const stats = computeStats(cols, timeZone, null, null, countingRules);
          this.remember(userId, version, JSON.stringify([null, null, aggregateTag(timeZone, countingRules)]), stats);
          await this.store(userId, version, timeZone, countingRules, stats);
        } while (state.again);
      } finally {
        this.refreshing.delete(userId);
      }
    })();
    this.refreshing.set(userId, state);
    return state.done;
  }

  /** refresh in the background (failures are reported, and the next request computes the answer itself). */
  changed(userId: string): void {
    this.refresh(userId).catch((err: unknown) => this.onError?.(userId, err));
  }

  private async store(userId: string, version: number, tz: string, rules: CountingRules, stats: HistoryStats): Promise<void> {
    if (this.guard && !(await this.guard.mayWrite(userId, Date.now()))) return;
    await this.repo.putStatsAggregate(userId, { version, tag: aggregateTag(tz, rules), body: JSON.stringify(stats) });
  }

  private answer(userId: string, version: number, key: string): HistoryStats | undefined {
    return this.results.get(userId, String(version), key);
  }

  private remember(userId: string, version: number, key: string, stats: HistoryStats): void {
    this.results.set(userId, String(version), key, stats);
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
    return this.columnsAt(userId, (await this.repo.meta(userId)).version);
  }

  private async columnsAt(userId: string, version: number, written?: WrittenHistory): Promise<Columns> {
    const hit = this.cache.get(userId);
    if (hit && hit.version === version) return hit;
    const cols = await columnsFromDaysYielding(written ? await this.withUnwritten(userId, written) : await this.repo.allDays(userId), version);
    // Every statistic reads these columns: podcasts listed as music are counted as episodes here.
    const choices = await this.podcastChoices(userId);
    cols.reclassified = reclassifyPodcasts(cols, choices);
    this.onDecoded?.(userId, cols, choices);
    this.cache.set(userId, cols, cols.n * 32 + cols.entries.length * 200 + 1024);
    return cols;
  }

  /** Every day of the history: those an import wrote from memory, the others from the store. */
  private async withUnwritten(userId: string, written: WrittenHistory): Promise<{ date: string; item: StoredDay }[]> {
    const days: { date: string; item: StoredDay }[] = [];
    const unwritten: string[] = [];
    for (const date of written.dates) {
      const item = written.days.get(date);
      if (item) days.push({ date, item });
      else unwritten.push(date);
    }
    if (unwritten.length) for (const [date, item] of await this.repo.getDays(userId, unwritten)) days.push({ date, item });
    return days;
  }

  /** Drops a user's cached history (after an import in this process). */
  forget(userId: string): void {
    this.cache.delete(userId);
    this.results.delete(userId);
  }
}
