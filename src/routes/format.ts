/**
 * Formatting helpers for views (available as `fmt` in every template). Dates and times use one
 * locale-aware format everywhere, in the person's time zone: `formatFor(locale, timeZone)` makes
 * the helpers of one request (app.ts sets it from Accept-Language and the stored zone); `fmt`
 * is the one for anonymous pages (English, UTC).
 */
export type Fmt = ReturnType<typeof formatFor>;

const cache = new Map<string, Intl.DateTimeFormat>();
function dtf(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, options);
    } catch {
      f = new Intl.DateTimeFormat('en', options);
    }
    if (cache.size < 500) cache.set(key, f);
  }
  return f;
}

/** A locale tag from Accept-Language that Intl knows, else English. */
export function supportedLocale(tag: string | undefined | null): string {
  if (!tag || tag === '*' || tag.length > 35) return 'en';
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag])[0] ?? 'en';
  } catch {
    return 'en';
  }
}

export function formatFor(locale = 'en', timeZone = 'UTC') {
  const zoneName = timeZone === 'UTC' ? 'UTC' : timeZone;
  return {
    locale,
    timeZone,
    duration(ms: number | null | undefined): string {
      if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
      const total = Math.round(ms / 1000);
      const m = Math.floor(total / 60);
      const s = String(total % 60).padStart(2, '0');
      return `${m}:${s}`;
    },
    hours(ms: number): string {
      const h = ms / 3_600_000;
      return h >= 10 ? `${Math.round(h).toLocaleString(locale)} h` : `${h.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} h`;
    },
    number(n: number | null | undefined): string {
      return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString(locale) : 'not available';
    },
    /** An instant (ISO timestamp) as a date and time in the person's zone, e.g. "2 Dec 2026, 19:30 (Europe/Berlin)". */
    datetime(iso: string | null | undefined): string {
      if (!iso) return 'never';
      const d = new Date(iso);
      if (Number.isNaN(d.getTime())) return iso;
      return `${dtf(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(d)} (${zoneName})`;
    },
    /** A calendar date (YYYY-MM-DD) or the local date of an instant (ISO timestamp), e.g. "2 Dec 2026". */
    date(value: string | null | undefined): string {
      if (!value) return '';
      const calendar = /^\d{4}-\d{2}-\d{2}$/.test(value);
      const d = new Date(calendar ? `${value}T12:00:00Z` : value);
      if (Number.isNaN(d.getTime())) return value;
      return dtf(locale, { timeZone: calendar ? 'UTC' : timeZone, dateStyle: 'medium' }).format(d);
    },
    /** A month (YYYY-MM), e.g. "May 2024". */
    month(value: string): string {
      const d = new Date(`${value}-15T12:00:00Z`);
      return Number.isNaN(d.getTime()) ? value : dtf(locale, { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(d);
    },
    year(date: string | null | undefined): string {
      return date ? date.slice(0, 4) : '';
    },
  };
}

export const fmt = formatFor();
