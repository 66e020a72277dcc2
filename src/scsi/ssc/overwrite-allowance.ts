// SSC-4 ALLOW OVERWRITE's one-shot permission: in append-only mode, the next write-type command may write at the
// position it names though that is not end of data. Held by the drive, used by WRITE and WRITE FILEMARKS.
import type { TapeMedium } from '../../media/tape-medium.js';

interface Allowed {
  /** The cartridge it was given for: a permission never outlives its mount. */
  readonly medium: TapeMedium;
  /** The position a write may overwrite at, or 'format': the next FORMAT MEDIUM may run (ALLOW OVERWRITE 2h). */
  readonly objectNumber: number | 'format';
}

export class OverwriteAllowance {
  private allowed: Allowed | undefined;

  /** ALLOW OVERWRITE 1h (current position). */
  allowAt(medium: TapeMedium, objectNumber: number): void {
    this.allowed = { medium, objectNumber };
  }

  /** ALLOW OVERWRITE 2h (format). */
  allowFormat(medium: TapeMedium): void {
    this.allowed = { medium, objectNumber: 'format' };
  }

  /** Whether FORMAT MEDIUM may run in append-only mode; used up like take(). */
  takeFormat(medium: TapeMedium): boolean {
    const a = this.allowed;
    this.allowed = undefined;
    return a !== undefined && a.medium === medium && a.objectNumber === 'format';
  }

  /** ALLOW OVERWRITE 0h, a reset or an unload. */
  cancel(): void {
    this.allowed = undefined;
  }

  /**
   * Whether a write may overwrite at the medium's current position. Asking uses the permission up, granted or not:
   * it is for the next write-type command only, and a write elsewhere means the host has moved on.
   */
  take(medium: TapeMedium): boolean {
    const a = this.allowed;
    this.allowed = undefined;
    return a !== undefined && a.medium === medium && a.objectNumber === medium.position().objectNumber;
  }
}
