// Why a cartridge's last load into a drive failed, kept until a load succeeds (LibraryCore.loadFailures): the
// message for people (API loadError, vtl tape list, the log) and the cause for the changer's element status.
import { CartridgeKeyError } from '../media/crypto/master-key.js';

/** `encryption-key`: its data key cannot be unwrapped with the configured master key; `medium`: anything else. */
export type LoadFailureCause = 'encryption-key' | 'medium';

export interface LoadFailure {
  readonly message: string;
  readonly cause: LoadFailureCause;
}

export function loadFailureOf(err: unknown): LoadFailure {
  const message = err instanceof Error ? err.message : String(err);
  return { message, cause: err instanceof CartridgeKeyError ? 'encryption-key' : 'medium' };
}
