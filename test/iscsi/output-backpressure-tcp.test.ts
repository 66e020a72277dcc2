// The output bound over a real loopback socket: the server's socket reads into a reused buffer (socket-input.ts),
// and pausing it must stop the kernel reads, so a client that never reads is held at the bound.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { frame, header, Op } from '../initiator/pdu-builder.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';

describe('output backpressure over TCP', { timeout: 60_000 }, () => {
  test('a client flooding 64 KiB NOP-Outs without reading is held at the bound, then gets every echo in order', async () => {
    const h = await startHarness();
    after(() => h.close());
    const s = await IscsiInitiator.connect({
      host: '127.0.0.1', port: h.port, targetName: TARGET, initiatorName: INITIATOR, maxBurstLength: 16384, maxRecvDataSegmentLength: 65536,
    });
    s.socket.pause();
    const count = 600; // 39 MB: more than the loopback socket buffers of both sides hold
    for (let i = 0; i < count; i++) {
      const nop = header(Op.NOP_OUT, true, 0x80);
      nop.writeUInt32BE(0x1000 + i, 16);
      nop.writeUInt32BE(0xffffffff, 20);
      nop.writeUInt32BE(s.cmdSN, 24);
      s.socket.write(frame(nop, Buffer.alloc(65536, i & 0xff), false, false));
    }
    const state = (): ReturnType<typeof h.server.outputStates>[number] | undefined => h.server.outputStates()[0];
    while (state()?.readingHeld !== true) await nextTurn();
    const held = state();
    assert.ok(held?.outputLimitBytes !== undefined && held.queuedOutputBytes <= held.outputLimitBytes + 65536 + 56, JSON.stringify(held));
    // The socket stopped reading: at most the rest of one 512 KiB read waits inside the server.
    for (let i = 0; i < 20; i++) await nextTurn();
    assert.ok((state()?.heldInputBytes ?? Infinity) <= 512 * 1024, JSON.stringify(state()));

    let got = 0;
    const all = new Promise<void>((resolve) => {
      const waiters = Array.from({ length: count }, (_, i) => s.waitFor(0x1000 + i).then((p) => {
        assert.equal(p.data.length, 65536);
        assert.equal(p.data[0], i & 0xff);
        got += 1;
      }));
      void Promise.all(waiters).then(() => resolve());
    });
    s.socket.resume();
    await all;
    assert.equal(got, count);
    assert.equal(state()?.readingHeld, false);
    await s.logout();
  });
});
