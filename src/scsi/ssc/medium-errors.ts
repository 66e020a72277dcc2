// How the cartridge format's failures become SSC sense (SSC-4 4.2.x error conditions).
import type { Logger } from '../../log.js';
import { MediaFormatError, MediaWriteError, MediumFullError, StorageFullError, WormViolationError } from '../../media/media-errors.js';
import { SenseError, senseOf } from '../sense.js';

export interface MediumErrorContext {
  /** INFORMATION for the command (a residue); when absent a MediaFormatError reports its object number. */
  readonly residue?: number;
  readonly log: Logger;
  readonly drive: string;
  /** Called for errors a TapeAlert flag or an error counter must record. */
  readonly onError?: (kind: 'read' | 'write') => void;
  /** The write command that failed (WRITE, WRITE FILEMARKS): what a MediaWriteError lost is measured against it. */
  readonly command?: WriteCommandSpan;
}

/** A write command as the drive answers it: where its objects start, and its residue when only some are kept. */
export interface WriteCommandSpan {
  /** The position when the command began: the objects before it were acknowledged by earlier commands. */
  readonly firstObject: number;
  /** INFORMATION of the command's own error when its first `written` objects are still on the medium (or in its buffer). */
  residueAfter(written: number): number;
}

/** Map a media-layer error to a SenseError; anything unknown is rethrown (the dispatcher logs it as 44/00). */
export function mediumErrorToSense(err: unknown, ctx: MediumErrorContext): SenseError {
  if (err instanceof SenseError) return err;
  const withResidue = ctx.residue === undefined ? {} : { information: ctx.residue };
  if (err instanceof MediaFormatError) {
    ctx.onError?.('read');
    ctx.log.warn({ drive: ctx.drive, objectNumber: err.objectNumber, err: err.message }, 'unreadable record');
    // READ reports its residue in INFORMATION (SSC-4 READ); the failing object goes to COMMAND-SPECIFIC so it is
    // never lost. Without a residue, INFORMATION is the object number.
    return ctx.residue === undefined
      ? new SenseError(senseOf('UNRECOVERED_READ_ERROR', { information: err.objectNumber }))
      : new SenseError(senseOf('UNRECOVERED_READ_ERROR', { information: ctx.residue, commandSpecific: err.objectNumber }));
  }
  if (err instanceof MediumFullError) {
    return new SenseError(senseOf('VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM_DETECTED', { eom: true, ...withResidue }));
  }
  if (err instanceof WormViolationError) {
    return new SenseError(senseOf('WORM_MEDIUM_OVERWRITE_ATTEMPTED'));
  }
  // A write command whose own objects were kept (its flush failed after them) was not refused: a MEDIUM ERROR below.
  if (err instanceof StorageFullError && (ctx.command === undefined || err.endOfData <= ctx.command.firstObject)) {
    // The storage under the cartridge is full and nothing was acknowledged: the drive refuses to write, as a
    // thin-provisioned device that cannot allocate space does (FORMAT.md "Disk full"): SPACE ALLOCATION FAILED
    // WRITE PROTECT (27h/07h).
    ctx.onError?.('write');
    ctx.log.warn({ drive: ctx.drive, code: err.code }, 'write refused: the storage is full');
    return new SenseError(senseOf('SPACE_ALLOCATION_FAILED_WRITE_PROTECT'));
  }
  if (err instanceof MediaWriteError) {
    ctx.onError?.('write');
    ctx.log.error({ drive: ctx.drive, code: err.code, err: err.message }, 'write to the cartridge failed');
    // Only objects of earlier commands were acknowledged to the host: the medium also counts the blocks a running
    // fixed WRITE had already handed it, or the filemarks a WRITE FILEMARKS wrote before its flush failed.
    const command = ctx.command;
    const lostEarlier = command === undefined ? err.lostAcknowledged : Math.max(0, command.firstObject - err.endOfData);
    if (lostEarlier > 0) {
      // Buffered mode: earlier WRITEs got GOOD for records that never reached the medium. That is a deferred error
      // (response code 71h) and the current command was not performed; INFORMATION counts the objects lost.
      return new SenseError({ ...senseOf('WRITE_ERROR', { information: lostEarlier }), deferred: true });
    }
    if (command === undefined) return new SenseError(senseOf('WRITE_ERROR', withResidue));
    return new SenseError(senseOf('WRITE_ERROR', { information: command.residueAfter(Math.max(0, err.endOfData - command.firstObject)) }));
  }
  throw err;
}
