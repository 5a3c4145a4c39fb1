import type { BackupExtras } from '../backupFormat';
import type { BackupOrigin } from '../../store/HistoryRepository';
import type { Play } from '../play';
import type { HistoryFormat } from './exportFormats';

/** One file of an upload that holds plays, whatever its format. */
export interface HistorySource {
  /** The file's name, as the job's file list and error messages show it. */
  name: string;
  /** Its plays, validated, a batch at a time; errors are ImportFailures naming the file and the entry. `onBytes` hears the bytes read so far (for progress). */
  plays(onBytes?: (bytesRead: number) => void): AsyncGenerator<Play[]>;
  /** Its format (exportFormats.ts, or 'backup'); null when only its first entry will tell. */
  format: HistoryFormat | 'backup' | null;
  /** How many bytes plays() reads, when known (for progress). */
  bytes?: number;
  /** Set for a plain export file on disk, which may be parsed in two halves at once (parallelSpool). */
  splittable?: { path: string; format: HistoryFormat | null };
}

/** A file of an upload that is not read, and why (listed on the job). */
export interface SkippedFile {
  name: string;
  reason: string;
}

/** What an upload holds, read and checked before anything is written. */
export interface UploadContents {
  sources: HistorySource[];
  skipped: SkippedFile[];
  /** Releases what reading needed besides the upload itself (a nested zip unpacked). */
  close?(): void;
  /** Whose backup this is (a backup's manifest); absent for Spotify's exports. */
  origin?: BackupOrigin;
  /** A backup's settings and snapshots (validated), written after its plays. */
  extras: BackupExtras | null;
}
