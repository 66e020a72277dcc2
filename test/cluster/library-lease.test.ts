// Library leases between nodes sharing one PostgreSQL: one owner at a time, a higher fencing token at every change of
// owner, and a node cut off from the database stops serving before another node starts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { LibraryLease } from '../../src/cluster/library-lease.js';
import { isCurrentToken, readOwners } from '../../src/cluster/lease-table.js';
import { Catalog } from '../../src/library/catalog.js';
import { PostgresConnection } from '../../src/library/catalog-postgres.js';
import { silentLogger } from '../../src/log.js';
import { startTestPostgres } from '../library/catalog-postgres-service.js';
import { startTcpProxy } from '../library/catalog-tcp-proxy.js';

const postgres = startTestPostgres();
const pools: pg.Pool[] = [];
let url: string;

before(async () => {
  url = await postgres.freshDatabase();
  new Catalog(new PostgresConnection({ url })).close(); // migrations: library_leases
});
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  postgres.stop();
});

const LEASE_MS = 1500;

function pool(connectionString = url): pg.Pool {
  // A query cut off by a partition gives up before the next renewal is due, so the node keeps trying.
  const p = new pg.Pool({ connectionString, max: 2, query_timeout: LEASE_MS / 3, connectionTimeoutMillis: LEASE_MS / 3 });
  p.on('error', () => undefined);
  pools.push(p);
  return p;
}

interface Node {
  readonly lease: LibraryLease;
  readonly acquired: Promise<number>;
  readonly lost: Promise<number>;
}

function node(nodeId: string, library: string, events: string[], p: pg.Pool = pool()): Node {
  let acquired!: (t: number) => void;
  let lost!: (t: number) => void;
  const a = new Promise<number>((resolve) => (acquired = resolve));
  const l = new Promise<number>((resolve) => (lost = resolve));
  const lease = new LibraryLease({
    pool: p, library, nodeId, portal: `127.0.0.1:${nodeId.length}`, leaseMs: LEASE_MS, renewEveryMs: LEASE_MS / 5, log: silentLogger(),
    onAcquired: (t) => { events.push(`${nodeId} acquired ${t}`); acquired(t); },
    onLost: (t) => { events.push(`${nodeId} lost ${t}`); lost(t); },
  });
  return { lease, acquired: a, lost: l };
}

test('a second node cannot take a live lease, and takes the library with the next token once the owner gives it up', { timeout: 60_000 }, async () => {
  const events: string[] = [];
  const a = node('node-a', 'libA', events);
  a.lease.start();
  const tokenA = await a.acquired;
  const b = node('node-b', 'libA', events);
  b.lease.start();
  // Several of b's attempts and a's renewals go by: a keeps the library.
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
  assert.deepEqual(events, [`node-a acquired ${tokenA}`]);
  assert.equal((await readOwners(pools[0])).find((o) => o.library === 'libA')?.owner, 'node-a');
  await a.lease.stop();
  const tokenB = await b.acquired;
  assert.equal(tokenB, tokenA + 1);
  assert.deepEqual(events, [`node-a acquired ${tokenA}`, `node-a lost ${tokenA}`, `node-b acquired ${tokenB}`]);
  assert.equal(await isCurrentToken(pools[0], 'libA', tokenA), false);
  assert.equal(await isCurrentToken(pools[0], 'libA', tokenB), true);
  await b.lease.stop();
});

test('a node cut off from the database stops serving before another node takes the library over', { timeout: 60_000 }, async () => {
  const events: string[] = [];
  const proxy = await startTcpProxy(Number(new URL(url).port));
  try {
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    const a = node('node-a', 'libP', events, pool(viaProxy.toString()));
    a.lease.start();
    const tokenA = await a.acquired;
    const b = node('node-b', 'libP', events);
    b.lease.start();
    proxy.process.kill('SIGSTOP'); // a's renewals now hang, as behind a dead link
    const tokenB = await b.acquired;
    assert.equal(await a.lost, tokenA);
    assert.ok(tokenB > tokenA);
    // The order the two nodes saw it in, on one clock: a stopped before b started.
    assert.deepEqual(events, [`node-a acquired ${tokenA}`, `node-a lost ${tokenA}`, `node-b acquired ${tokenB}`]);
    const owner = (await readOwners(pools[0])).find((o) => o.library === 'libP');
    assert.equal(owner?.owner, 'node-b');
    assert.equal(owner.token, tokenB);
    await a.lease.stop();
    await b.lease.stop();
  } finally {
    proxy.process.kill('SIGCONT');
    proxy.process.kill('SIGKILL');
  }
});

test('a node that dies holding a lease is replaced once the lease expires at the server', { timeout: 60_000 }, async () => {
  const events: string[] = [];
  const p = pool();
  const a = node('node-a', 'libK', events, p);
  a.lease.start();
  const tokenA = await a.acquired;
  // Dying: no more renewals and no release (the pool ends, so the next renewal fails too).
  await p.end();
  pools.splice(pools.indexOf(p), 1);
  const b = node('node-b', 'libK', events);
  b.lease.start();
  assert.equal(await b.acquired, tokenA + 1);
  await a.lease.stop();
  await b.lease.stop();
});

test('a lease\'s storage fence allows its own token while held, and refuses once the holder\'s own expiry has passed, before the expiry timer has run', { timeout: 60_000 }, async () => {
  const events: string[] = [];
  const a = node('node-a', 'libFence', events);
  a.lease.start();
  const token = await a.acquired;
  try {
    const fence = a.lease.fence(token);
    assert.equal(fence.refusal(), undefined, 'the holder, under its token');
    assert.match(a.lease.fence(token + 1).refusal() ?? '', /lost the lease on library "libFence" held under fencing token \d+/, 'another token is refused');
    // The event loop held up past the lease (a catalog statement that blocks it): no timer runs meanwhile.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LEASE_MS + 100);
    assert.match(fence.refusal() ?? '', /expired by its own clock/, 'refused at once, by the monotonic clock');
    assert.deepEqual(events, [`node-a acquired ${token}`], 'onLost has not run yet');
    await a.lost;
    assert.match(fence.refusal() ?? '', /lost the lease/);
  } finally {
    await a.lease.stop();
  }
});
