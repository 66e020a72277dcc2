// What a tape drive asks the library before it lets a host change a cartridge (issue 14, docs/SECURITY.md): the
// cartridge's retention lock, whether the initiator is a read-only one, and where to record what it did or refused.
// main.ts builds one per library with libraryDriveProtection(); the drive never reaches into the catalog itself.
import type { LibraryConfig } from '../config/schema.js';
import type { AuditRecord } from './audit-entry.js';
import { isReadOnlyInitiator } from './initiator-access.js';
import type { RetentionBook } from './retention-book.js';
import type { RetentionLock, RetentionStatus } from './retention.js';

export interface DriveProtection {
  /** The lock on `barcode` now (pure: reads the catalog). */
  retentionOf(barcode: string): RetentionStatus;
  /** Data was written to `barcode` at `at`: starts first-write and last-write policies. */
  noteWrite(barcode: string, at: Date): void;
  /**
   * At load: the lock the cartridge carries in its own metadata (undefined: none). Returns the lock to keep from now
   * on, the stricter of it and the catalog's, which the drive writes back to the cartridge when it differs.
   */
  adoptFromMedium(barcode: string, fromMedium: RetentionLock | undefined): RetentionLock | undefined;
  /** The current lock in the catalog, to copy onto the cartridge before it leaves the drive. */
  lockOf(barcode: string): RetentionLock | undefined;
  /** The library's access list marks this initiator (iSCSI name) read-only. */
  isReadOnlyInitiator(initiatorName: string): boolean;
  /** Append to the audit log; resolves once on disk, rejects when the log is unusable. */
  record(record: AuditRecord): Promise<unknown>;
  now(): Date;
}

/** Protection for one library's drives, over the catalog's retention book and the one audit log. */
export function libraryDriveProtection(
  retention: RetentionBook,
  library: Pick<LibraryConfig, 'access'>,
  audit: { record(record: AuditRecord): Promise<unknown> },
  now: () => Date = () => new Date(),
): DriveProtection {
  return {
    retentionOf: (barcode) => retention.retentionOf(barcode, now()),
    noteWrite: (barcode, at) => retention.noteWrite(barcode, at),
    adoptFromMedium: (barcode, fromMedium) => (fromMedium === undefined ? retention.lockOf(barcode) : retention.adoptFromMedium(barcode, fromMedium)),
    lockOf: (barcode) => retention.lockOf(barcode),
    isReadOnlyInitiator: (name) => isReadOnlyInitiator(library, name),
    record: (record) => audit.record(record),
    now,
  };
}

/** No protection: every change allowed, nothing recorded (drives built without a library, in tests and tools). */
export const UNPROTECTED: DriveProtection = {
  retentionOf: () => ({ locked: false, mode: null, until: null }),
  noteWrite: () => undefined,
  adoptFromMedium: () => undefined,
  lockOf: () => undefined,
  isReadOnlyInitiator: () => false,
  record: () => Promise.resolve(),
  now: () => new Date(),
};
