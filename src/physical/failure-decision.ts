// What becomes of a copy job whose run ended with an error: one table of precedence, kept apart from the engine so
// that every branch has its test. An operator's cancel wins over everything; a host loading the cartridge makes the
// copy start over; a stop keeps the job for the next start; a pause keeps its checkpoint; a missing cartridge or a
// busy library is waited out without counting an attempt; other errors count one, and only transient ones retry.
import { CopyCancelledError, CopyPausedError } from './cartridge-copier.js';
import { isTransientError } from './physical-device-error.js';
import { NoFreeDriveError, PhysicalCartridgeMissingError } from './physical-library.js';

export type FailureDecision =
  | { readonly kind: 'cancelled' }
  /** Progress is dropped: the job copies from the beginning once the cartridge is out of the drive. */
  | { readonly kind: 'start-over'; readonly reason: string }
  /** The engine is stopping: queued again, resumed from its checkpoint at the next start. */
  | { readonly kind: 'requeue' }
  | { readonly kind: 'paused'; readonly atObjects: number }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'retry'; readonly attempts: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly attempts: number; readonly reason: string };

export interface FailureContext {
  readonly barcode: string;
  /** Attempts counted before this one. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly cancelRequested: boolean;
  readonly interrupted: boolean;
}

export function decideAfterFailure(err: unknown, c: FailureContext): FailureDecision {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof CopyCancelledError) {
    if (c.cancelRequested) return { kind: 'cancelled' };
    if (c.interrupted) {
      return { kind: 'start-over', reason: `a host loaded the virtual cartridge ${c.barcode} during the copy: it is copied again from the beginning once it is out of the drive` };
    }
    return { kind: 'requeue' };
  }
  if (err instanceof CopyPausedError) return { kind: 'paused', atObjects: err.at.objects };
  if (err instanceof PhysicalCartridgeMissingError || err instanceof NoFreeDriveError) return { kind: 'wait', reason: message };
  const attempts = c.attempts + 1;
  const transient = isTransientError(err);
  if (transient && attempts < c.maxAttempts) return { kind: 'retry', attempts, reason: `attempt ${attempts} of ${c.maxAttempts} failed: ${message}` };
  return { kind: 'failed', attempts, reason: attempts >= c.maxAttempts && transient ? `gave up after ${attempts} attempts: ${message}` : message };
}
