// Copy jobs survive restarts: the whole list is one JSON file in the data folder, replaced atomically (write, fsync,
// rename) after every change of state and at every checkpoint. A job that was running when the process died is
// found `running` at start-up and resumes from its last checkpoint.
import type { LocalStorage } from '../storage/local-storage.js';
import { SerialQueue } from '../serial-queue.js';

export type CopyJobState = 'waiting' | 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/** The states of a job that is not over. */
export const ACTIVE: readonly CopyJobState[] = ['waiting', 'queued', 'running', 'paused'];

/**
 * What made the job: an export to a mail slot, `vtl copy start`, the idle copier (whose jobs pause for hosts), or
 * `vtl copy import` (the other way: the physical cartridge of `physicalLibrary` into a new virtual one).
 */
export type CopyTrigger = 'export' | 'operator' | 'idle' | 'import';

export interface CopyJob {
  readonly id: string;
  readonly barcode: string;
  /** The virtual library it was exported from. */
  readonly library: string;
  /** The physical library chosen (once a cartridge with the barcode was found). */
  physicalLibrary?: string;
  /** Absent in jobs saved before idle copies existed: those were exports or operator copies. */
  readonly trigger?: CopyTrigger;
  /** The virtual cartridge's last host write when the copy started (null: never written); an idle copy is due when it changes. */
  sourceLastWriteAt?: string | null;
  state: CopyJobState;
  /** Release the disk copy once this copy is verified (copy.release, or asked for with the job). */
  readonly release?: boolean;
  /** When the disk copy was released after this job (the cartridge is a stub since). */
  releasedAt?: string;
  phase: 'copy' | 'verify';
  /** Why it waits, or why it failed (the device's sense in words). */
  reason?: string;
  attempts: number;
  totalBytes: number;
  totalObjects: number;
  /**
   * Checkpoint: objects and bytes the physical drive wrote to tape (flushed by WRITE FILEMARKS 0), where a resume
   * starts. Only these are saved: what the drive acknowledged since may still be in its buffer, and a resume from
   * there after a crash would find the tape short and copy again from the beginning. An import counts as it reads
   * (it starts from BOP every run).
   */
  objectsCopied: number;
  bytesCopied: number;
  objectsVerified: number;
  /** The checkpoint the last run of the copy phase started from (0: from the beginning). */
  resumedFromObjects?: number;
  bytesVerified: number;
  readonly createdAt: string;
  updatedAt: string;
  startedAt?: string;
  /** When the copy phase of the last run ended (verify begins). */
  copiedAt?: string;
  finishedAt?: string;
  /** Not persisted: bytes per second of the current run, for the views. */
  rateBytesPerSecond?: number;
  /** Not persisted: what the drive acknowledged so far in the running copy phase (flushed or not), for the views. */
  liveCopied?: CopyProgress;
}

/** Objects and bytes from BOP. */
export interface CopyProgress {
  readonly objects: number;
  readonly bytes: number;
}

const FILE = 'copy-jobs.json';

export class CopyJobStore {
  private readonly writes = new SerialQueue();

  constructor(private readonly storage: Pick<LocalStorage, 'readFile' | 'writeFileAtomic'>) {}

  async load(): Promise<CopyJob[]> {
    const bytes = await this.storage.readFile(FILE);
    if (!bytes) return [];
    const parsed = JSON.parse(bytes.toString('utf8')) as { jobs?: CopyJob[] };
    return Array.isArray(parsed.jobs) ? parsed.jobs : [];
  }

  /** Saves a snapshot of `jobs`; saves run one at a time in call order, so the last call's state wins. */
  save(jobs: readonly CopyJob[]): Promise<void> {
    const text = JSON.stringify({ version: 1, jobs: jobs.map(({ rateBytesPerSecond: _r, liveCopied: _l, ...j }) => j) }, null, 1);
    return this.writes.run(() => this.storage.writeFileAtomic(FILE, Buffer.from(text, 'utf8')));
  }
}
