// CmdSN window and ordering, task management, reinstatement, many sessions, NOP-In pings and timeouts, logout.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import type { InitiatorOptions } from '../initiator/iscsi-initiator.js';
import { FakeOp } from './fake-unit.js';
import type { FakeUnit } from './fake-unit.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const TUR = [0, 0, 0, 0, 0, 0];
const block = (tag: number): number[] => [FakeOp.BLOCK, 0, tag, 0, 0, 0];

describe('sessions', () => {
  let h: Harness | undefined;
  const start = async (o: Parameters<typeof startHarness>[0] = {}): Promise<Harness> => (h = await startHarness(o));
  const connect = (o: Partial<InitiatorOptions> = {}): Promise<IscsiInitiator> => {
    assert.ok(h);
    return IscsiInitiator.connect({ host: '127.0.0.1', port: h.port, targetName: TARGET, initiatorName: INITIATOR, ...o });
  };
  const unit = (lun = 0): FakeUnit => {
    const u = h?.units.get(lun);
    assert.ok(u);
    return u;
  };
  afterEach(async () => {
    h?.units.get(0)?.releaseAll();
    await h?.close();
    h = undefined;
  });

  test('MaxCmdSN closes the window at the queue depth and reopens as commands finish', async () => {
    await start({ queueDepth: 4 });
    const s = await connect();
    const first = s.cmdSN;
    assert.equal(s.maxCmdSN, first + 3);
    const running = await Promise.all([1, 2, 3, 4].map((t) => s.startCommand(0, block(t))));
    await unit().whenBlocked(4);
    await s.nop();
    assert.equal(s.expCmdSN, first + 4);
    assert.equal(s.maxCmdSN, first + 3, 'window closed: MaxCmdSN = ExpCmdSN - 1');
    unit().releaseAll();
    await Promise.all(running.map((c) => c.done));
    await s.nop();
    assert.equal(s.maxCmdSN, first + 7);
    await s.logout();
  });

  test('commands reach the unit in CmdSN order even when an earlier one waits for its data', async () => {
    await start();
    const s = await connect({ immediateData: false, initialR2T: true });
    let release: () => void = () => undefined;
    const hold = new Promise<void>((r) => (release = r));
    const arrivals = unit().arrivals;
    const n = arrivals.length;
    const write = await s.startCommand(0, [FakeOp.CONSUME, 0, 0, 0, 0x10, 0], { dataOut: Buffer.alloc(4096, 1), holdDataOut: hold });
    const tur = await s.startCommand(0, TUR);
    await s.nop();
    assert.deepEqual(arrivals.slice(n), [], 'TEST UNIT READY waits behind the write');
    release();
    await Promise.all([write.done, tur.done]);
    assert.deepEqual(arrivals.slice(n), [FakeOp.CONSUME, FakeOp.TEST_UNIT_READY]);
    await s.logout();
  });

  test('commands arriving out of CmdSN order are delivered in CmdSN order', async () => {
    await start();
    const s = await connect();
    const first = s.cmdSN;
    const arrivals = unit().arrivals;
    const n = arrivals.length;
    s.cmdSN = first + 1;
    const tur = await s.startCommand(0, TUR);
    await s.nop();
    assert.deepEqual(arrivals.slice(n), [], 'CmdSN+1 waits for CmdSN');
    s.cmdSN = first;
    const inq = await s.startCommand(0, [0x12, 0, 0, 0, 36, 0], { expectedDataInLength: 36 });
    s.cmdSN = first + 2;
    await Promise.all([tur.done, inq.done]);
    assert.deepEqual(arrivals.slice(n), [0x12, 0x00]);
    await s.logout();
  });

  test('ABORT TASK for a command lost before arrival consumes its CmdSN so later commands flow', async () => {
    await start();
    const s = await connect();
    const lost = s.cmdSN;
    s.cmdSN += 1;
    assert.equal(await s.taskManagement(1, 0, 0x9999, lost), 0, 'function complete');
    assert.equal((await s.command(0, TUR)).status, 0);
    await s.logout();
  });

  test('a command outside the CmdSN window is ignored', async () => {
    await start({ queueDepth: 4 });
    const s = await connect();
    const n = unit().arrivals.length;
    s.cmdSN += 10;
    void s.startCommand(0, TUR).then((c) => c.done).catch(() => undefined);
    s.cmdSN -= 11;
    await s.nop();
    assert.equal(unit().arrivals.length, n);
    s.destroy();
  });

  test('ABORT TASK aborts a running command, which gets no SCSI Response', async () => {
    await start();
    const s = await connect();
    const c = await s.startCommand(0, block(9));
    let answered = false;
    void c.done.then(() => (answered = true), () => undefined);
    await unit().whenBlocked(1);
    const tmf = s.taskManagement(1, 0, c.itt);
    await sleep(20);
    unit().releaseAll();
    assert.equal(await tmf, 0);
    await s.nop();
    assert.equal(answered, false);
    assert.equal((await s.command(0, TUR)).status, 0, 'the session goes on');
    await s.logout();
  });

  test('ABORT TASK SET aborts this session\'s tasks only; CLEAR TASK SET those of every session', async () => {
    await start();
    const a = await connect();
    const b = await connect({ isid: Buffer.from([0x80, 0, 0, 0, 0, 5]) });
    const answered: string[] = [];
    const a1 = await a.startCommand(0, block(1));
    const b1 = await b.startCommand(0, block(2));
    void a1.done.then(() => answered.push('a1'), () => undefined);
    void b1.done.then(() => answered.push('b1'), () => undefined);
    await unit().whenBlocked(2);
    assert.equal(await a.taskManagement(2, 0), 0);
    assert.equal(unit().blocked.filter((x) => !x.signal.aborted).length, 1, "only session A's task was aborted");
    assert.equal(await a.taskManagement(4, 0), 0);
    assert.equal(unit().blocked.filter((x) => !x.signal.aborted).length, 0, "CLEAR TASK SET reached session B's task");
    assert.ok(unit().events.some((e) => e.kind === 'clear-task-set'));
    await Promise.all([a.nop(), b.nop()]);
    assert.deepEqual(answered, [], 'aborted tasks get no SCSI Response');
    assert.equal((await b.command(0, TUR)).status, 0);
    await a.logout();
    await b.logout();
  });

  test('ABORT TASK of an unknown task answers task does not exist; CLEAR ACA and TASK REASSIGN are not supported', async () => {
    await start();
    const s = await connect();
    assert.equal(await s.taskManagement(1, 0, 0xdead, s.cmdSN - 5), 1);
    assert.equal(await s.taskManagement(3, 0), 5);
    assert.equal(await s.taskManagement(8, 0, 0xdead), 4);
    assert.equal(await s.taskManagement(0x7e, 0), 255);
    await s.logout();
  });

  test('LOGICAL UNIT RESET and TARGET WARM RESET reach the device as events; an unknown LUN is refused', async () => {
    await start();
    const s = await connect();
    assert.equal(await s.taskManagement(5, 1), 0);
    assert.deepEqual(unit(1).events.map((e) => e.kind), ['logical-unit-reset']);
    assert.equal(await s.taskManagement(5, 7), 2);
    assert.equal(await s.taskManagement(2, 7), 2);
    assert.equal(await s.taskManagement(2, 0), 0);
    assert.equal(await s.taskManagement(4, 0), 0);
    assert.ok(unit(0).events.some((e) => e.kind === 'clear-task-set'));
    assert.equal(await s.taskManagement(6, 0), 0);
    assert.ok(unit(0).events.some((e) => e.kind === 'target-reset' && !e.cold));
    await s.logout();
  });

  test('TARGET COLD RESET answers, then drops the connections to the target', async () => {
    await start();
    const s = await connect();
    const other = await connect({ isid: Buffer.from([0x80, 0, 0, 0, 0, 9]) });
    assert.equal(await s.taskManagement(7, 0), 0);
    await Promise.all([s.closed, other.closed]);
    assert.ok(unit(0).events.some((e) => e.kind === 'target-reset' && e.cold));
  });

  test('a login with the same initiator name and ISID reinstates the session; another ISID is a new session', async () => {
    await start();
    const a = await connect();
    const running = await a.startCommand(0, block(1));
    await unit().whenBlocked(1);
    const b = await connect({ isid: Buffer.from([0x80, 0, 0, 0, 0, 2]) });
    const a2 = await connect();
    await a.closed;
    await assert.rejects(running.done);
    assert.ok(unit().events.some((e) => e.kind === 'nexus-loss'));
    assert.equal((await b.command(0, TUR)).status, 0);
    assert.equal((await a2.command(0, TUR)).status, 0);
    assert.equal(h?.server.sessions().length, 2);
    unit().releaseAll();
    await a2.logout();
    await b.logout();
  });

  test('many concurrent sessions from one initiator name work side by side', async () => {
    await start();
    const sessions = await Promise.all(
      Array.from({ length: 24 }, (_, i) => connect({ isid: Buffer.from([0x80, 0, 0, 1, 0, i]) })),
    );
    assert.equal(h?.server.sessions().length, 24);
    const results = await Promise.all(sessions.map((s) => s.command(0, [0x12, 0, 0, 0, 36, 0], { expectedDataInLength: 36 })));
    assert.ok(results.every((r) => r.status === 0 && r.dataIn.length === 36));
    assert.deepEqual(await Promise.all(sessions.map((s) => s.logout())), sessions.map(() => 0));
  });

  test('NOP-Out is echoed; idle connections are pinged and kept while they answer', async () => {
    await start({ nopInIntervalMs: 30, nopInTimeoutMs: 200 });
    const s = await connect();
    assert.equal((await s.nop(Buffer.from('hello'))).toString(), 'hello');
    await sleep(200);
    assert.ok(s.pingsReceived.length >= 2);
    assert.ok(s.isOpen);
    await s.logout();
  });

  test('a connection that does not answer NOP-In pings is dropped after the timeout', async () => {
    await start({ nopInIntervalMs: 30, nopInTimeoutMs: 60 });
    const s = await connect({ answerPings: false });
    await s.closed;
    assert.ok(s.pingsReceived.length >= 1);
    assert.equal(h?.server.sessions().length, 0);
  });

  test('a write that would exceed the session write budget is answered TASK SET FULL', async () => {
    await start({ sessionWriteBudgetBytes: 1048576 });
    const s = await connect({ immediateData: false, initialR2T: true });
    let release: () => void = () => undefined;
    const hold = new Promise<void>((r) => (release = r));
    const big = Buffer.alloc(786432, 1);
    const consume = [FakeOp.CONSUME, 0, 0, 0x0c, 0, 0];
    const first = await s.startCommand(0, consume, { dataOut: big, holdDataOut: hold });
    const second = await s.command(0, consume, { dataOut: big });
    assert.equal(second.status, 0x28);
    release();
    assert.equal((await first.done).status, 0);
    assert.equal((await s.command(0, consume, { dataOut: big })).status, 0, 'the budget is given back');
    await s.logout();
  });

  test('server close() lets running commands finish, then closes the connections', async () => {
    await start();
    const s = await connect();
    const c = await s.startCommand(0, block(5));
    await unit().whenBlocked(1);
    assert.ok(h);
    const closing = h.server.close();
    await sleep(20);
    assert.ok(s.isOpen);
    unit().releaseAll();
    assert.equal((await c.done).status, 0);
    await closing;
    await s.closed;
    h = undefined;
  });

  test('logout closes the session after its running commands finish', async () => {
    await start();
    const s = await connect();
    const c = await s.startCommand(0, block(3));
    await unit().whenBlocked(1);
    const logout = s.logout();
    await sleep(20);
    unit().releaseAll();
    assert.equal((await c.done).status, 0);
    assert.equal(await logout, 0);
    await s.closed;
  });

  test('logout for connection recovery is answered not supported; a wrong CID is not found', async () => {
    await start();
    const s = await connect();
    const itt = s.nextItt();
    const { header } = await import('../initiator/pdu-builder.js');
    const bhs = header(0x06, true, 0x80 | 2);
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(s.cmdSN, 24);
    assert.equal((await s.exchange(itt, bhs)).bhs[2], 2);
    const itt2 = s.nextItt();
    const bhs2 = header(0x06, true, 0x80 | 1);
    bhs2.writeUInt32BE(itt2, 16);
    bhs2.writeUInt16BE(99, 20);
    bhs2.writeUInt32BE(s.cmdSN, 24);
    assert.equal((await s.exchange(itt2, bhs2)).bhs[2], 1);
    assert.equal(await s.logout(), 0);
  });
});
