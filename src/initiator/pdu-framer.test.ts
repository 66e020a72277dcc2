import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PduFramer, InitiatorProtocolError } from './pdu-framer.js';
import type { Pdu } from './pdu.js';

/** A Data-In PDU built by hand (RFC 7143 11.7): opcode 0x25, data segment length in bytes 5-7, data padded to 4. */
function handBuiltDataIn(data: Buffer): Buffer {
  const bhs = Buffer.alloc(48);
  bhs[0] = 0x25;
  bhs[5] = (data.length >> 16) & 0xff;
  bhs[6] = (data.length >> 8) & 0xff;
  bhs[7] = data.length & 0xff;
  bhs.writeUInt32BE(7, 16);
  return Buffer.concat([bhs, data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
}

test('the framer yields the same PDUs whatever offset the stream is cut at', () => {
  const stream = Buffer.concat([handBuiltDataIn(Buffer.from('hello')), handBuiltDataIn(Buffer.alloc(0)), handBuiltDataIn(Buffer.from('tape!!!!'))]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const got: Pdu[] = [];
    const f = new PduFramer({ maxDataSegmentLength: 1024, digests: () => ({ header: false, data: false }), onPdu: (p) => got.push(p) });
    f.push(stream.subarray(0, cut));
    f.push(stream.subarray(cut));
    assert.deepEqual(got.map((p) => p.data.toString()), ['hello', '', 'tape!!!!'], `cut at ${cut}`);
    assert.equal(got[0].bhs.readUInt32BE(16), 7);
  }
});

test('the framer refuses a data segment over our MaxRecvDataSegmentLength before buffering it', () => {
  const f = new PduFramer({ maxDataSegmentLength: 4, digests: () => ({ header: false, data: false }), onPdu: () => assert.fail('no PDU') });
  assert.throws(() => f.push(handBuiltDataIn(Buffer.alloc(8)).subarray(0, 48)), InitiatorProtocolError);
});

test('the framer refuses a PDU whose header digest does not match', () => {
  const pdu = Buffer.concat([handBuiltDataIn(Buffer.alloc(0)), Buffer.from([1, 2, 3, 4])]);
  const f = new PduFramer({ maxDataSegmentLength: 64, digests: () => ({ header: true, data: false }), onPdu: () => assert.fail('no PDU') });
  assert.throws(() => f.push(pdu), /header digest mismatch/);
});
