// Who owns which library, as every node reads it from the shared catalog (for `vtl status`, the API and SendTargets).
import type pg from 'pg';

export interface LibraryOwner {
  readonly library: string;
  readonly owner: string;
  /** The owner's iSCSI portal (host:port). */
  readonly portal: string;
  /** The fencing token: grows by one at every change of owner. */
  readonly token: number;
  /** Whether the lease is live by the server's clock (else the library is being taken over). */
  readonly live: boolean;
}

export async function readOwners(pool: pg.Pool): Promise<LibraryOwner[]> {
  const { rows } = await pool.query<{ library: string; owner: string; portal: string; token: string; live: boolean }>(
    'SELECT library, owner, portal, token, expires_at >= now() AS live FROM library_leases ORDER BY library');
  return rows.map((r) => ({ library: r.library, owner: r.owner, portal: r.portal, token: Number(r.token), live: r.live }));
}

/**
 * Whether `token` is still the library's current one: a writer checks it before acting on shared state (a flush to
 * the shared store), so that a node that lost its lease writes nothing under the old token.
 */
export async function isCurrentToken(pool: pg.Pool, library: string, token: number): Promise<boolean> {
  const { rows } = await pool.query<{ ok: boolean }>(
    'SELECT token = $2 AND expires_at >= now() AS ok FROM library_leases WHERE library = $1', [library, token]);
  return rows[0]?.ok === true;
}
