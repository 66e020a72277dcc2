// How the cartridge format's failures become SSC sense (SSC-4 4.2.x error conditions).
import type { Logger } from '../../log.js';
import { MediaFormatError, MediaWriteError, MediumFullError, StorageFullError, WormViolationError } from '../../media/tape-medium.js';
import { SenseError, senseOf } from '../sense.js';

export interface MediumErrorContext {
  /** INFORMATION for the command (a residue); when absent a MediaFormatError reports its object number. */
  readonly residue?: number;
  readonly log: Logger;
  readonly drive: string;
  /** Called for errors a TapeAlert flag or an error counter must record. */
  readonly onError?: (kind: 'read' | 'write') => void;
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
  if (err instanceof StorageFullError) {
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
    if (err.lostAcknowledged > 0) {
      // Buffered mode: earlier WRITEs got GOOD for records that never reached the medium. That is a deferred error
      // (response code 71h); INFORMATION counts the buffered objects not written.
      return new SenseError({ ...senseOf('WRITE_ERROR', { information: err.lostAcknowledged }), deferred: true });
    }
    return new SenseError(senseOf('WRITE_ERROR', withResidue));
  }
  throw err;
}
