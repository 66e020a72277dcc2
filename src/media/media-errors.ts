// The errors of the media layer, by what the host is told: each class is one answer of the SSC command set
// (scsi/ssc/medium-errors.ts maps them to sense). They carry what the drive needs to count what was lost.
/** Thrown for an unreadable record (CRC mismatch, torn record not at the tail). SSC answers MEDIUM ERROR 11/00. */
export class MediaFormatError extends Error {
  constructor(
    message: string,
    readonly objectNumber: number,
  ) {
    super(message);
    this.name = 'MediaFormatError';
  }
}

/** The write would pass the physical end of the medium; nothing of it was written. SSC answers VOLUME OVERFLOW. */
export class MediumFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediumFullError';
  }
}

/**
 * The write could not be stored (disk full, I/O error). The medium stays consistent up to its last good record;
 * writing may resume once the cause is fixed. SSC answers MEDIUM ERROR / WRITE ERROR (or HARDWARE ERROR).
 */
export class MediaWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /**
     * End of data after the failure: every object before it is still on the medium (or in its buffer), none from it
     * on. The drive compares it with where its command began to tell what earlier commands lost (a deferred error)
     * from what the command itself did not write (its residue): only the drive knows which writes were answered.
     */
    readonly endOfData: number,
    /** Objects whose write() or writeFilemarks() had resolved (acknowledged by the medium) and that are lost with this failure. */
    readonly lostAcknowledged = 0,
  ) {
    super(message);
    this.name = 'MediaWriteError';
  }
}

/**
 * The storage under the cartridge has no space left (ENOSPC, EDQUOT) and this write was refused before it was
 * acknowledged: nothing of it was kept and nothing acknowledged was lost by it. Until a write reaches the storage
 * again, every write is tried on the storage before it is answered (FORMAT.md "Disk full"). SSC answers DATA PROTECT
 * (a thin-provisioned medium that cannot allocate space).
 */
export class StorageFullError extends MediaWriteError {
  constructor(message: string, code: string | undefined, endOfData: number) {
    super(message, code, endOfData, 0);
    this.name = 'StorageFullError';
  }
}

/** The system error codes that mean "no space left" (the disk, or the user's quota). */
export function isNoSpaceCode(code: string | undefined): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * The cartridge cannot be formatted into partitions: its store keeps one record stream per cartridge (a
 * deduplicated cartridge, an object store). SSC answers ILLEGAL REQUEST (docs/CONFORMANCE.md "Partitions").
 */
export class PartitionsUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartitionsUnsupportedError';
  }
}

/** The medium refuses a write for WORM rules (overwrite of written data). SSC answers DATA PROTECT 30/0C. */
export class WormViolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WormViolationError';
  }
}
