// Data-In splitting, status in the final Data-In, residuals, immediate/unsolicited/R2T data-out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import type { InitiatorOptions } from '../initiator/iscsi-initiator.js';
import { FakeOp } from './fake-unit.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';
import type { Harness } from './harness.js';

function cdb(op: number, n: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = op;
  b.writeUInt32BE(n, 2);
  return b;
}

function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('data transfer', () => {
  let h: Harness;
  const connect = (o: Partial<InitiatorOptions> = {}): Promise<IscsiInitiator> =>
    IscsiInitiator.connect({ host: '127.0.0.1', port: h.port, targetName: TARGET, initiatorName: INITIATOR, ...o });

  before(async () => {
    h = await startHarness({ limits: { maxRecvDataSegmentLength: 16384, maxBurstLength: 65536, firstBurstLength: 32768 } });
  });
  after(() => h.close());

  test('Data-In is split at the initiator MaxRecvDataSegmentLength and carries the status (S bit)', async () => {
    const s = await connect({ maxRecvDataSegmentLength: 8192 });
    const r = await s.command(0, cdb(FakeOp.PRODUCE, 20000), { expectedDataInLength: 20000 });
    assert.equal(r.status, 0);
    assert.equal(r.statusInDataIn, true);
    assert.deepEqual(r.dataInSegments, [8192, 8192, 3616]);
    assert.equal(r.dataIn.length, 20000);
    for (let i = 0; i < 20000; i += 997) assert.equal(r.dataIn[i], i & 0xff);
    assert.equal(r.residualOverflow, undefined);
    assert.equal(r.residualUnderflow, undefined);
    await s.logout();
  });

  test('a short read reports residual underflow and a long one residual overflow', async () => {
    const s = await connect();
    const under = await s.command(0, cdb(FakeOp.PRODUCE, 100), { expectedDataInLength: 200 });
    assert.equal(under.dataIn.length, 100);
    assert.equal(under.residualUnderflow, 100);
    const over = await s.command(0, cdb(FakeOp.PRODUCE, 300), { expectedDataInLength: 200 });
    assert.equal(over.dataIn.length, 200);
    assert.equal(over.residualOverflow, 100);
    const none = await s.command(0, cdb(FakeOp.PRODUCE, 0), { expectedDataInLength: 64 });
    assert.equal(none.statusInDataIn, false);
    assert.equal(none.residualUnderflow, 64);
    await s.logout();
  });

  test('CHECK CONDITION comes in a SCSI Response with sense after the Data-In', async () => {
    const s = await connect();
    const r = await s.command(0, cdb(FakeOp.FAIL, 10), { expectedDataInLength: 10 });
    assert.equal(r.status, 2);
    assert.equal(r.statusInDataIn, false);
    assert.equal(r.dataIn.length, 10);
    assert.ok(r.sense);
    assert.equal(r.sense[0] & 0x7f, 0x70);
    assert.equal(r.sense[2] & 0x0f, 0x03);
    assert.equal(r.sense[12], 0x11);
    await s.logout();
  });

  test('a write with immediate data only reaches the unit whole', async () => {
    const s = await connect();
    const data = pattern(1000);
    const unit = h.units.get(0);
    assert.ok(unit);
    const before = unit.received.length;
    const r = await s.command(0, cdb(FakeOp.CONSUME, 1000), { dataOut: data });
    assert.equal(r.status, 0);
    assert.deepEqual(r.r2ts, []);
    assert.ok(unit.received[before].equals(data));
    await s.logout();
  });

  test('write residuals: the CDB needing less is underflow, needing more is overflow', async () => {
    const s = await connect();
    const under = await s.command(0, cdb(FakeOp.CONSUME, 500), { dataOut: pattern(1000) });
    assert.equal(under.residualUnderflow, 500);
    const over = await s.command(0, cdb(FakeOp.CONSUME, 2000), { dataOut: pattern(1000) });
    assert.equal(over.residualOverflow, 1000);
    await s.logout();
  });

  test('with InitialR2T=Yes and no immediate data every byte is solicited in MaxBurstLength sequences', async () => {
    const s = await connect({ immediateData: false, initialR2T: true, maxBurstLength: 65536 });
    const data = pattern(200000, 3);
    const unit = h.units.get(1);
    assert.ok(unit);
    const r = await s.command(1, cdb(FakeOp.CONSUME, 200000), { dataOut: data });
    assert.equal(r.status, 0);
    assert.deepEqual(r.r2ts, [
      { offset: 0, length: 65536 },
      { offset: 65536, length: 65536 },
      { offset: 131072, length: 65536 },
      { offset: 196608, length: 3392 },
    ]);
    assert.ok(unit.received[unit.received.length - 1].equals(data));
    await s.logout();
  });

  test('immediate data, then unsolicited Data-Out up to FirstBurstLength, then R2Ts for the rest', async () => {
    const s = await connect({ immediateData: true, initialR2T: false, firstBurstLength: 1048576, maxOutstandingR2T: 2 });
    assert.equal(s.negotiated.get('FirstBurstLength'), '32768');
    assert.equal(s.negotiated.get('InitialR2T'), 'No');
    const data = pattern(150000, 9);
    const unit = h.units.get(0);
    assert.ok(unit);
    const r = await s.command(0, cdb(FakeOp.CONSUME, 150000), { dataOut: data });
    assert.equal(r.status, 0);
    assert.deepEqual(r.r2ts, [
      { offset: 32768, length: 65536 },
      { offset: 98304, length: 51696 },
    ]);
    assert.ok(unit.received[unit.received.length - 1].equals(data));
    await s.logout();
  });

  test('a 1 MiB write arrives as one buffer of exactly the expected length', async () => {
    const big = await startHarness({ limits: { maxRecvDataSegmentLength: 262144, firstBurstLength: 262144 } });
    try {
      const s = await IscsiInitiator.connect({
        host: '127.0.0.1', port: big.port, targetName: TARGET, initiatorName: INITIATOR, initialR2T: false, firstBurstLength: 262144,
      });
      const data = pattern(1048576, 5);
      const r = await s.command(0, cdb(FakeOp.CONSUME, 1048576), { dataOut: data });
      assert.equal(r.status, 0);
      const got = big.units.get(0)?.received[0];
      assert.ok(got);
      assert.equal(got.length, 1048576);
      // The unit's buffer is the task buffer itself, not a view into a larger socket chunk.
      assert.equal(got.byteOffset, 0);
      assert.ok(got.equals(data));
      await s.logout();
    } finally {
      await big.close();
    }
  });

  test('an Extended CDB AHS lengthens the CDB and a bidirectional read length reaches the device', async () => {
    const s = await connect({ headerDigest: true });
    const long = Buffer.alloc(20);
    long[0] = FakeOp.PRODUCE;
    long.writeUInt32BE(8, 2);
    long[19] = 0x5a;
    const r = await s.command(1, long, { expectedDataInLength: 8 });
    assert.equal(r.status, 0);
    const seen = h.units.get(1)?.last;
    assert.equal(seen?.cdb.length, 20);
    assert.equal(seen?.cdb[19], 0x5a);
    const bidi = await s.command(1, cdb(FakeOp.CONSUME, 16), { dataOut: pattern(16), bidiReadLength: 100 });
    assert.equal(bidi.status, 0);
    assert.equal(h.units.get(1)?.last?.expectedDataInLength, 100);
    assert.equal(h.units.get(1)?.last?.expectedDataOutLength, 16);
    await s.logout();
  });

  test('header and data digests protect every PDU in both directions', async () => {
    const s = await connect({ headerDigest: true, dataDigest: true, maxRecvDataSegmentLength: 4096 });
    assert.equal(s.negotiated.get('HeaderDigest'), 'CRC32C');
    assert.equal(s.negotiated.get('DataDigest'), 'CRC32C');
    const w = await s.command(0, cdb(FakeOp.CONSUME, 50001), { dataOut: pattern(50001) });
    assert.equal(w.status, 0);
    const r = await s.command(0, cdb(FakeOp.PRODUCE, 10001), { expectedDataInLength: 10001 });
    assert.equal(r.dataIn.length, 10001);
    assert.equal(r.dataInSegments.length, 3);
    assert.equal((await s.nop(Buffer.from('ping!'))).toString(), 'ping!');
    await s.logout();
  });
});
