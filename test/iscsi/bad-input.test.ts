// Malformed, oversized, out-of-order and corrupted input: the RFC's answer (Reject, login status, dropped
// connection), no crash, other sessions unaffected, memory bounded.
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, test } from 'node:test';
import fc from 'fast-check';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import type { InitiatorOptions } from '../initiator/iscsi-initiator.js';
import { encodeText, frame, header, lunField, Op } from '../initiator/pdu-builder.js';
import { connectionRig } from './connection-harness.js';
import { FakeOp } from './fake-unit.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const TUR = [0, 0, 0, 0, 0, 0];

function loginRequest(pairs: [string, string][], flags = 0x87, itt = 1): Buffer {
  const bhs = header(Op.LOGIN_REQUEST, true, flags);
  Buffer.from([0x80, 0, 0, 0, 0, 1]).copy(bhs, 8);
  bhs.writeUInt32BE(itt, 16);
  bhs.writeUInt32BE(1, 24);
  return frame(bhs, encodeText(pairs), false, false);
}

/** The Login Response headers in `out`; anything else there fails the test. */
function loginResponsesIn(out: Buffer): Buffer[] {
  const found: Buffer[] = [];
  let at = 0;
  while (at + 48 <= out.length) {
    assert.equal(out[at] & 0x3f, Op.LOGIN_RESPONSE);
    found.push(out.subarray(at, at + 48));
    at += 48 + ((out.readUIntBE(at + 5, 3) + 3) & ~3);
  }
  assert.equal(at, out.length, 'whole PDUs only');
  return found;
}

describe('bad input', () => {
  let h: Harness | undefined;
  const start = async (o: Parameters<typeof startHarness>[0] = {}): Promise<Harness> => (h = await startHarness(o));
  const connect = (o: Partial<InitiatorOptions> = {}): Promise<IscsiInitiator> => {
    assert.ok(h);
    return IscsiInitiator.connect({ host: '127.0.0.1', port: h.port, targetName: TARGET, initiatorName: INITIATOR, ...o });
  };
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('an unknown opcode is rejected as a protocol error and the session goes on; a SNACK gets SNACK Reject', async () => {
    await start();
    const s = await connect();
    const bad = header(0x1c, true, 0x80);
    bad.writeUInt32BE(0x4242, 16);
    s.send(bad);
    const snack = header(Op.SNACK, false, 0x80);
    snack.writeUInt32BE(0x4343, 16);
    s.send(snack);
    assert.equal((await s.command(0, TUR)).status, 0);
    assert.deepEqual(s.rejects.map((r) => r[2]), [0x04, 0x03]);
    assert.equal(s.rejects[0].readUInt32BE(48 + 16), 0x4242, 'the rejected header is returned');
    await s.logout();
  });

  test('a DataSegmentLength above MaxRecvDataSegmentLength drops that connection only', async () => {
    await start({ limits: { maxRecvDataSegmentLength: 8192 } });
    const victim = await connect();
    const bystander = await connect({ isid: Buffer.from([0x80, 0, 0, 0, 0, 7]) });
    const bhs = header(Op.NOP_OUT, true, 0x80);
    bhs.writeUInt32BE(5, 16);
    bhs.writeUInt32BE(0xffffffff, 20);
    bhs[5] = 0x01; // 65536 bytes announced; none sent
    bhs.writeUInt32BE(victim.cmdSN, 24);
    victim.writeRaw(bhs);
    await victim.closed;
    assert.equal((await bystander.command(0, TUR)).status, 0);
    await bystander.logout();
  });

  test('a data digest error on immediate data gets Reject (data digest error) and CHECK CONDITION 47/05', async () => {
    await start();
    const s = await connect({ dataDigest: true });
    const itt = s.nextItt();
    const bhs = header(Op.SCSI_COMMAND, false, 0x80 | 0x20 | 1);
    lunField(0).copy(bhs, 8);
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(512, 20);
    bhs.writeUInt32BE(s.cmdSN, 24);
    s.cmdSN += 1;
    Buffer.from([FakeOp.CONSUME, 0, 0, 0, 2, 0]).copy(bhs, 32);
    bhs.writeUInt32BE(s.expStatSN, 28);
    const wire = frame(bhs, Buffer.alloc(512, 1), false, true);
    wire[wire.length - 1] ^= 0xff;
    const response = s.waitFor(itt);
    s.writeRaw(wire);
    const r = await response;
    assert.equal(r.bhs[0] & 0x3f, Op.SCSI_RESPONSE);
    assert.equal(r.bhs[3], 0x02);
    const sense = r.data.subarray(2);
    assert.equal(sense[2] & 0x0f, 0x0b);
    assert.deepEqual([sense[12], sense[13]], [0x47, 0x05]);
    assert.deepEqual(s.rejects.map((x) => x[2]), [0x02]);
    assert.equal((await s.command(0, TUR)).status, 0);
    await s.logout();
  });

  test('a Data-Out at the wrong offset or with the wrong DataSN is rejected as a protocol error', async () => {
    await start();
    const s = await connect({ immediateData: false, initialR2T: true });
    let release: () => void = () => undefined;
    const c = await s.startCommand(0, [FakeOp.CONSUME, 0, 0, 0, 0x10, 0], { dataOut: Buffer.alloc(4096), holdDataOut: new Promise((r) => (release = r)) });
    await sleep(20);
    const bhs = header(Op.DATA_OUT, false, 0x80);
    lunField(0).copy(bhs, 8);
    bhs.writeUInt32BE(c.itt, 16);
    bhs.writeUInt32BE(1, 20);
    bhs.writeUInt32BE(100, 40);
    s.send(bhs, Buffer.alloc(16));
    const wrongSN = header(Op.DATA_OUT, false, 0x80);
    lunField(0).copy(wrongSN, 8);
    wrongSN.writeUInt32BE(c.itt, 16);
    wrongSN.writeUInt32BE(1, 20);
    wrongSN.writeUInt32BE(5, 36); // DataSN 5 where 0 is due
    s.send(wrongSN, Buffer.alloc(16));
    await s.nop();
    assert.deepEqual(s.rejects.map((x) => x[2]), [0x04, 0x04]);
    // The test initiator gives up on a task whose PDU was rejected; the target still completes it.
    await assert.rejects(c.done, /rejected/);
    release();
    assert.equal((await s.command(0, TUR)).status, 0);
    await s.logout();
  });

  test('a first PDU that is not a Login Request gets status 02/0b and the connection closes', async () => {
    await start();
    assert.ok(h);
    const port = h.port;
    const reply = await new Promise<Buffer>((resolve) => {
      const sock = netConnect({ host: '127.0.0.1', port }, () => sock.write(frame(header(Op.NOP_OUT, true, 0x80), undefined, false, false)));
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('close', () => resolve(Buffer.concat(chunks)));
    });
    assert.equal(reply[0] & 0x3f, Op.LOGIN_RESPONSE);
    assert.deepEqual([reply[36], reply[37]], [0x02, 0x0b]);
  });

  test('a device that fails or answers nonsense yields HARDWARE ERROR 44/00 and the session goes on', async () => {
    await start();
    const s = await connect();
    for (const op of [FakeOp.GARBAGE, FakeOp.THROW]) {
      const r = await s.command(0, [op, 0, 0, 0, 0, 0]);
      assert.equal(r.status, 2);
      assert.deepEqual([r.sense?.[2], r.sense?.[12]], [0x04, 0x44]);
    }
    assert.equal((await s.command(0, TUR)).status, 0);
    await s.logout();
  });

  test('a connection that stalls in the middle of a PDU is dropped', async () => {
    await start({ nopInIntervalMs: 30, nopInTimeoutMs: 60 });
    // Nothing more arrives after the first 20 bytes of a header, not even answers to pings.
    const s = await connect({ answerPings: false });
    s.writeRaw(header(Op.NOP_OUT, true, 0x80).subarray(0, 20));
    await s.closed;
  });

  test('random login requests are answered or the connection is closed, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('InitiatorName', 'TargetName', 'SessionType', 'AuthMethod', 'CHAP_A', 'CHAP_R', 'MaxBurstLength', 'X-y', 'HeaderDigest'),
          fc.string({ maxLength: 40 })), { maxLength: 8 }),
        fc.integer({ min: 0, max: 255 }),
        async (pairs, flags) => {
          const rig = connectionRig();
          const replies: Buffer[] = [];
          rig.initiator.on('data', (c: Buffer) => replies.push(c));
          rig.initiator.write(loginRequest(pairs, flags));
          // The in-memory transport delivers within the turn; the target answers or closes before the next one.
          await nextTurn();
          const answers = loginResponsesIn(Buffer.concat(replies));
          assert.ok(answers.length === 1 || rig.connection.isClosing, 'a Login Response, or the connection closed');
          assert.ok(answers.length <= 1);
          if (answers[0]?.[36] !== 0 && answers.length === 1) assert.ok(rig.connection.isClosing, 'closed after a failed login');
          rig.connection.close('test done');
        },
      ),
      { numRuns: 150 },
    );
  });

  test('random sequences of login requests against a CHAP target get one login response each; a failure closes', async () => {
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('CHAP', 'None', 'CHAP,None', '5', '7,5', '0x00', 'alice', TARGET, INITIATOR, 'Normal', 'Discovery'));
    const key = fc.constantFrom('InitiatorName', 'TargetName', 'SessionType', 'AuthMethod', 'CHAP_A', 'CHAP_N', 'CHAP_R', 'CHAP_I', 'CHAP_C', 'MaxBurstLength', 'HeaderDigest');
    const request = fc.tuple(fc.array(fc.tuple(key, value), { maxLength: 6 }), fc.constantFrom(0x00, 0x01, 0x81, 0x83, 0x87, 0x40, 0xc7, 0x8b));
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 4 }), async (requests) => {
        const rig = connectionRig(undefined, undefined, { initiators: [], chap: { username: 'alice', secret: 'alice-secret-123' } });
        const replies: Buffer[] = [];
        rig.initiator.on('data', (c: Buffer) => replies.push(c));
        let sent = 0;
        for (const [pairs, flags] of requests) {
          if (rig.connection.isClosing) break;
          rig.initiator.write(loginRequest(pairs, flags));
          sent += 1;
          await nextTurn();
        }
        const answers = loginResponsesIn(Buffer.concat(replies));
        assert.equal(answers.length, sent, 'every request sent before a failure is answered');
        answers.forEach((a, i) => {
          if (a[36] !== 0) assert.ok(rig.connection.isClosing && i === answers.length - 1, 'a failure is the last answer and closes');
        });
        rig.connection.close('test done');
      }),
      { numRuns: 150 },
    );
  });

  test('mutated full-feature PDUs fed in random pieces never crash the target and memory stays bounded', async () => {
    // A valid session first, then mutated copies of valid PDUs.
    const seeds: Buffer[] = [];
    const cmd = header(Op.SCSI_COMMAND, false, 0xa1);
    cmd.writeUInt32BE(9, 16);
    cmd.writeUInt32BE(64, 20);
    cmd[32] = FakeOp.CONSUME;
    seeds.push(frame(cmd, Buffer.alloc(64, 3), false, false));
    const nop = header(Op.NOP_OUT, true, 0x80);
    nop.writeUInt32BE(10, 16);
    nop.writeUInt32BE(0xffffffff, 20);
    seeds.push(frame(nop, Buffer.from('abcd'), false, false));
    const tmf = header(Op.TASK_MGMT_REQUEST, true, 0x81);
    seeds.push(frame(tmf, undefined, false, false));
    const text = header(Op.TEXT_REQUEST, true, 0x80);
    seeds.push(frame(text, encodeText([['SendTargets', 'All']]), false, false));
    const dout = header(Op.DATA_OUT, false, 0x80);
    dout.writeUInt32BE(9, 16);
    seeds.push(frame(dout, Buffer.alloc(32), false, false));

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat({ max: 200 }), fc.nat({ max: 255 })), { maxLength: 6 })), { minLength: 1, maxLength: 6 }),
        fc.nat({ max: 1000 }),
        async (picks, seed) => {
          const { randomSplits } = await import('./duplex-pair.js');
          const rig = connectionRig(randomSplits(seed + 1));
          const s = await IscsiInitiator.connect({ host: '', port: 0, transport: rig.initiator, targetName: TARGET, initiatorName: INITIATOR });
          for (const [i, mutations] of picks) {
            const pdu = Buffer.from(seeds[i]);
            pdu.writeUInt32BE(s.cmdSN, 24);
            for (const [at, v] of mutations) if (at < pdu.length) pdu[at] = v;
            s.writeRaw(pdu);
            assert.ok(rig.connection.pendingInputBytes < 1024 + 4);
          }
          await sleep(2);
          rig.units.get(0)?.releaseAll();
          rig.connection.close('test done');
          await rig.connection.closed;
        },
      ),
      { numRuns: 120 },
    );
  });
});
