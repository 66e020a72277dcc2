// The catalog could not write (the disk under it is full, it failed with an I/O error, or its PostgreSQL server did
// not answer in time). Raised instead of the raw
// SQLite error so that the changer and the API can say what is wrong; the operation that hit it changed nothing.

/** Why the catalog cannot write: `no-space` clears when space returns, `io-error` needs the disk looked at. */
export type CatalogWriteProblem = 'no-space' | 'io-error';

export class CatalogWriteError extends Error {
  constructor(
    readonly problem: CatalogWriteProblem,
    /** The database's code: SQLite's extended result code (SQLITE_FULL, SQLITE_IOERR_WRITE), PostgreSQL's SQLSTATE
     * (53100), or PG_TIMEOUT / PG_UNREACHABLE / a socket error when PostgreSQL could not be reached in time. */
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(problem === 'no-space'
      ? `The catalog cannot be written: no space left on its disk (${code}); nothing was changed`
      : code.startsWith('SQLITE_')
        ? `The catalog cannot be written: I/O error on its disk (${code}); nothing was changed`
        : `The catalog cannot be written: its PostgreSQL server did not answer (${code}); nothing was changed`, options);
    this.name = 'CatalogWriteError';
  }
}

/**
 * The CatalogWriteError for a SQLite failure that means "cannot write", else undefined (a constraint or a misuse is
 * a bug and stays what it is). SQLite reports ENOSPC as SQLITE_FULL; EIO, EDQUOT and a file that became read-only
 * come as SQLITE_IOERR_* or SQLITE_READONLY_*.
 */
export function catalogWriteErrorOf(error: unknown): CatalogWriteError | undefined {
  if (error instanceof CatalogWriteError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || typeof code !== 'string') return undefined;
  if (code === 'SQLITE_FULL') return new CatalogWriteError('no-space', code, { cause: error });
  if (/^SQLITE_(IOERR|READONLY|CANTOPEN)(_|$)/.test(code)) return new CatalogWriteError('io-error', code, { cause: error });
  return undefined;
}
