// How the changer reports a refused library operation: LibraryStateError codes to SMC-3 sense, and a catalog that
// cannot write (docs/CONFORMANCE.md, "Catalog write failures", says why these codes).
import { CatalogWriteError } from '../../library/catalog-write-error.js';
import type { CatalogWriteProblem } from '../../library/catalog-write-error.js';
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

const CATALOG_REASON: Record<CatalogWriteProblem, SenseReasonName> = {
  // ILLEGAL REQUEST 55/03: as SPC-4 answers a command whose state the device server has no room to record.
  'no-space': 'INSUFFICIENT_RESOURCES',
  // HARDWARE ERROR 44/00: the target's own storage failed; nothing is wrong with the request or the cartridges.
  'io-error': 'INTERNAL_TARGET_FAILURE',
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
    if (err instanceof CatalogWriteError) throw new SenseError(Sense.of(CATALOG_REASON[err.problem]).sense, err.message);
    throw err;
  }
}
