// FORMAT.md "Write errors": how a failure of the data file travels from the writer to the medium, which rolls the
// record log back (record-log.ts) and reports what was lost.
import { StorageError } from '../storage/storage.js';

/** The first record a failed write dropped: it and every record after it are not on the medium. */
export interface LostRecords {
  readonly objectNumber: number;
  readonly offset: number;
}

/**
 * A write or a sync of the data file failed: `lost` names the first record dropped from the stream (for a failed
 * write, the first record it held; for a failed sync, the first record written since the last good sync).
 */
export class WriteFailure extends Error {
  constructor(
    readonly lost: LostRecords,
    readonly error: unknown,
  ) {
    super(`write failed: records from object ${lost.objectNumber} on are lost`);
    this.name = 'WriteFailure';
  }
}

/** A failure of the data file under a write, a cut or a sync: the log rolls back and the medium reports it. */
export type WriteFault = WriteFailure | StorageError;

export function isWriteFault(error: unknown): error is WriteFault {
  return error instanceof WriteFailure || error instanceof StorageError;
}

/** `error` as an Error (anything thrown that is not one is wrapped). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
