// The messages between the PostgreSQL catalog's synchronous side (catalog-postgres.ts, on the event loop) and its
// worker (catalog-postgres-worker.ts, which owns the `pg` client).
import type { MessagePort } from 'node:worker_threads';
import type { SqlParams } from './catalog-sql.js';

export interface PgWorkerData {
  readonly url: string;
  /** One Int32: the worker adds 1 after each reply it posts, and the caller waits on it. */
  readonly signal: SharedArrayBuffer;
  readonly port: MessagePort;
  /** How long a connection attempt may take. */
  readonly connectTimeoutMs: number;
  /** After a failed connection attempt, requests fail at once for this long instead of trying again. */
  readonly retryAfterMs: number;
}

export interface PgRequest {
  readonly id: number;
  readonly sql: string;
  /** Absent: the simple query protocol (several statements, no parameters). */
  readonly params?: SqlParams;
  /** Date.now() after which the caller no longer waits: a request not started by then is not started at all. */
  readonly deadline: number;
  /**
   * Commit only if the server reaches the commit before `commitBy` (Date.now() ms, by the server's clock): a write
   * outside a transaction runs in one of its own (`statement`), a transaction's COMMIT is checked (`commit`). A
   * request delayed on the way (a stalled link) then commits nothing after its caller has given up on it.
   */
  readonly guard?: { readonly kind: 'statement' | 'commit'; readonly commitBy: number };
}

export type PgReply =
  | { readonly id: number; readonly ok: true; readonly rows: Record<string, unknown>[]; readonly rowCount: number }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code: string | undefined; readonly lost: boolean };
