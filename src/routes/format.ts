/** Formatting helpers for views (available as `fmt` in every template). */
export const fmt = {
  duration(ms: number | null | undefined): string {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
    const total = Math.round(ms / 1000);
    const m = Math.floor(total / 60);
    const s = String(total % 60).padStart(2, '0');
    return `${m}:${s}`;
  },
  hours(ms: number): string {
    const h = ms / 3_600_000;
    return h >= 10 ? `${Math.round(h).toLocaleString('en-US')} h` : `${h.toFixed(1)} h`;
  },
  number(n: number | null | undefined): string {
    return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : 'not available';
  },
  /** An ISO timestamp as a readable UTC date and time. */
  datetime(iso: string | null | undefined): string {
    if (!iso) return 'never';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  },
  year(date: string | null | undefined): string {
    return date ? date.slice(0, 4) : '';
  },
};
