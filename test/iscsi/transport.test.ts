// The connection over an injected transport: a whole session fed one byte at a time and in random splits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { connectionRig } from './connection-harness.js';
import { bytewise, randomSplits } from './duplex-pair.js';
import { FakeOp } from './fake-unit.js';
import { INITIATOR, TARGET } from './harness.js';

function data(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 1) & 0xff;
  return b;
}

describe('connection over an injected transport', () => {
  for (const [name, rechunk] of [['one byte at a time', bytewise], ['random splits', randomSplits(42)]] as const) {
    test(`login, digests, a write with R2T and a read all work with the target fed ${name}`, async () => {
      const rig = connectionRig(rechunk);
      const s = await IscsiInitiator.connect({
        host: '', port: 0, transport: rig.initiator, targetName: TARGET, initiatorName: INITIATOR,
        headerDigest: true, dataDigest: true, initialR2T: true, immediateData: true, firstBurstLength: 4096, maxBurstLength: 16384,
      });
      const out = data(40000);
      const cdbW = Buffer.from([FakeOp.CONSUME, 0, 0, 0, 0x9c, 0x40]);
      const w = await s.command(0, cdbW, { dataOut: out });
      assert.equal(w.status, 0);
      assert.equal(w.r2ts.length, 3);
      assert.ok(rig.units.get(0)?.received[0].equals(out));
      const r = await s.command(0, Buffer.from([FakeOp.PRODUCE, 0, 0, 0, 0x27, 0x10]), { expectedDataInLength: 10000 });
      assert.equal(r.dataIn.length, 10000);
      assert.equal(await s.logout(), 0);
      await rig.connection.closed;
    });
  }
});
