// Errors the management API answers with: one JSON shape, `{ "error": { "status", "code", "message" } }`.
import { AuditTrailError } from '../../library/audit-trail.js';
import { CatalogWriteError } from '../../library/catalog-write-error.js';
import { LibraryStateError } from '../../library/library-state-error.js';
import type { ErrorBody } from '../schemas/error-schema.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type { ErrorBody } from '../schemas/error-schema.js';

/** The HTTP answer for an error, or undefined when it is a bug (answered 500 and logged by the server). */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof LibraryStateError) {
    // The library's codes: unknown things are 404, malformed requests 400, everything else is a state conflict.
    const status = error.code === 'not-found' ? 404 : error.code === 'invalid-argument' ? 400 : 409;
    return new HttpError(status, error.code, error.message);
  }
  if (error instanceof CatalogWriteError) {
    // Not the server's bug: the catalog's disk. 507 says "no room" (retry once space returns), 503 "unavailable".
    return error.problem === 'no-space'
      ? new HttpError(507, 'catalog-full', error.message)
      : new HttpError(503, 'catalog-io-error', error.message);
  }
  if (error instanceof AuditTrailError) {
    // Changes stop while the log they would be recorded in does not verify: nothing happens unrecorded.
    return new HttpError(503, 'audit-unavailable', error.message);
  }
  return undefined;
}

export function errorBody(error: HttpError): ErrorBody {
  return { error: { status: error.status, code: error.code, message: error.message } };
}
