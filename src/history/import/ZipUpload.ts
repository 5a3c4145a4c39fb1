import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ImportFailure } from './ImportFailure';
import { checkEntryCount, checkEntryRatio, checkZipTotal, type ImportLimits } from './zipSafety';

/** Said of a password-protected zip: the person can fix it, so it says how. */
export const ENCRYPTED_ZIP = 'This zip is password-protected, so it cannot be read. Export (or zip) it again without a password and upload that.';

/** The first four bytes of every zip (a local file header). */
export const ZIP_MAGIC = 0x04034b50;

/** An uploaded zip with its directory read (no entry unpacked yet). */
export interface ZipUpload {
  entries: yauzl.Entry[];
  byName: Map<string, yauzl.Entry>;
  open(entry: yauzl.Entry): Promise<Readable>;
  close(): void;
}

/**
 * Opens a zip and reads its directory, refusing it before any entry is unpacked when it has too
 * many entries, is password-protected, or any entry (whatever its size) or all of them together
 * expand beyond the ratio. yauzl checks while unpacking that no entry holds more than it declared.
 */
export async function openZip(file: string, limits: ImportLimits): Promise<ZipUpload> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z!))),
  );
  const entries: yauzl.Entry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.push(e);
        try {
          checkEntryCount(entries.length, limits);
          if (e.isEncrypted()) throw new ImportFailure(ENCRYPTED_ZIP);
          checkEntryRatio(e, limits);
        } catch (err) {
          return reject(err);
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      // yauzl itself refuses entry names with "..", absolute paths or backslashes.
      zip.on('error', (err: Error) =>
        reject(/relative path|absolute path|invalid characters/i.test(err.message) ? new ImportFailure(`The zip contains an unsafe path (${err.message}); it was rejected.`) : err),
      );
      zip.readEntry();
    });
    checkZipTotal(entries, (await fs.promises.stat(file)).size, limits);
  } catch (err) {
    zip.close();
    throw err;
  }
  return {
    entries,
    byName: new Map(entries.map((e) => [e.fileName, e])),
    open: (e) => new Promise<Readable>((resolve, reject) => zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(checkedStream(e, s!))))),
    close: () => zip.close(),
  };
}

/** The entry's bytes, with an entry that holds more or other bytes than its directory says reported as the file's fault. */
function checkedStream(e: yauzl.Entry, raw: Readable): Readable {
  const out = new PassThrough();
  raw.on('error', (err: Error) =>
    out.destroy(/too many bytes|too few bytes|invalid|incorrect|unexpected end/i.test(err.message) ? new ImportFailure(`${e.fileName} in the zip is damaged (${err.message}); download the export again.`) : err),
  );
  // A reader that stops early (a failed job) stops the unpacking too.
  out.on('close', () => raw.destroy());
  raw.pipe(out);
  return out;
}
