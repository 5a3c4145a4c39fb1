import { formatOf, type HistoryFormat } from './exportFormats';
import { ImportFailure } from './ImportFailure';

/**
 * Which entries of an uploaded zip are read, and whether the zip is refused: pure checks on the
 * entries' names and sizes, made before a byte of any entry is unpacked.
 */
export interface ImportLimits {
  /** Largest uncompressed history file accepted (each zip entry or a plain JSON upload). */
  maxEntryBytes: number;
  /** Largest total of uncompressed history files in one zip. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry: beyond it a zip is a bomb, not an export. */
  maxRatio: number;
  maxEntries: number;
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxEntryBytes: 300 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 2000,
};

/**
 * Below this many bytes unpacked an entry is harmless whatever its ratio (a 300-byte JSON compresses
 * to 30 bytes). Above it the ratio decides, however small the zip: a 10 KB zip holding 10 MiB is a bomb.
 */
const RATIO_MIN_BYTES = 2 ** 20;

/** What the central directory says about an entry. */
export interface ZipEntryInfo {
  fileName: string;
  compressedSize: number;
  uncompressedSize: number;
}

/** Refuses a zip with more entries than the limit (checked while the directory is read, too). */
export function checkEntryCount(count: number, limits: ImportLimits): void {
  if (count > limits.maxEntries) throw new ImportFailure(`The zip has more than ${limits.maxEntries} entries.`);
}

/** Path tricks: absolute paths, drive letters, parent directories, backslashes. */
export function isUnsafePath(name: string): boolean {
  return name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split(/[\\/]/).includes('..');
}

/** A macOS "Compress" AppleDouble resource fork (`__MACOSX/...`, `._name`): never a file of the export. */
export function isAppleDouble(name: string): boolean {
  return name.startsWith('__MACOSX/') || (name.split('/').pop() ?? '').startsWith('._');
}

/** Refuses a bomb: an entry that expands beyond the ratio (any entry of the zip, read or not). */
export function checkEntryRatio(e: ZipEntryInfo, limits: ImportLimits): void {
  if (e.uncompressedSize > RATIO_MIN_BYTES && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
    throw new ImportFailure(`${e.fileName} expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}× when unpacked: rejected as a zip bomb.`);
  }
}

/** Refuses an entry too large uncompressed, or a bomb (expands beyond the ratio). */
export function checkEntrySize(e: ZipEntryInfo, limits: ImportLimits): void {
  if (e.uncompressedSize > limits.maxEntryBytes) throw new ImportFailure(`${e.fileName} is larger than ${limits.maxEntryBytes / 2 ** 20} MB uncompressed.`);
  checkEntryRatio(e, limits);
}

/**
 * Refuses a zip whose entries together unpack to more than the ratio allows of the zip's own size
 * (many small entries, or entries overlapping the same compressed bytes, each harmless alone).
 */
export function checkZipTotal(entries: ZipEntryInfo[], zipBytes: number, limits: ImportLimits): void {
  const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > RATIO_MIN_BYTES && total > limits.maxRatio * Math.max(1, zipBytes)) {
    throw new ImportFailure(`The zip's files expand ${Math.round(total / Math.max(1, zipBytes))}× when unpacked: rejected as a zip bomb.`);
  }
}

/**
 * The files of a Spotify export zip that may be history, sorted by name (numbers in order): every
 * .json (its content decides: sniffFormat), with the format its name suggests (null: none); folders,
 * other files and macOS "._" resource forks under __MACOSX are not. Throws an ImportFailure for an
 * unsafe path, an entry or total too large, or a bomb.
 */
export function historyEntries<E extends ZipEntryInfo>(entries: E[], limits: ImportLimits): { entry: E; format: HistoryFormat | null }[] {
  checkEntryCount(entries.length, limits);
  const out: { entry: E; format: HistoryFormat | null }[] = [];
  let total = 0;
  for (const e of entries) {
    const name = e.fileName;
    if (isUnsafePath(name)) throw new ImportFailure(`The zip contains an unsafe path (${JSON.stringify(name.slice(0, 100))}); it was rejected.`);
    if (name.endsWith('/') || isAppleDouble(name) || !/\.json$/i.test(name)) continue;
    checkEntrySize(e, limits);
    total += e.uncompressedSize;
    if (total > limits.maxTotalBytes) throw new ImportFailure(`The history files add up to more than ${limits.maxTotalBytes / 2 ** 30} GB uncompressed.`);
    out.push({ entry: e, format: formatOf(name) });
  }
  return out.sort((a, b) => a.entry.fileName.localeCompare(b.entry.fileName, 'en', { numeric: true }));
}
