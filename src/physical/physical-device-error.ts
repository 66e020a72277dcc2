// A command a physical device refused, with its sense in words; `transient` says whether repeating the job later
// can help (a unit attention, a drive becoming ready, a busy target, a lost connection) or not (a medium error).
import { IscsiConnectionError } from '../initiator/initiator-errors.js';
import { LoginFailedError } from '../initiator/login.js';
import { SenseKey } from '../scsi/sense.js';
import { senseWords, type DecodedSense } from './sense-words.js';

export class PhysicalDeviceError extends Error {
  constructor(
    readonly command: string,
    readonly status: number,
    readonly sense: DecodedSense | undefined,
    readonly transient: boolean,
  ) {
    super(`${command} failed: ${describeStatus(status, sense)}`);
    this.name = 'PhysicalDeviceError';
  }
}

function describeStatus(status: number, sense: DecodedSense | undefined): string {
  if (status === 0x18) return 'RESERVATION CONFLICT (another initiator holds the device)';
  if (status === 0x08) return 'BUSY';
  if (status === 0x28) return 'TASK SET FULL';
  if (sense) return senseWords(sense);
  return `status 0x${status.toString(16)}`;
}

/** Keys whose conditions heal by themselves or by a later try. */
const TRANSIENT_KEYS = new Set<number>([SenseKey.UNIT_ATTENTION, SenseKey.NOT_READY, SenseKey.ABORTED_COMMAND]);

export function isTransientSense(s: DecodedSense | undefined): boolean {
  // NOT READY: MEDIUM NOT PRESENT (3a) does not heal by waiting.
  return s !== undefined && TRANSIENT_KEYS.has(s.key) && !(s.key === SenseKey.NOT_READY && s.asc === 0x3a);
}

/** True for an error after which the job may be tried again (within its retry limit). */
export function isTransientError(err: unknown): boolean {
  if (err instanceof PhysicalDeviceError) return err.transient;
  if (err instanceof LoginFailedError) return !err.permanent;
  return err instanceof IscsiConnectionError;
}
