import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc32c } from '../crc32c.js';
import fc from 'fast-check';
import { IscsiProtocolError } from './iscsi-protocol-error.js';
import { PduReader } from './pdu-reader.js';
import type { PduReaderOptions, ReceivedPdu } from './pdu-reader.js';
import { encodePdu } from './pdu-writer.js';

/** NOP-Out, ITT 0x11223344, data "hello" (5 bytes + 3 pad), hand-built from RFC 7143 11.18. */
const NOP_OUT_HELLO = Buffer.from(
  '4080000000000005' + '0000000000000000' + '11223344' + 'ffffffff' + '00000001' + '00000000' +
    '00'.repeat(16) + '68656c6c6f000000',
  'hex',
);
/** NOP-Out without data, ITT 0x55667788. */
const NOP_OUT_EMPTY = Buffer.from('4080000000000000' + '00'.repeat(8) + '55667788' + 'ffffffff' + '00'.repeat(24), 'hex');

function reader(o: Partial<PduReaderOptions> = {}): { r: PduReader; got: ReceivedPdu[] } {
  const got: ReceivedPdu[] = [];
  const r = new PduReader({
    maxDataSegmentLength: () => 8192,
    headerDigest: () => false,
    dataDigest: () => false,
    onPdu: (p) => got.push(p),
    ...o,
  });
  return { r, got };
}

/** Wire form built here from RFC 7143 11.2 (not with encodePdu): BHS, AHS, header digest, data, padding, data digest. */
function wireOf(bhs: Buffer, ahs: Buffer, data: Buffer, digests: boolean): Buffer[] {
  const parts = [bhs, ahs];
  if (digests) parts.push(le32(crc32c(ahs, crc32c(bhs))));
  if (data.length > 0) {
    const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    parts.push(padded);
    if (digests) parts.push(le32(crc32c(padded)));
  }
  return parts;
}

function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

describe('PduReader', () => {
  test('a PDU fed one byte at a time comes out once, with padding removed', () => {
    const { r, got } = reader();
    for (const b of NOP_OUT_HELLO) r.push(Buffer.from([b]));
    assert.equal(got.length, 1);
    assert.equal(got[0].data.toString(), 'hello');
    assert.equal(got[0].bhs.readUInt32BE(16), 0x11223344);
    assert.equal(r.midPdu, false);
  });

  test('two PDUs split at every offset come out identical', () => {
    const stream = Buffer.concat([NOP_OUT_HELLO, NOP_OUT_EMPTY, NOP_OUT_HELLO]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const { r, got } = reader();
      r.push(stream.subarray(0, cut));
      r.push(stream.subarray(cut));
      assert.deepEqual(got.map((p) => p.bhs.readUInt32BE(16)), [0x11223344, 0x55667788, 0x11223344], `cut at ${cut}`);
      assert.equal(got[2].data.toString(), 'hello');
    }
  });

  test('a large data segment read straight into place, with digests, in parts and around chunks, comes out whole', () => {
    const data = Buffer.from(Array.from({ length: 70_001 }, (_, i) => (i * 31) & 0xff));
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x40;
    bhs.writeUInt32BE(data.length, 4); // TotalAHSLength 0, DataSegmentLength
    const wire = Buffer.concat(encodePdu(bhs, data, { headerDigest: true, dataDigest: true }));
    const place = Buffer.alloc(data.length);
    const { r, got } = reader({
      maxDataSegmentLength: () => 1 << 20, headerDigest: () => true, dataDigest: () => true, placeData: () => place,
    });
    assert.equal(r.inPlaceTarget(1), undefined, 'not before the header');
    r.push(wire.subarray(0, 52 + 1000)); // header, digest and the first 1000 data bytes go through a chunk
    let at = 52 + 1000;
    for (const part of [30_000, 39_001]) {
      const target = r.inPlaceTarget(1);
      assert.ok(target !== undefined && target.buffer === place.buffer && target.byteOffset === at - 52);
      wire.copy(target, 0, at, at + part);
      r.receivedInPlace(part, target);
      at += part;
    }
    assert.equal(r.inPlaceTarget(1), undefined, 'the segment is complete');
    assert.equal(got.length, 0, 'the padding and the data digest are still to come');
    r.push(wire.subarray(at));
    assert.equal(got.length, 1);
    assert.equal(got[0].dataDigestError, false);
    assert.ok(got[0].data.equals(data));
    assert.equal(r.inPlaceTarget(1 << 20), undefined);
  });

  test('a read into the region lent by inPlaceTarget() that completes after stop() is discarded, not an error', () => {
    const { r, got } = reader({ maxDataSegmentLength: () => 4096 });
    const bhs = Buffer.from(NOP_OUT_EMPTY.subarray(0, 48));
    bhs.writeUInt32BE(1000, 4);
    r.push(bhs);
    const target = r.inPlaceTarget(1);
    assert.ok(target !== undefined && target.length === 1000);
    r.stop();
    target.fill(7, 0, 500);
    r.receivedInPlace(500, target);
    r.push(Buffer.alloc(600));
    assert.deepEqual(got, []);
  });

  test('a read reported into a region the reader did not lend (or a second time) is an internal error', () => {
    const { r } = reader({ maxDataSegmentLength: () => 4096 });
    const bhs = Buffer.from(NOP_OUT_EMPTY.subarray(0, 48));
    bhs.writeUInt32BE(1000, 4);
    r.push(bhs);
    const target = r.inPlaceTarget(1);
    assert.ok(target !== undefined);
    assert.throws(() => r.receivedInPlace(10, Buffer.alloc(1000)), /without a matching inPlaceTarget/);
    const again = r.inPlaceTarget(1);
    assert.ok(again !== undefined);
    r.receivedInPlace(10, again);
    assert.throws(() => r.receivedInPlace(10, again), /without a matching inPlaceTarget/);
  });

  test('a DataSegmentLength above the limit is refused from the header alone, before any data is buffered', () => {
    const { r } = reader({ maxDataSegmentLength: () => 4 });
    const header = NOP_OUT_HELLO.subarray(0, 48);
    assert.throws(() => r.push(header), (e: unknown) => e instanceof IscsiProtocolError && e.fatal && /exceeds/.test(e.message));
    assert.equal(r.bufferedBytes, 0);
  });

  test('the RFC 7143 B.4 vector: CRC32C of 32 zero bytes goes on the wire as aa 36 91 8a', () => {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x20;
    const data = Buffer.alloc(32);
    const parts = encodePdu(bhs, data, { headerDigest: false, dataDigest: true });
    assert.deepEqual(parts[parts.length - 1], Buffer.from([0xaa, 0x36, 0x91, 0x8a]));
  });

  test('with digests on, a good PDU passes, a bad data digest is flagged and a bad header digest is fatal', () => {
    const bhs = Buffer.from(NOP_OUT_HELLO.subarray(0, 48));
    const hd = Buffer.alloc(4);
    hd.writeUInt32LE(crc32c(bhs));
    const padded = NOP_OUT_HELLO.subarray(48);
    const dd = Buffer.alloc(4);
    dd.writeUInt32LE(crc32c(padded));
    const wire = Buffer.concat([bhs, hd, padded, dd]);
    const on = { headerDigest: () => true, dataDigest: () => true };
    const ok = reader(on);
    ok.r.push(wire);
    assert.equal(ok.got.length, 1);
    assert.equal(ok.got[0].dataDigestError, false);
    const badData = Buffer.from(wire);
    badData[52] ^= 0x01;
    const bd = reader(on);
    bd.r.push(badData);
    assert.equal(bd.got[0].dataDigestError, true);
    const badHeader = Buffer.from(wire);
    badHeader[20] ^= 0x80;
    const bh = reader(on);
    assert.throws(() => bh.r.push(badHeader), (e: unknown) => e instanceof IscsiProtocolError && e.fatal);
  });

  test('AHS bytes are returned and data lands in the region placeData gives', () => {
    const target = Buffer.alloc(16, 0xee);
    const { r, got } = reader({ placeData: (_b, _a, n) => target.subarray(4, 4 + n) });
    const bhs = Buffer.from(NOP_OUT_HELLO.subarray(0, 48));
    bhs[4] = 2;
    const ahs = Buffer.from('0005020000000400', 'hex');
    r.push(Buffer.concat([bhs, ahs, NOP_OUT_HELLO.subarray(48)]));
    assert.deepEqual(got[0].ahs, ahs);
    assert.equal(target.subarray(4, 9).toString(), 'hello');
    assert.equal(got[0].data.buffer, target.buffer);
  });

  test('streams of valid PDUs (AHS, padding, digests) then garbage, in random splits: every valid PDU comes out exactly', () => {
    const pduArb = fc.record({
      opcode: fc.constantFrom(0x00, 0x01, 0x04, 0x05, 0x06, 0x42),
      ahsWords: fc.nat({ max: 3 }),
      dataLength: fc.oneof(fc.constant(0), fc.nat({ max: 1024 })),
      seed: fc.nat({ max: 255 }),
    });
    fc.assert(
      fc.property(
        fc.array(pduArb, { maxLength: 12 }),
        fc.option(fc.uint8Array({ minLength: 1, maxLength: 600 }), { nil: undefined }),
        fc.boolean(),
        fc.array(fc.nat({ max: 1500 }), { maxLength: 30 }),
        (specs, garbage, digests, cuts) => {
          const sent = specs.map((p) => {
            const bhs = Buffer.alloc(48, p.seed);
            bhs[0] = p.opcode;
            bhs[4] = p.ahsWords;
            bhs.writeUIntBE(p.dataLength, 5, 3);
            const ahs = Buffer.alloc(p.ahsWords * 4, p.seed ^ 0x5a);
            const data = Buffer.from(Array.from({ length: p.dataLength }, (_, i) => (i + p.seed) & 0xff));
            return { bhs, ahs, data };
          });
          const wire = Buffer.concat([...sent.flatMap((p) => wireOf(p.bhs, p.ahs, p.data, digests)), Buffer.from(garbage ?? [])]);
          const { r, got } = reader({ maxDataSegmentLength: () => 1024, headerDigest: () => digests, dataDigest: () => digests });
          let at = 0;
          try {
            for (const c of [...cuts, wire.length]) {
              const end = Math.min(wire.length, at + c);
              r.push(wire.subarray(at, end));
              at = end;
              // Only an incomplete header (BHS + AHS + digest) is ever held outside a placed data segment.
              assert.ok(r.bufferedBytes < 1020 + 4);
            }
          } catch (e) {
            if (!(e instanceof IscsiProtocolError) || garbage === undefined) throw e;
          }
          assert.deepEqual(
            got.slice(0, sent.length).map((p) => [p.bhs, p.ahs, p.data, p.dataDigestError]),
            sent.map((p) => [p.bhs, p.ahs, p.data, false]),
          );
          if (garbage === undefined) {
            assert.equal(got.length, sent.length);
            assert.equal(r.midPdu, false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('random byte streams in random splits never throw anything but IscsiProtocolError and stay bounded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), fc.array(fc.nat({ max: 600 }), { maxLength: 20 }), (bytes, cuts) => {
        const { r } = reader({ maxDataSegmentLength: () => 1024 });
        const buf = Buffer.from(bytes);
        let at = 0;
        try {
          for (const c of [...cuts, buf.length]) {
            r.push(buf.subarray(at, Math.min(buf.length, at + c)));
            at = Math.min(buf.length, at + c);
            // Only an incomplete header (BHS + AHS + digest) is ever held outside a placed data segment.
            assert.ok(r.bufferedBytes < 1020 + 4);
          }
        } catch (e) {
          if (!(e instanceof IscsiProtocolError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
