// Issue 22 finding 4: a read the socket has already aimed at the rest of a data segment can complete after the
// connection stopped reading (a Logout Request in the same send as a large NOP-Out). Driven through the real
// onread routing (socket-input.ts), with a fake kernel that hands out the bytes as TCP would.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { readRouting } from '../../src/iscsi/socket-input.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { frame, header, Op } from '../initiator/pdu-builder.js';
import { captureLog } from './capture-log.js';
import { connectionRig } from './connection-harness.js';
import { INITIATOR, TARGET } from './harness.js';

const NOP_DATA_BYTES = 600;

function logoutThenNop(cmdSN: number): Buffer {
  const logout = header(Op.LOGOUT_REQUEST, true, 0x80);
  logout.writeUInt32BE(0x71, 16);
  logout.writeUInt32BE(cmdSN, 24);
  const nop = header(Op.NOP_OUT, true, 0x80);
  nop.writeUInt32BE(0x72, 16);
  nop.writeUInt32BE(0xffffffff, 20);
  nop.writeUInt32BE(cmdSN, 24);
  const data = Buffer.alloc(NOP_DATA_BYTES);
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
  return Buffer.concat([frame(logout, undefined, false, false), frame(nop, data, false, false)]);
}

/** Opcodes and ITTs of the PDUs in `bytes` (whole PDUs only, no digests). */
function pdusIn(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 48 <= bytes.length; ) {
    out.push(`${(bytes[at] & 0x3f).toString(16)}:${bytes.readUInt32BE(at + 16).toString(16)}`);
    at += 48 + ((bytes.readUIntBE(at + 5, 3) + 3) & ~3);
  }
  return out;
}

/**
 * Logs in over the rig's duplex, then sends `sends` through the onread routing: each read takes what the buffer the
 * routing chose can hold, never across a send, and the event loop turns between reads (as between two TCP reads).
 */
async function replay(sends: Buffer[], sharedBytes: number): Promise<{ answers: string[]; log: string[] }> {
  const captured = captureLog();
  const rig = connectionRig(undefined, captured.log);
  const s = await IscsiInitiator.connect({ host: '', port: 0, transport: rig.initiator, targetName: TARGET, initiatorName: INITIATOR });
  const out: Buffer[] = [];
  rig.initiator.on('data', (c: Buffer) => out.push(c));
  const routing = readRouting(Buffer.alloc(sharedBytes), {
    receive: (chunk) => rig.connection.receive(chunk),
    target: () => rig.connection.readTarget(1),
    receivedInPlace: (bytes, into) => rig.connection.receiveInPlace(bytes, into),
  });
  let into = routing.buffer();
  for (const send of sends) {
    for (let at = 0; at < send.length && !rig.connection.isClosed; ) {
      const n = Math.min(into.length, send.length - at);
      send.copy(into, 0, at, at + n);
      at += n;
      routing.callback(n, into);
      into = routing.buffer();
      await nextTurn();
    }
  }
  await nextTurn();
  assert.ok(rig.connection.isClosing, 'the logout closes the connection');
  s.destroy();
  await rig.connection.closed;
  return { answers: pdusIn(Buffer.concat(out)), log: captured.lines };
}

describe('in-place receive', () => {
  test('a Logout Request and a large NOP-Out split at every offset or coalesced: the Logout is answered, no internal error', async () => {
    const stream = logoutThenNop(2);
    // cut 0 and cut = length: the whole stream in one send.
    for (let cut = 0; cut <= stream.length; cut++) {
      const sends = [stream.subarray(0, cut), stream.subarray(cut)].filter((b) => b.length > 0);
      const { answers, log } = await replay(sends, 4096);
      assert.deepEqual(log.filter((l) => /internal error/.test(l)), [], `cut at ${cut}`);
      // The NOP-Out is answered when it arrives in the read that completes the Logout Request (which is answered
      // on the next turn of the event loop); bytes after that are not read any more.
      const nopWithLogout = cut < 48 || cut === stream.length;
      assert.deepEqual(answers, nopWithLogout ? ['20:72', '26:71'] : ['26:71'], `cut at ${cut}`);
    }
  });
});
