import crypto from 'node:crypto';
import os from 'node:os';
import pino, { type Logger } from 'pino';
import { AppError, RateLimited, ReauthRequired } from '../errors';
import type { Play } from '../history/play';
import { playFromRecent } from '../spotify/mappers';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { UserTokens } from '../spotify/UserTokenSource';
import type { CaptureRepository, CaptureState, DueUser } from '../store/CaptureRepository';
import { groupByDay } from '../history/dayCodec';
import { mergeDays } from '../history/mergeDays';
import type { HistoryRepository } from '../store/HistoryRepository';
import type { WriteGuard } from '../store/TombstoneRepository';
import { Limiter } from '../util/Limiter';
import { LruCache } from '../util/LruCache';

/** Spotify keeps only the last 50 plays, and 50 is the page limit: one page per poll, a few if a cursor lags. */
const PAGE_LIMIT = 50;
const MAX_PAGES = 4;
/** "Capture now" more often than this just shows the last run: the rate budget is shared. */
const MANUAL_COOLDOWN_MS = 30_000;
/** Shutdown waits this long for polls in flight (pm2 gives the whole app 12 s). */
const STOP_WAIT_MS = 5_000;
/** A user enrolled in this process is looked at again after this long (an account deleted and created anew). */
const ENROLLED_RECHECK_MS = 3600_000;

export interface LiveCaptureOptions {
  /** Time between two polls of one user (CAPTURE_INTERVAL_MINUTES). */
  intervalMs: number;
  /** How often the scheduler looks for due users (CAPTURE_TICK_SECONDS). */
  tickMs: number;
  /** How long the scheduler lease lasts unless renewed; default three ticks. */
  leaseMs?: number;
  /** New users' first runs are spread over this window (default: the interval); 0 = due at once. */
  spreadMs?: number;
  /** Users polled at the same time by the lease holder. */
  concurrency?: number;
  logger?: Logger;
  now?: () => number;
}

export interface LiveCaptureDeps {
  repo: CaptureRepository;
  history: HistoryRepository;
  /** Whether an import of the person is writing their day items now (HistoryImportService.writing). */
  importWriting: (userId: string) => Promise<boolean>;
  spotify: SpotifyClient;
  userTokens: UserTokens;
  /** Called when plays were added, so cached statistics are recomputed (HistoryStatsService.forget). */
  onHistoryChanged(userId: string): void;
  /**
   * Asked before a poll writes: the account exists and no deletion came after the poll started
   * (the tombstone rule in keys.ts, for deletions in other processes). Unset: never asked.
   */
  guard?: WriteGuard;
}

/** How long a capture may hold the person's writer lease (its merge writes a few days). */
const WRITER_LEASE_MS = 30_000;

/** A poll stopped before writing: the person's account is being (or was) deleted. */
class CaptureCancelled extends Error {}

export interface CaptureResult {
  /** Plays returned by Spotify in this poll. */
  fetched: number;
  /** Music plays that were new to the history store. */
  added: number;
  cursor: number | null;
  /** True when an import of this user was running: the poll waits for the next tick. */
  deferred?: boolean;
}

/** What /settings and GET /api/me/capture show; times as ISO strings. */
export interface CaptureView {
  enabled: boolean;
  interval_minutes: number;
  cursor: string | null;
  last_run_at: string | null;
  last_added: number | null;
  last_error: string | null;
  next_run_at: string | null;
}

/** The first slot after `now` that is a whole number of intervals after `scheduled` (keeps each user's phase). */
export function nextSlot(scheduled: number, intervalMs: number, now: number): number {
  const k = Math.max(1, Math.floor((now - scheduled) / intervalMs) + 1);
  return scheduled + k * intervalMs;
}

/**
 * Polls each consenting user's recently played tracks and merges them into the history store.
 * One scheduler runs across all processes: each tick takes (or renews) a DynamoDB lease; only the
 * holder polls. Each due run is also claimed per user (conditional update of next_run_at), so a
 * lease lost mid-tick still never polls a user twice for one slot. Polls share the app's
 * UpstreamHttp, whose 429 handling pauses every caller for Retry-After.
 */
export class LiveCaptureService {
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  /** For tests and logs: ticks run, ticks with the lease, polls made. */
  readonly counters = { ticks: 0, leaseTicks: 0, polls: 0, errors: 0 };
  private readonly intervalMs: number;
  private readonly tickMs: number;
  private readonly leaseMs: number;
  private readonly spreadMs: number;
  private logger: Logger;
  private readonly now: () => number;
  private readonly limiter: Limiter;
  private readonly inFlight = new Map<string, Promise<CaptureResult>>();
  /** When this process last enrolled (or found enrolled) a user: no need to look again for a while. */
  private readonly enrolled = new LruCache<number>(100_000);
  /** When this process was told to stop capturing a person (account deletion): polls started before write nothing. */
  private readonly cancelled = new LruCache<number>(10_000);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private holding = false;
  private pausedUntil = 0;

  constructor(
    private readonly d: LiveCaptureDeps,
    opts: LiveCaptureOptions,
  ) {
    this.intervalMs = opts.intervalMs;
    this.tickMs = opts.tickMs;
    this.leaseMs = opts.leaseMs ?? 3 * opts.tickMs;
    this.spreadMs = opts.spreadMs ?? opts.intervalMs;
    this.logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'live-capture' });
    this.now = opts.now ?? Date.now;
    this.limiter = new Limiter(opts.concurrency ?? 3);
  }

  // ---- consent and state ----

  /** A user's first slot: spread over the window by a hash of the id, so users do not all poll at once. */
  private firstRunAt(userId: string): number {
    if (this.spreadMs <= 0) return this.now();
    const h = crypto.createHash('sha1').update(userId).digest().readUInt32BE(0);
    return this.now() + (h % this.spreadMs);
  }

  /**
   * Creates the capture state of a logged-in user seen for the first time (capture is on by
   * default) and makes sure an enabled user is in the index. Cheap after the first call per process.
   */
  async ensureEnrolled(userId: string): Promise<void> {
    const seen = this.enrolled.get(userId);
    if (seen !== undefined && this.now() - seen < ENROLLED_RECHECK_MS) return;
    const state = await this.d.repo.get(userId);
    if (!state) {
      const first = this.firstRunAt(userId);
      // Lost the race to another request: that one adds the index entry.
      if (await this.d.repo.create(userId, first)) await this.d.repo.addToIndex(userId, first);
    } else if (state.enabled) {
      await this.d.repo.addToIndex(userId, state.next_run_at ?? this.firstRunAt(userId));
    }
    this.enrolled.set(userId, this.now());
  }

  async setEnabled(userId: string, enabled: boolean): Promise<CaptureView> {
    await this.d.repo.setEnabled(userId, enabled, this.firstRunAt(userId));
    this.enrolled.set(userId, this.now());
    this.logger.info({ userId, enabled }, 'live capture consent changed');
    return this.view(userId);
  }

  /** The state as shown to the person; no stored state means enabled and never run. */
  async view(userId: string): Promise<CaptureView> {
    const s: CaptureState = (await this.d.repo.get(userId)) ?? { enabled: true, cursor: null, next_run_at: null, last_run_at: null, last_added: null, last_error: null };
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      enabled: s.enabled,
      interval_minutes: Math.round(this.intervalMs / 60_000),
      cursor: iso(s.cursor),
      last_run_at: iso(s.last_run_at),
      last_added: s.last_added,
      last_error: s.last_error,
      next_run_at: s.enabled ? iso(s.next_run_at) : null,
    };
  }

  /**
   * Account deletion: a poll of the person running in this process (or starting before this
   * call) writes nothing more; waits until it has stopped. The person's next login enrolls anew.
   */
  async cancelUser(userId: string): Promise<void> {
    this.cancelled.set(userId, Date.now());
    this.enrolled.delete(userId);
    await this.inFlight.get(userId)?.catch(() => undefined);
  }

  // ---- polling ----

  /** "Capture now": polls at once unless capture is off or the last poll was moments ago. */
  async captureNow(userId: string): Promise<{ polled: boolean; result?: CaptureResult }> {
    await this.ensureEnrolled(userId);
    const state = await this.d.repo.get(userId);
    if (state && !state.enabled) throw new AppError(409, 'capture_disabled', 'Live capture is off. Turn it on first.');
    if (state?.last_run_at && this.now() - state.last_run_at < MANUAL_COOLDOWN_MS) return { polled: false };
    return { polled: true, result: await this.captureUser(userId) };
  }

  /**
   * One poll: recently played after the stored cursor, converted, merged into the history (no
   * duplicates: same track, same minute), then cursor and outcome stored. Errors are recorded on
   * the state and rethrown. Concurrent calls for one user in this process share one poll.
   */
  captureUser(userId: string, opts: { nextRunAt?: number } = {}): Promise<CaptureResult> {
    let pending = this.inFlight.get(userId);
    if (!pending) {
      pending = this.poll(userId, opts).finally(() => this.inFlight.delete(userId));
      this.inFlight.set(userId, pending);
    }
    return pending;
  }

  private async poll(userId: string, opts: { nextRunAt?: number }): Promise<CaptureResult> {
    const scheduled = opts.nextRunAt !== undefined;
    let state = await this.d.repo.get(userId);
    if (!state && !scheduled) {
      await this.ensureEnrolled(userId);
      state = await this.d.repo.get(userId);
    }
    if (!state?.enabled) {
      // A stale index entry (capture turned off, or the account deleted, in a race with the index).
      if (scheduled) await this.d.repo.removeFromIndex(userId);
      return { fetched: 0, added: 0, cursor: state?.cursor ?? null };
    }
    const startedAt = this.now();
    // Nothing written and the cursor kept: the next poll gets these plays.
    const defer = async (why: string): Promise<CaptureResult> => {
      this.logger.info({ userId }, `capture deferred: ${why}`);
      await this.d.repo.recordRun(userId, { last_run_at: startedAt, last_added: 0, last_error: null, next_run_at: scheduled ? startedAt + this.tickMs : undefined });
      return { fetched: 0, added: 0, cursor: state.cursor, deferred: true };
    };
    // Day items are read, merged and written back; an import writing the same days at the same
    // time could overwrite a capture's plays (or the reverse), so capture waits until it is done.
    // The cursor does not move, so the next poll still gets these plays.
    if (await this.d.importWriting(userId)) {
      return defer('an import is running');
    }
    this.counters.polls++;
    // Wall-clock start for the deletion checks (the tombstone holds wall-clock times; `now` may be a test clock).
    const wallStart = Date.now();
    const mayWrite = async () => {
      const cancelledAt = this.cancelled.peek(userId);
      if (cancelledAt !== undefined && wallStart <= cancelledAt) throw new CaptureCancelled();
      if (this.d.guard && !(await this.d.guard.mayWrite(userId, wallStart))) throw new CaptureCancelled();
      if (this.cancelled.peek(userId) !== cancelledAt) throw new CaptureCancelled();
    };
    try {
      const auth = this.d.userTokens.forUser(userId);
      const plays: Play[] = [];
      let cursor = state.cursor;
      let fetched = 0;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await this.d.spotify.recentlyPlayed({ limit: PAGE_LIMIT, after: cursor ?? undefined }, auth);
        const items = Array.isArray(answer?.items) ? answer.items : [];
        fetched += items.length;
        const before = cursor;
        for (const item of items) {
          const play = playFromRecent(item);
          if (!play) continue;
          plays.push(play);
          if (cursor === null || play.ts > cursor) cursor = play.ts;
        }
        // Without a cursor only the newest page is reachable; with one, follow `next` while it moves.
        if (before === null || !answer?.next || cursor === before) break;
      }
      const days = groupByDay(plays);
      await mayWrite();
      let added = 0;
      if (days.size) {
        // Only the holder of the person's writer lease rewrites day items (an import's merge pass
        // holds it throughout): held by someone else, this poll writes nothing and the cursor stays.
        const writer = this.d.history.writerLease(userId);
        const owner = `${this.owner}#${crypto.randomUUID()}`;
        if (!(await writer.acquire(owner, WRITER_LEASE_MS))) {
          return defer('the history is being written');
        }
        try {
          ({ added } = await mergeDays(this.d.history, userId, days));
          if (added > 0) {
            await mayWrite();
            await this.d.history.bumpVersion(userId);
          }
        } finally {
          await writer.release(owner).catch((err: unknown) => this.logger.warn({ err, userId }, 'could not release the history writer lease'));
        }
        if (added > 0) this.d.onHistoryChanged(userId);
      }
      await this.d.repo.recordRun(userId, { cursor, last_run_at: startedAt, last_added: added, last_error: null, next_run_at: opts.nextRunAt });
      this.logger.info({ userId, fetched, added }, 'captured recently played');
      return { fetched, added, cursor };
    } catch (err) {
      if (err instanceof CaptureCancelled) {
        this.logger.info({ userId }, 'capture stopped: the account is being deleted');
        return { fetched: 0, added: 0, cursor: state.cursor };
      }
      this.counters.errors++;
      const message = err instanceof ReauthRequired
        ? 'Spotify no longer accepts your login (revoked or expired). Log in again to resume capture.'
        : err instanceof AppError ? err.message : 'Internal error while capturing; it has been logged.';
      this.logger[err instanceof AppError ? 'warn' : 'error']({ err, userId }, 'live capture failed');
      await this.d.repo
        .recordRun(userId, { last_run_at: startedAt, last_added: 0, last_error: message, next_run_at: opts.nextRunAt })
        .catch((e: unknown) => this.logger.error({ err: e, userId }, 'could not record the capture error'));
      throw err;
    }
  }

  // ---- scheduler ----

  /** Starts ticking (first tick at once), logging to `logger` if given. Idempotent. */
  start(opts: { logger?: Logger } = {}): void {
    if (opts.logger) this.logger = opts.logger.child({ component: 'live-capture' });
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    void this.tick();
    this.logger.info({ owner: this.owner, intervalMs: this.intervalMs, tickMs: this.tickMs }, 'live capture scheduler started');
  }

  /** Stops ticking, waits briefly for polls in flight, and hands the lease on. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(timer);
    }
    if (this.holding) {
      this.holding = false;
      await this.d.repo.releaseLease(this.owner).catch((err: unknown) => this.logger.warn({ err }, 'could not release the capture lease'));
    }
  }

  /** One scheduler tick; a tick still running is joined, not overlapped. Public for tests. */
  tick(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.running ??= this.runTick()
      .catch((err: unknown) => this.logger.error({ err }, 'live capture tick failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async runTick(): Promise<void> {
    this.counters.ticks++;
    const now = this.now();
    if (now < this.pausedUntil) return;
    this.holding = await this.d.repo.acquireLease(this.owner, this.leaseMs, now);
    if (!this.holding) return;
    this.counters.leaseTicks++;
    // Polls can outlast a lease (Retry-After waits): renew it while the tick runs.
    const heartbeat = setInterval(() => void this.renewLease(), Math.max(50, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    try {
      const due = await this.d.repo.dueUsers(now);
      await this.limiter.map(due, (u) => this.runScheduled(u));
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async renewLease(): Promise<void> {
    if (!this.holding || this.stopping) return;
    try {
      this.holding = await this.d.repo.acquireLease(this.owner, this.leaseMs, this.now());
      if (!this.holding) this.logger.warn({ owner: this.owner }, 'lost the live capture lease');
    } catch (err) {
      this.logger.warn({ err }, 'could not renew the live capture lease');
    }
  }

  private async runScheduled(u: DueUser): Promise<void> {
    if (this.stopping || !this.holding || this.now() < this.pausedUntil) return;
    try {
      const next = nextSlot(u.nextRunAt, this.intervalMs, this.now());
      if (!(await this.d.repo.claimRun(u.userId, u.nextRunAt, next))) return;
      try {
        await this.captureUser(u.userId, { nextRunAt: next });
      } catch (err) {
        if (err instanceof RateLimited) {
          // Spotify asked for a longer pause than one call waits out: pause every poll here, and
          // move this user's slot past it (the plays are still there: the cursor did not move).
          const until = this.now() + err.retryAfterSeconds * 1000;
          this.pausedUntil = Math.max(this.pausedUntil, until);
          await this.d.repo.postpone(u.userId, Math.max(next, until));
        }
        // Anything else (a revoked login, Spotify down) is recorded on the user; the others go on.
      }
    } catch (err) {
      this.logger.error({ err, userId: u.userId }, 'live capture run failed');
    }
  }
}
