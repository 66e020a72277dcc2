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

/**
 * Run a library operation; its LibraryStateError becomes the matching SenseError (after `observe` has seen it),
 * anything else passes through.
 */
export async function asSense<T>(fn: () => Promise<T>, observe?: (code: LibraryErrorCode) => void): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw senseOfLibraryError(err, observe);
  }
}

/** asSense for a synchronous library call. */
export function asSenseSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw senseOfLibraryError(err);
  }
}

function senseOfLibraryError(err: unknown, observe?: (code: LibraryErrorCode) => void): unknown {
  if (err instanceof LibraryStateError) {
    observe?.(err.code);
    const reason = REASON[err.code];
    if (reason) return new SenseError(Sense.of(reason).sense, err.message);
  }
  if (err instanceof CatalogWriteError) return new SenseError(Sense.of(CATALOG_REASON[err.problem]).sense, err.message);
  return err;
}
