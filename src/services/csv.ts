import { FEATURE_NAMES } from '../features/FeatureProvider';
import type { ArtistView } from './ArtistService';

/**
 * Text a spreadsheet would run as a formula (OWASP, "CSV Injection"): a cell starting with one of
 * these is prefixed with a single quote, which spreadsheets show as text and do not evaluate.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made inert for spreadsheets; only text, so numbers such as a loudness of -5.2 stay numbers. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * RFC 4180 field: quoted when it holds a comma, quote, or line break; quotes doubled. Text (names
 * from Spotify or an upload) is neutralised first; numbers and booleans are written as they are.
 * The CSV files are for reading in spreadsheets only: the backup restore reads history.jsonl, so
 * the added quote never comes back as data.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : neutraliseFormula(Array.isArray(v) ? v.join('; ') : String(v));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const TRACK_CSV_COLUMNS = [
  'artist_id', 'artist_name', 'album_id', 'album_name', 'album_type', 'release_date', 'disc_number', 'track_number',
  'track_id', 'track_name', 'artists', 'duration_ms', 'explicit', 'popularity', ...FEATURE_NAMES,
] as const;

/** One row per track with its album, release date and every feature (empty cell = not available). */
export function tracksCsv(view: ArtistView): string {
  const lines = [TRACK_CSV_COLUMNS.join(',')];
  for (const t of view.tracks) {
    const row: unknown[] = [
      view.artist.id, view.artist.name, t.album_id, t.album_name, t.album_type, t.release_date, t.disc_number, t.track_number,
      t.id, t.name, t.artists, t.duration_ms, t.explicit, t.popularity, ...FEATURE_NAMES.map((f) => t[f]),
    ];
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
