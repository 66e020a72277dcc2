// The catalog could not write (the disk under it is full, or it failed with an I/O error). Raised instead of the raw
// SQLite error so that the changer and the API can say what is wrong; the operation that hit it changed nothing.

/** Why the catalog cannot write: `no-space` clears when space returns, `io-error` needs the disk looked at. */
export type CatalogWriteProblem = 'no-space' | 'io-error';

export class CatalogWriteError extends Error {
  constructor(
    readonly problem: CatalogWriteProblem,
    /** SQLite's extended result code, e.g. SQLITE_FULL, SQLITE_IOERR_WRITE. */
    readonly sqliteCode: string,
    options: { cause: unknown },
  ) {
    super(problem === 'no-space'
      ? `The catalog cannot be written: no space left on its disk (${sqliteCode}); nothing was changed`
      : `The catalog cannot be written: I/O error on its disk (${sqliteCode}); nothing was changed`, options);
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
