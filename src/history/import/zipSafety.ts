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
 * Below this (the per-element cap) an entry or a zip is harmless whatever its ratio: repetitive JSON
 * compresses very well, and a small file cannot hold much. Above it the ratio applies to every
 * entry and to the zip's total, so a 10 KB zip cannot unpack to 10 MiB (real exports expand ~10×).
 */
const BOMB_MIN_BYTES = 2 ** 20;

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

/** Refuses an entry too large uncompressed, or a bomb (expands beyond the ratio). */
export function checkEntrySize(e: ZipEntryInfo, limits: ImportLimits): void {
  const name = e.fileName;
  if (e.uncompressedSize > limits.maxEntryBytes) throw new ImportFailure(`${name} is larger than ${limits.maxEntryBytes / 2 ** 20} MB uncompressed.`);
  if (e.compressedSize > 0 && e.uncompressedSize / e.compressedSize > limits.maxRatio && e.uncompressedSize > BOMB_MIN_BYTES) {
    throw new ImportFailure(`${name} expands ${Math.round(e.uncompressedSize / e.compressedSize)}× when unpacked: rejected as a zip bomb.`);
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
  let packed = 0;
  for (const e of entries) {
    const name = e.fileName;
    if (isUnsafePath(name)) throw new ImportFailure(`The zip contains an unsafe path (${JSON.stringify(name.slice(0, 100))}); it was rejected.`);
    if (name.endsWith('/') || isAppleDouble(name) || !/\.json$/i.test(name)) continue;
    checkEntrySize(e, limits);
    total += e.uncompressedSize;
    if (total > limits.maxTotalBytes) throw new ImportFailure(`The history files add up to more than ${limits.maxTotalBytes / 2 ** 30} GB uncompressed.`);
    packed += e.compressedSize;
    if (total > BOMB_MIN_BYTES && total / Math.max(packed, 1) > limits.maxRatio) {
      throw new ImportFailure(`The history files expand ${Math.round(total / Math.max(packed, 1))}× when unpacked: rejected as a zip bomb.`);
    }
    out.push({ entry: e, format: formatOf(name) });
  }
  return out.sort((a, b) => a.entry.fileName.localeCompare(b.entry.fileName, 'en', { numeric: true }));
}
