// How the changer reports a refused library operation: LibraryStateError codes to SMC-3 sense.
import { LibraryStateError } from '../../library/library-state-error.js';
import type { LibraryErrorCode } from '../../library/library-state-error.js';
import { Sense, SenseError } from '../sense.js';
import type { SenseReasonName } from '../sense.js';

const REASON: Partial<Record<LibraryErrorCode, SenseReasonName>> = {
  'invalid-element': 'INVALID_ELEMENT_ADDRESS',
  'not-found': 'INVALID_ELEMENT_ADDRESS',
  'source-empty': 'MEDIUM_SOURCE_ELEMENT_EMPTY',
  'destination-full': 'MEDIUM_DESTINATION_ELEMENT_FULL',
  'removal-prevented': 'MEDIUM_REMOVAL_PREVENTED',
  'element-inaccessible': 'MEDIUM_MAGAZINE_NOT_ACCESSIBLE',
  'load-failed': 'MEDIA_LOAD_OR_EJECT_FAILED',
  'media-missing': 'MEDIA_LOAD_OR_EJECT_FAILED',
};

/** Run a library operation; its LibraryStateError becomes the matching SenseError, anything else passes through. */
export async function asSense<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LibraryStateError) {
      const reason = REASON[err.code];
      if (reason) throw new SenseError(Sense.of(reason).sense, err.message);
    }
    throw err;
  }
}
