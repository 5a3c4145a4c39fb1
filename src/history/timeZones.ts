const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

/** Minutes to add to UTC to get wall-clock time in `tz` at instant `ts`. */
export function offsetMinutes(tz: string, ts: number): number {
  if (tz === 'UTC') return 0;
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ts))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wall - Math.floor(ts / 1000) * 1000) / 60_000);
}

/**
 * Offsets for many instants, fast: Intl is asked twice per UTC day (start and end), and per hour
 * only on the few days when the offset changes (DST), with every answer cached.
 */
export class OffsetTable {
  private readonly byDay = new Map<number, number | number[]>();

  constructor(readonly tz: string) {}

  /** Offset in ms for instant ts. */
  at(ts: number): number {
    const day = Math.floor(ts / DAY_MS);
    let entry = this.byDay.get(day);
    if (entry === undefined) {
      const start = offsetMinutes(this.tz, day * DAY_MS);
      const end = offsetMinutes(this.tz, day * DAY_MS + DAY_MS - 1000);
      entry = start === end ? start : Array.from({ length: 24 }, (_, h) => offsetMinutes(this.tz, day * DAY_MS + h * 3_600_000));
      this.byDay.set(day, entry);
    }
    const minutes = typeof entry === 'number' ? entry : entry[Math.floor((ts - day * DAY_MS) / 3_600_000)];
    return minutes * 60_000;
  }

  /** The UTC instant at which local date `date` (YYYY-MM-DD) begins in this zone. */
  startOfLocalDay(date: string): number {
    const wallMidnight = Date.parse(`${date}T00:00:00Z`);
    // Two rounds settle the offset even on days when it changes.
    let ts = wallMidnight - this.at(wallMidnight);
    ts = wallMidnight - this.at(ts);
    return ts;
  }
}
