// FORMAT.md "Write errors": how a failure of the data file travels from the writer to the medium, which rolls the
// record log back (record-log.ts) and reports what was lost.
import { StorageError } from '../storage/storage.js';
import { isNoSpaceCode, MediaWriteError, StorageFullError } from './media-errors.js';

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

/**
 * The error that reports `fault` on cartridge `name`: end of data is now `endOfData`, and `lostAcknowledged` objects
 * the medium had acknowledged are gone. Out of space with nothing acknowledged lost, the running write is refused
 * whole, as a drive that cannot write (FORMAT.md "Disk full").
 */
export function writeErrorOf(fault: WriteFault, name: string, endOfData: number, lostAcknowledged: number): MediaWriteError {
  const cause = fault instanceof WriteFailure ? fault.error : fault;
  const code = cause instanceof StorageError ? cause.code : undefined;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = `Cannot write to cartridge ${name}: ${reason}; end of data is now object ${endOfData}`;
  if (isNoSpaceCode(code) && lostAcknowledged === 0) return new StorageFullError(message, code, endOfData);
  return new MediaWriteError(lostAcknowledged > 0 ? `${message} (${lostAcknowledged} acknowledged object(s) lost)` : message, code, endOfData, lostAcknowledged);
}
