import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ImportFailure } from './ImportFailure';
import { checkEntryCount, type ImportLimits } from './zipSafety';

/** The first four bytes of every zip (a local file header). */
export const ZIP_MAGIC = 0x04034b50;

/** An uploaded zip with its directory read (no entry unpacked yet). */
export interface ZipUpload {
  entries: yauzl.Entry[];
  byName: Map<string, yauzl.Entry>;
  open(entry: yauzl.Entry): Promise<Readable>;
  close(): void;
}

/** Opens a zip and reads its directory, refusing it early when it has too many entries. */
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
  } catch (err) {
    zip.close();
    throw err;
  }
  return {
    entries,
    byName: new Map(entries.map((e) => [e.fileName, e])),
    open: (e) => {
      // A password-protected zip: Spotify's exports never are, so the person re-packed it with a password.
      if (e.isEncrypted()) {
        return Promise.reject(new ImportFailure(`${e.fileName} in the zip is password-protected; we cannot read encrypted zips. Upload the zip Spotify sent, or re-pack it without a password.`));
      }
      return new Promise<Readable>((resolve, reject) => zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s!))));
    },
    close: () => zip.close(),
  };
}
