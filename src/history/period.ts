import { offsetMinutes } from './timeZones';

/** A period of history as the picker offers it (the URL keeps it: ?period=30d, 2024, 2024-05, or ?from=&to=). */
export const PERIOD_CHOICE = /^(?:7d|30d|90d|this_year|last_year|all|\d{4}|\d{4}-(?:0[1-9]|1[0-2]))$/;

export interface ResolvedPeriod {
  /** What the picker shows as chosen: a preset, a year, a month, or "custom". */
  choice: string;
  label: string;
  /** Local dates, inclusive; null: open. */
  from: string | null;
  to: string | null;
  /** The period just before, of the same length (the year, month or number of days before); null for all time. */
  previous: { from: string; to: string } | null;
}

const DAY_MS = 86_400_000;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
const lastOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10); // m: 1-12

/** The same date a year earlier (28 February for the 29th). */
const sameDayYearBefore = (date: string) => `${Number(date.slice(0, 4)) - 1}${date.slice(4) === '-02-29' ? '-02-28' : date.slice(4)}`;

/** Today's date in a time zone. */
export function todayIn(tz: string, now = Date.now()): string {
  return new Date(now + offsetMinutes(tz, now) * 60_000).toISOString().slice(0, 10);
}

/**
 * The dates of a period choice, relative to today (in the person's zone). Without a choice, from/to
 * (either may be missing) make a custom period; with neither, all time.
 */
export function resolvePeriod(q: { period?: string; from?: string; to?: string }, today: string): ResolvedPeriod {
  const year = Number(today.slice(0, 4));
  const p = q.period;
  const days = p && /^\d+d$/.exec(p) ? Number(p.slice(0, -1)) : 0;
  if (days) {
    const from = addDays(today, -(days - 1));
    return { choice: p!, label: `Last ${days} days`, from, to: today, previous: { from: addDays(from, -days), to: addDays(from, -1) } };
  }
  if (p === 'this_year') return { choice: p, label: 'This year', from: `${year}-01-01`, to: today, previous: { from: `${year - 1}-01-01`, to: sameDayYearBefore(today) } };
  if (p === 'last_year' || (p && /^\d{4}$/.test(p))) {
    const y = p === 'last_year' ? year - 1 : Number(p);
    return { choice: p, label: p === 'last_year' ? `Last year (${y})` : String(y), from: `${y}-01-01`, to: `${y}-12-31`, previous: { from: `${y - 1}-01-01`, to: `${y - 1}-12-31` } };
  }
  if (p && /^\d{4}-\d{2}$/.test(p)) {
    const y = Number(p.slice(0, 4));
    const m = Number(p.slice(5));
    const [py, pm] = m === 1 ? [y - 1, 12] : [y, m - 1];
    return {
      choice: p, label: `${MONTHS[m - 1]} ${y}`, from: `${p}-01`, to: lastOfMonth(y, m),
      previous: { from: `${py}-${String(pm).padStart(2, '0')}-01`, to: lastOfMonth(py, pm) },
    };
  }
  if (p === 'all' || (!q.from && !q.to)) return { choice: 'all', label: 'All time', from: null, to: null, previous: null };
  const from = q.from ?? null;
  const to = q.to ?? (from ? today : null);
  const len = from && to ? daysBetween(from, to) + 1 : 0;
  return {
    choice: 'custom',
    label: `${from ?? 'the start'} to ${to}`,
    from,
    to,
    previous: from && to && len > 0 ? { from: addDays(from, -len), to: addDays(from, -1) } : null,
  };
}
