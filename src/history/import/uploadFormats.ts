import fs from 'node:fs';
import { isBackup, readBackup } from './backupSource';
import type { UploadContents } from './HistorySource';
import { readExportFile, readExportZip } from './spotifyExportSource';
import { openZip, ZIP_MAGIC, type ZipUpload } from './ZipUpload';
import type { ImportLimits } from './zipSafety';

/** A kind of zip the importer reads. */
export interface UploadFormat {
  name: string;
  /** Whether this format reads the zip, judged from its entry names. */
  claims(zip: ZipUpload): boolean;
  /** `scratch`: a path prefix for files reading needs (a nested zip), removed by the contents' close. */
  read(zip: ZipUpload, limits: ImportLimits, scratch: string): Promise<UploadContents> | UploadContents;
}

/**
 * The formats an upload may be in, asked in order; the first that claims a zip reads it. The
 * app's own backup goes first: its manifest says what it is. Spotify's export takes the rest.
 */
export const UPLOAD_FORMATS: readonly UploadFormat[] = [
  { name: 'backup', claims: isBackup, read: readBackup },
  { name: 'spotify-export', claims: () => true, read: readExportZip },
];

/** An upload's contents, and what to close when the job is done with them. */
export type OpenUpload = UploadContents & { close(): void };

/** Reads an upload (a zip in any of UPLOAD_FORMATS, or a plain export file) up to its sources. */
export async function readUpload(file: { path: string; originalName: string }, limits: ImportLimits): Promise<OpenUpload> {
  const head = Buffer.alloc(4);
  const fd = await fs.promises.open(file.path, 'r');
  try {
    await fd.read(head, 0, 4, 0);
  } finally {
    await fd.close();
  }
  if (head.readUInt32LE(0) !== ZIP_MAGIC) return { ...(await readExportFile(file, limits)), close: () => undefined };
  const zip = await openZip(file.path, limits);
  try {
    const format = UPLOAD_FORMATS.find((f) => f.claims(zip))!;
    const contents = await format.read(zip, limits, file.path);
    return {
      ...contents,
      close: () => {
        contents.close?.();
        zip.close();
      },
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}
