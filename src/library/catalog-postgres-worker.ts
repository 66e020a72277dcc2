// The PostgreSQL catalog's worker thread: owns one `pg` client (one connection, so a transaction's statements share
// it) and runs the requests the event loop's synchronous side posts, one at a time, in order. After each reply it
// bumps the shared counter the caller waits on.
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import { SerialQueue } from '../serial-queue.js';
import type { PgReply, PgRequest, PgWorkerData } from './catalog-postgres-protocol.js';

const data = workerData as PgWorkerData;
const signal = new Int32Array(data.signal);
const queue = new SerialQueue();
let client: pg.Client | undefined;
let retryAt = 0;
/** The caller's transaction (BEGIN ... COMMIT/ROLLBACK) is open on `client`. */
let inTransaction = false;
/**
 * The session died inside the caller's transaction: the server rolled it back, so every later statement of that
 * transaction must fail too (on a new session it would run on its own, outside any transaction) until the caller's
 * ROLLBACK ends it.
 */
let transactionLost = false;

// int8 (count(*), BIGINT ids and capacities) as a number: catalog values stay far below 2^53.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser(oid, format) as (value: string) => unknown),
};

async function connection(): Promise<pg.Client> {
  if (client) return client;
  if (Date.now() < retryAt) throw Object.assign(new Error('PostgreSQL was unreachable moments ago; not retried yet'), { code: 'PG_UNREACHABLE' });
  const c = new pg.Client({ connectionString: data.url, connectionTimeoutMillis: data.connectTimeoutMs, keepAlive: true, types });
  // A connection that dies between requests must not crash the thread; the next request reconnects.
  c.on('error', () => drop(c));
  try {
    await c.connect();
  } catch (err) {
    retryAt = Date.now() + data.retryAfterMs;
    drop(c);
    throw err;
  }
  client = c;
  return c;
}

function drop(c: pg.Client): void {
  if (client === c) {
    client = undefined;
    if (inTransaction) transactionLost = true;
    inTransaction = false;
  }
  c.end().catch(() => undefined);
}

/** A failure of the connection rather than of the statement: the session, and any open transaction, is gone. */
function lostConnection(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  return !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57P');
}

/** The SQLSTATE the commit guard raises (a class of our own, so that it can mean nothing else). */
const DEADLINE_PASSED = 'VTL01';

async function query(c: pg.Client, req: PgRequest): Promise<pg.QueryResult> {
  // A multi-statement simple query answers with one result per statement: the last one is the answer.
  const result = (req.params ? await c.query(req.sql, [...req.params]) : await c.query(req.sql)) as pg.QueryResult | pg.QueryResult[];
  return Array.isArray(result) ? result[result.length - 1] : result;
}

/**
 * The guard and the COMMIT travel in one message, so the server checks the deadline when the commit arrives, not
 * when it was sent. On a failure the transaction is rolled back (a lost session has rolled back already).
 */
async function guarded(c: pg.Client, req: PgRequest, commitBy: number): Promise<pg.QueryResult> {
  const guardAndCommit = `DO $$BEGIN IF clock_timestamp() >= to_timestamp(${Math.floor(commitBy)} / 1000.0) THEN
    RAISE EXCEPTION 'deadline passed' USING ERRCODE = '${DEADLINE_PASSED}'; END IF; END$$; COMMIT`;
  try {
    if (req.guard?.kind === 'commit') return await c.query(guardAndCommit);
    await c.query('BEGIN');
    const result = await query(c, req);
    await c.query(guardAndCommit);
    return result;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function run(req: PgRequest): Promise<PgReply> {
  const always = /^\s*ROLLBACK\s*$/i.test(req.sql);
  if (transactionLost) {
    if (always) {
      transactionLost = false;
      return { id: req.id, ok: true, rows: [], rowCount: 0 };
    }
    return { id: req.id, ok: false, message: 'the session ended inside the transaction, which the server rolled back', code: 'PG_SESSION_LOST', lost: true };
  }
  if (!always && Date.now() > req.deadline) {
    return { id: req.id, ok: false, message: 'the caller stopped waiting before the request started', code: 'PG_TIMEOUT', lost: false };
  }
  let c: pg.Client | undefined;
  try {
    c = await connection();
    const result = req.guard ? await guarded(c, req, req.guard.commitBy) : await query(c, req);
    if (req.sql === 'BEGIN') inTransaction = true;
    if (always || req.guard?.kind === 'commit') inTransaction = false;
    return { id: req.id, ok: true, rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
  } catch (err) {
    if ((err as { code?: unknown }).code === DEADLINE_PASSED) {
      return { id: req.id, ok: false, message: 'the commit reached the server after its caller had given up', code: 'PG_TIMEOUT', lost: false };
    }
    const lost = lostConnection(err);
    if (lost && c) drop(c);
    // A failed COMMIT ends the transaction as well (the guard's ROLLBACK, or the server's).
    if (always || req.guard?.kind === 'commit') inTransaction = false;
    const code = (err as { code?: unknown }).code;
    return { id: req.id, ok: false, message: err instanceof Error ? err.message : String(err), code: typeof code === 'string' ? code : undefined, lost };
  }
}

data.port.on('message', (req: PgRequest | 'close') => {
  if (req === 'close') {
    void queue.run(async () => {
      if (client) await client.end().catch(() => undefined);
      data.port.close();
    });
    return;
  }
  void queue.run(async () => {
    const reply = await run(req);
    data.port.postMessage(reply);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
});
