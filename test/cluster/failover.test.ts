// Live failover between `vtl serve` processes sharing one PostgreSQL catalog and one data directory (issue 21): the
// owner of a library is SIGKILLed mid-stream and another node takes the library over; what was flushed before the
// kill reads back identically through the new owner's portal. A node cut off from the database stops serving before
// another starts: the fencing tokens of the library's owners follow one another, never overlapping.
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IscsiInitiator, LoginError } from '../initiator/iscsi-initiator.js';
import { startTcpProxy } from '../library/catalog-tcp-proxy.js';
import { ClusterProcess, clusterFixture, IQN, ownership } from './cluster-process.js';
import { assertFlushedReadBack, INITIATOR, loadFirstSlot, RECORD_BYTES, senseOf, session, write6 } from './cluster-session.js';

const { postgres, nodes, tempDir } = clusterFixture();

async function cluster(names: readonly string[], urlOf: (name: string) => string = () => ''): Promise<{ dir: string; made: ClusterProcess[] }> {
  const dir = tempDir('vtl-cluster-');
  const made: ClusterProcess[] = [];
  for (const name of names) {
    const n = await ClusterProcess.create(dir, name, urlOf(name));
    nodes.push(n);
    made.push(n);
  }
  return { dir, made };
}

interface StatusView {
  readonly cluster: { readonly nodeId: string };
  readonly libraries: readonly { readonly name: string; readonly owner?: { readonly nodeId: string; readonly token: number } }[];
}

interface EventLike {
  readonly type: string;
  readonly barcode: string | null;
  readonly node?: string;
}

/** Until `node`'s status names `owner` as lib0's (it reads the owners every renewal interval). */
async function untilOwnerKnown(node: ClusterProcess, owner: string): Promise<void> {
  while (((await node.api('/status')) as StatusView).libraries[0]?.owner?.nodeId !== owner) await sleep(100);
}

test('discovery, status and changes on any node reach the owner; SIGKILLed mid-stream, another node takes the library over and serves what was flushed, identical, on its portal', { timeout: 120_000 }, async (t) => {
  const url = await postgres.freshDatabase();
  const { dir, made: [a, b] } = await cluster(['node-a', 'node-b'], () => url);
  await a.start();
  const servedA = await a.serving();
  await b.start();
  const tokenA = Number(servedA['fencingToken']);

  // Discovery on either node lists lib0 at its owner's portal (node-b once it has read the owners).
  await untilOwnerKnown(b, 'node-a');
  for (const n of [a, b]) {
    const found = await IscsiInitiator.discover({ host: '127.0.0.1', port: n.iscsiPort, initiatorName: INITIATOR });
    assert.deepEqual(found.map((t) => [t.name, t.addresses]), [[IQN, [`127.0.0.1:${a.iscsiPort},1`]]], `discovery on ${n.nodeId}`);
  }
  // A login to node-b is redirected to the owner (status 01/01, TARGET MOVED TEMPORARILY, with its TargetAddress).
  await assert.rejects(IscsiInitiator.connect({ host: '127.0.0.1', port: b.iscsiPort, initiatorName: INITIATOR, targetName: IQN }),
    (err: unknown) => err instanceof LoginError && err.statusClass === 1 && err.statusDetail === 1
      && err.keys.some(([k, v]) => k === 'TargetAddress' && v === `127.0.0.1:${a.iscsiPort},1`));
  const status = (await b.api('/status')) as StatusView;
  assert.equal(status.cluster.nodeId, 'node-b');
  assert.deepEqual(status.libraries.map((l) => [l.name, l.owner?.nodeId, l.owner?.token]), [['lib0', 'node-a', tokenA]]);

  // A change asked of node-b is done by the owner: node-a's drives and elements, its own log.
  const exported = (await b.api('/cartridges/A00002L8/export', 'POST', {})) as { location: { kind: string } };
  assert.equal(exported.location.kind, 'mailslot');
  const forwarded = await b.waitFor((l) => l.msg === 'management request forwarded to the library\'s owner');
  assert.deepEqual([forwarded['owner'], forwarded['status']], ['node-a', 200]);
  // The owner's event reaches node-b's event stream, marked with the node it happened on.
  const moved = (events: readonly EventLike[]): EventLike | undefined => events.find((e) => e.type === 'cartridge-moved' && e.barcode === 'A00002L8');
  let seen: EventLike | undefined;
  while (!(seen = moved((await b.api('/events?since=0')) as EventLike[]))) await sleep(50);
  assert.equal(seen.node, 'node-a');
  assert.equal(moved((await a.api('/events?since=0')) as EventLike[])?.node, 'node-a');
  // Each node keeps its own audit log in the shared data directory; the owner recorded the change it made.
  assert.match(readFileSync(join(dir, 'data', 'audit-node-a.log'), 'utf8'), /cartridge\.export/);
  assert.equal(existsSync(join(dir, 'data', 'audit.log')), false);

  const { s } = await session(a.iscsiPort);
  assert.equal(await loadFirstSlot(s), 0, 'MOVE MEDIUM slot 1 -> drive 1');
  const flushed = Array.from({ length: 8 }, () => randomBytes(RECORD_BYTES));
  for (const r of flushed) assert.equal((await write6(s, r)).status, 0);
  assert.equal((await s.command(1, [0x10, 0, 0, 0, 1, 0])).status, 0, 'WRITE FILEMARKS(1) flushes');
  // Mid-stream: more records, not flushed by a filemark, then the owner dies.
  for (let i = 0; i < 4; i++) assert.equal((await write6(s, randomBytes(RECORD_BYTES))).status, 0);
  const killedAt = Date.now();
  await a.kill();
  s.destroy();

  const servedB = await b.serving(tokenA);
  // A measurement, not a condition: the lease (2 s) and one renewal interval (0.4 s) bound it, plus the recovery.
  t.diagnostic(`node-b served lib0 ${servedB.time - killedAt} ms after node-a was killed`);
  assert.ok(Number(servedB['fencingToken']) > tokenA, 'the new owner holds a higher fencing token');
  const { s: s2, firstSense } = await session(b.iscsiPort);
  try {
    // What a host sees on the new portal: its first command answered with a power-on/reset unit attention.
    assert.equal(senseOf(firstSense), '6/29/00');
    await assertFlushedReadBack(s2, flushed);
  } finally {
    s2.destroy();
  }
  await untilOwnerKnown(b, 'node-b');
  const found = await IscsiInitiator.discover({ host: '127.0.0.1', port: b.iscsiPort, initiatorName: INITIATOR });
  assert.deepEqual(found.map((t) => t.addresses), [[`127.0.0.1:${b.iscsiPort},1`]], 'discovery now names the new owner');
  await b.stop();
});

test('of three nodes, the owner cut off from the database stops serving before another starts, and its sessions are dropped', { timeout: 120_000 }, async () => {
  const url = await postgres.freshDatabase();
  const proxy = await startTcpProxy(Number(new URL(url).port));
  try {
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    const { made: [a, b, c] } = await cluster(['node-a', 'node-b', 'node-c'], (name) => (name === 'node-a' ? viaProxy.toString() : url));
    await a.start();
    const tokenA = Number((await a.serving())['fencingToken']);
    await b.start();
    await c.start();
    const { s } = await session(a.iscsiPort);

    proxy.process.kill('SIGSTOP'); // node-a's database connections hang, as behind a dead link
    const next = await Promise.race([b.serving(tokenA), c.serving(tokenA)]);
    await s.closed; // node-a dropped the host's session when it stopped serving
    const events = ownership([a, b, c]);
    const newOwner = String(next['node']);
    assert.deepEqual(events.map((e) => [e.node, e.event, e.token]), [
      ['node-a', 'start', tokenA],
      ['node-a', 'stop', tokenA],
      [newOwner, 'start', Number(next['fencingToken'])],
    ], 'one owner at a time, in the order of their fencing tokens');
    assert.ok(events[1].time < events[2].time, 'node-a stopped before the new owner started');
    assert.ok(Number(next['fencingToken']) > tokenA);
    await Promise.all([b.stop(), c.stop()]);
  } finally {
    proxy.process.kill('SIGCONT');
    proxy.process.kill('SIGKILL');
  }
});
