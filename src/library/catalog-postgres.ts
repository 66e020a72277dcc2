// The PostgreSQL implementation of the catalog's SQL connection. The catalog's interface is synchronous (see
// CATALOG.md), so each statement is posted to a worker thread that owns the `pg` client, and the event loop waits for
// the reply on a shared counter (Atomics.wait) for at most `timeoutMs`. A database that does not answer in time makes
// the statement fail with CatalogWriteError (io-error): the path a failing catalog disk already takes (changer sense
// 55/03, HTTP 503). While a request the caller gave up on is still running, later ones fail at once rather than wait
// behind it, so an unreachable database costs the event loop one timeout, not one per statement.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { CatalogWriteError } from './catalog-write-error.js';
import type { PgReply, PgRequest, PgWorkerData } from './catalog-postgres-protocol.js';
import type { SqlConnection, SqlParams, SqlRunResult } from './catalog-sql.js';

export interface PostgresConnectionOptions {
  readonly url: string;
  /** The longest one statement may block the event loop. */
  readonly timeoutMs?: number;
}

const FIRST_ANSWER_TIMEOUT_MS = 15_000;

/** A statement that changes something (outside a transaction it gets a commit guard of its own). */
const WRITE = /^\s*(INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b/i;

/** The transaction lock's key (pg_advisory_xact_lock): every vtl node's catalog transactions take it. */
const CATALOG_LOCK_KEY = 0x76746c; // 'vtl'

export class PostgresConnection implements SqlConnection {
  readonly dialect = 'postgres' as const;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private readonly timeoutMs: number;
  private nextId = 1;
  /** The request the caller stopped waiting for, while the worker has not answered it. */
  private abandoned: number | undefined;
  private depth = 0;
  private answered = false;
  private closed = false;

  constructor(options: PostgresConnectionOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    const shared = new SharedArrayBuffer(4);
    this.signal = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: PgWorkerData = {
      url: options.url, signal: shared, port: port2,
      connectTimeoutMs: Math.max(100, Math.floor(this.timeoutMs * 0.8)), retryAfterMs: 1000,
    };
    this.worker = new Worker(new URL('./catalog-postgres-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
    // The worker must not keep the process alive, nor take it down: a dead worker shows as timeouts.
    this.worker.unref();
    this.worker.on('error', () => undefined);
    port1.unref();
  }

  all<R>(sql: string, params: SqlParams = []): R[] {
    return this.call(toDollar(sql), params).rows as R[];
  }

  get<R>(sql: string, params: SqlParams = []): R | undefined {
    return this.all<R>(sql, params)[0];
  }

  run(sql: string, params: SqlParams = []): SqlRunResult {
    return { changes: this.call(toDollar(sql), params).rowCount };
  }

  exec(sql: string): void {
    this.call(sql, undefined);
  }

  transaction<T>(fn: () => T): T {
    const savepoint = `vtl_sp${this.depth}`;
    if (this.depth === 0) {
      this.call('BEGIN', undefined);
      try {
        // Serialises catalog transactions across nodes, as BEGIN IMMEDIATE does on SQLite.
        this.call(`SELECT pg_advisory_xact_lock(${CATALOG_LOCK_KEY})`, undefined);
      } catch (err) {
        this.rollback('ROLLBACK');
        throw err;
      }
    } else {
      this.call(`SAVEPOINT ${savepoint}`, undefined);
    }
    this.depth++;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.depth--;
      this.rollback(this.depth === 0 ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw err;
    }
    this.depth--;
    try {
      this.call(this.depth === 0 ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`, undefined);
    } catch (err) {
      if (this.depth === 0) this.rollback('ROLLBACK');
      throw err;
    }
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.postMessage('close');
    // Give the worker a moment to end its session cleanly; it is unref'd, so it never holds the process.
    setTimeout(() => void this.worker.terminate(), 1000).unref();
  }

  /** Roll back without waiting when the worker is stuck; a lost connection has rolled back on the server anyway. */
  private rollback(sql: string): void {
    this.drain();
    if (this.abandoned !== undefined) {
      // Queued behind the stuck request: it runs once that one ends, before anything posted later.
      this.port.postMessage({ id: this.nextId++, sql, deadline: Date.now() + this.timeoutMs } satisfies PgRequest);
      return;
    }
    try {
      this.call(sql, undefined);
    } catch {
      // The caller reports the error that made it roll back.
    }
  }

  private call(sql: string, params: SqlParams | undefined): { rows: unknown[]; rowCount: number } {
    if (this.closed) throw new Error('The catalog is closed');
    this.drain();
    if (this.abandoned !== undefined) {
      throw new CatalogWriteError('io-error', 'PG_TIMEOUT', { cause: new Error('PostgreSQL has not yet answered an earlier request that timed out') });
    }
    const id = this.nextId++;
    // Until the first answer, the wait includes starting the thread and connecting: at start-up, off the data path.
    const timeoutMs = this.answered ? this.timeoutMs : Math.max(this.timeoutMs, FIRST_ANSWER_TIMEOUT_MS);
    const deadline = Date.now() + timeoutMs;
    // The commit must happen early enough for its answer to come back before the deadline.
    const commitBy = deadline - Math.max(50, timeoutMs / 5);
    const guard = this.depth === 0 && sql === 'COMMIT' ? { kind: 'commit' as const, commitBy }
      : this.depth === 0 && WRITE.test(sql) ? { kind: 'statement' as const, commitBy } : undefined;
    const request: PgRequest = { id, sql, deadline, ...(params && { params }), ...(guard && { guard }) };
    let seen = Atomics.load(this.signal, 0);
    this.port.postMessage(request);
    for (;;) {
      const reply = this.receive(id);
      if (reply) {
        this.answered = true;
        return settle(reply);
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, seen, left) === 'timed-out') {
        this.abandoned = id;
        throw new CatalogWriteError('io-error', 'PG_TIMEOUT', { cause: new Error(`PostgreSQL did not answer within ${timeoutMs} ms`) });
      }
      seen = Atomics.load(this.signal, 0);
    }
  }

  /** Replies to requests nobody waits for any more: the abandoned one ends the wait-free refusals. */
  private drain(): void {
    while (this.abandoned !== undefined) {
      const reply = nextReply(this.port);
      if (!reply) return;
      if (reply.id >= this.abandoned) this.abandoned = undefined;
    }
  }

  private receive(id: number): PgReply | undefined {
    for (;;) {
      const reply = nextReply(this.port);
      if (!reply) return undefined;
      if (reply.id === id) return reply;
    }
  }
}

function nextReply(port: MessagePort): PgReply | undefined {
  const m = receiveMessageOnPort(port);
  return m === undefined ? undefined : (m.message as PgReply);
}

function settle(reply: PgReply): { rows: unknown[]; rowCount: number } {
  if (reply.ok) return { rows: reply.rows, rowCount: reply.rowCount };
  const cause = Object.assign(new Error(reply.message), { code: reply.code });
  if (reply.lost || reply.code === 'PG_TIMEOUT') throw new CatalogWriteError('io-error', reply.code ?? 'PG_CONNECTION', { cause });
  // SQLSTATE 53100 disk_full; 53xxx insufficient resources; 58030 io_error on the server.
  if (reply.code === '53100') throw new CatalogWriteError('no-space', reply.code, { cause });
  if (reply.code?.startsWith('53') || reply.code?.startsWith('58')) throw new CatalogWriteError('io-error', reply.code, { cause });
  throw cause;
}

/** `?` placeholders (the catalog's SQL, written once for both dialects) as PostgreSQL's `$1, $2, ...`. */
function toDollar(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
