// Issue 22 finding 1: a peer that sends and never reads. Past the output bound the target stops reading (the
// in-memory transport pushes back as TCP does), and once the peer drains everything is answered in order.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { OUTPUT_SLACK_BYTES } from '../../src/iscsi/output-flow.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { frame, header, lunField, Op } from '../initiator/pdu-builder.js';
import { captureLog } from './capture-log.js';
import { connectionRig } from './connection-harness.js';
import type { ConnectionRig } from './connection-harness.js';
import { FakeOp } from './fake-unit.js';
import { INITIATOR, TARGET } from './harness.js';

const MAX_BURST = 16384;
const LIMIT = MAX_BURST + OUTPUT_SLACK_BYTES;

async function loggedIn(rig = connectionRig()): Promise<{ rig: ConnectionRig; s: IscsiInitiator; received: Buffer[] }> {
  const s = await IscsiInitiator.connect({
    host: '', port: 0, transport: rig.initiator, targetName: TARGET, initiatorName: INITIATOR, maxBurstLength: MAX_BURST,
  });
  const received: Buffer[] = [];
  rig.initiator.on('data', (c: Buffer) => received.push(c));
  assert.equal(rig.connection.output.limitBytes, LIMIT);
  return { rig, s, received };
}

/** [opcode, ITT, data] of each PDU in `bytes` (no digests). */
function pdusIn(bytes: Buffer): [number, number, Buffer][] {
  const out: [number, number, Buffer][] = [];
  for (let at = 0; at + 48 <= bytes.length; ) {
    const dsl = bytes.readUIntBE(at + 5, 3);
    out.push([bytes[at] & 0x3f, bytes.readUInt32BE(at + 16), bytes.subarray(at + 48, at + 48 + dsl)]);
    at += 48 + ((dsl + 3) & ~3);
  }
  return out;
}

/** Turn the event loop until `done()` (each hold and resume takes a few turns); a hang fails on the test's timeout. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await nextTurn();
}

/** Let the in-memory transport settle (everything in it happens within a few turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await nextTurn();
}

describe('output backpressure', { timeout: 30_000 }, () => {
  test('immediate NOP-Outs with data, never read: the target stops reading at its output bound, then answers all in order', async () => {
    const { rig, s, received } = await loggedIn();
    rig.initiator.pause();
    const count = 200;
    const payload = (i: number): Buffer => Buffer.alloc(8192, i & 0xff);
    for (let i = 0; i < count; i++) {
      const nop = header(Op.NOP_OUT, true, 0x80);
      nop.writeUInt32BE(0x100 + i, 16);
      nop.writeUInt32BE(0xffffffff, 20);
      nop.writeUInt32BE(s.cmdSN, 24);
      rig.initiator.write(frame(nop, payload(i), false, false));
    }
    await settle();
    assert.equal(rig.connection.output.isHolding, true);
    const queued = rig.connection.output.queuedBytes;
    assert.ok(queued > LIMIT && queued <= LIMIT + 8192 + 48, `queued ${queued}`);
    assert.ok(rig.initiator.writableLength > 0, 'the rest waits on the initiator side, not in the target');
    assert.ok(rig.connection.pendingInputBytes < 64 * 1024, 'at most one read is held inside the target');

    rig.initiator.resume();
    await until(() => pdusIn(Buffer.concat(received)).length >= count);
    const echoes = pdusIn(Buffer.concat(received));
    assert.equal(echoes.length, count);
    echoes.forEach(([op, itt, data], i) => {
      assert.equal(op, Op.NOP_IN);
      assert.equal(itt, 0x100 + i);
      assert.ok(data.equals(payload(i)), `echo ${i}`);
    });
    assert.equal(rig.connection.output.isHolding, false);
    assert.equal(rig.connection.output.queuedBytes, 0);
    rig.connection.close('test done');
  });

  test('immediate commands with data-in, never read: reading stops at the bound, then every command is answered', async () => {
    const { rig, s, received } = await loggedIn();
    rig.initiator.pause();
    const count = 1000;
    for (let i = 0; i < count; i++) {
      const cmd = header(Op.SCSI_COMMAND, true, 0x80 | 0x40 | 1);
      lunField(0).copy(cmd, 8);
      cmd.writeUInt32BE(0x200 + i, 16);
      cmd.writeUInt32BE(4096, 20);
      cmd.writeUInt32BE(s.cmdSN, 24);
      Buffer.from([FakeOp.PRODUCE, 0, 0, 0, 0x10, 0]).copy(cmd, 32);
      rig.initiator.write(frame(cmd, undefined, false, false));
    }
    await settle();
    assert.equal(rig.connection.output.isHolding, true);
    const queued = rig.connection.output.queuedBytes;
    // Held past the bound on the reservations; the responses queued since are smaller than reserved, and reading
    // resumes only below half the bound.
    assert.ok(queued > LIMIT / 2 && queued <= LIMIT + 4096 + 2 * 1024, `queued ${queued}`);
    assert.ok(rig.initiator.writableLength > 0);

    rig.initiator.resume();
    const answered = (): number[] => pdusIn(Buffer.concat(received)).filter(([op]) => op === Op.DATA_IN).map(([, itt]) => itt);
    await until(() => answered().length >= count);
    assert.deepEqual([...new Set(answered())].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => 0x200 + i));
    assert.equal(rig.connection.output.queuedBytes, 0);
    rig.connection.close('test done');
  });

  test('commands the CmdSN window releases together wait for the device while output is over the bound, then run in order', async () => {
    const { rig, s, received } = await loggedIn();
    rig.initiator.pause();
    const depth = 16;
    const first = s.cmdSN;
    const read = (cmdSN: number): Buffer => {
      const cmd = header(Op.SCSI_COMMAND, false, 0x80 | 0x40 | 1);
      lunField(0).copy(cmd, 8);
      cmd.writeUInt32BE(0x300 + cmdSN - first, 16);
      cmd.writeUInt32BE(8192, 20);
      cmd.writeUInt32BE(cmdSN, 24);
      Buffer.from([FakeOp.PRODUCE, 0, 0, 0, 0x20, 0]).copy(cmd, 32);
      return frame(cmd, undefined, false, false);
    };
    // The first CmdSN last: the window then hands all of them on at once.
    for (let i = 1; i < depth; i++) rig.initiator.write(read(first + i));
    rig.initiator.write(read(first));
    await settle();
    assert.equal(rig.connection.output.isHolding, true);
    const queued = rig.connection.output.queuedBytes;
    assert.ok(queued > LIMIT / 2 && queued <= LIMIT + 8192 + 2 * 1024, `queued ${queued}`);
    const reached = rig.units.get(0)?.arrivals.length ?? 0;
    assert.ok(reached > 0 && reached < depth, `${reached} of ${depth} reached the device, the rest wait`);

    rig.initiator.resume();
    const answered = (): number[] => pdusIn(Buffer.concat(received)).filter(([op]) => op === Op.DATA_IN).map(([, itt]) => itt);
    await until(() => answered().length >= depth);
    assert.deepEqual(answered(), Array.from({ length: depth }, (_, i) => 0x300 + i));
    rig.connection.close('test done');
  });

  test('a peer that reads none of its output while reading is held is dropped after the NOP timeout, with one log line', async () => {
    const captured = captureLog();
    const { rig, s } = await loggedIn(connectionRig(undefined, captured.log, undefined, { nopInIntervalMs: 10, nopInTimeoutMs: 40 }));
    rig.initiator.pause();
    for (let i = 0; i < 50; i++) {
      const nop = header(Op.NOP_OUT, true, 0x80);
      nop.writeUInt32BE(0x400 + i, 16);
      nop.writeUInt32BE(0xffffffff, 20);
      nop.writeUInt32BE(s.cmdSN, 24);
      rig.initiator.write(frame(nop, Buffer.alloc(8192), false, false));
    }
    await settle();
    assert.equal(rig.connection.output.isHolding, true);
    await rig.connection.closed;
    assert.equal(captured.records().filter((r) => /peer read none of its output/.test(String(r.msg))).length, 1);
    assert.equal(captured.records().filter((r) => /no answer to NOP-In/.test(String(r.msg))).length, 0, 'no ping while held');
  });

  test('one read larger than the bound at a time streams without holding; two at once hold until the first is answered', async () => {
    const { rig, s } = await loggedIn();
    const big = 200 * 1024;
    const cdb = [FakeOp.PRODUCE, 0, 0, 0x03, 0x20, 0];
    for (let i = 0; i < 3; i++) assert.equal((await s.command(0, cdb, { expectedDataInLength: big })).dataIn.length, big);
    assert.equal(rig.connection.output.holds, 0);
    const both = await Promise.all([s.startCommand(0, cdb, { expectedDataInLength: big }), s.startCommand(0, cdb, { expectedDataInLength: big })]);
    const results = await Promise.all(both.map((c) => c.done));
    assert.deepEqual(results.map((r) => r.dataIn.length), [big, big]);
    assert.ok(rig.connection.output.holds >= 1);
    rig.connection.close('test done');
  });

  test('commands refused before the device leave no reservation behind: a large read after them still streams without holding', async () => {
    const { rig, s } = await loggedIn();
    // A write above 64 MiB is refused (55/03) before any buffer or device.
    const cmd = header(Op.SCSI_COMMAND, false, 0x80 | 0x20 | 1);
    lunField(0).copy(cmd, 8);
    cmd.writeUInt32BE(0x77, 16);
    cmd.writeUInt32BE(64 * 1024 * 1024 + 1, 20);
    cmd.writeUInt32BE(s.cmdSN, 24);
    s.cmdSN += 1;
    const refused = s.waitFor(0x77);
    s.writeRaw(frame(cmd, undefined, false, false));
    assert.equal((await refused).bhs[3], 0x02, 'CHECK CONDITION');
    const big = 200 * 1024;
    assert.equal((await s.command(0, [FakeOp.PRODUCE, 0, 0, 0x03, 0x20, 0], { expectedDataInLength: big })).dataIn.length, big);
    assert.equal(rig.connection.output.holds, 0);
    assert.equal(rig.connection.output.queuedBytes, 0);
    rig.connection.close('test done');
  });
});
