// The SSC CDB decoders on hand-built CDBs (bytes as SSC-4 lays them out) and on random ones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DataDirection } from '../command.js';
import { decodeLocate10, decodeLocate16 } from './locate.js';
import { decodeRead6 } from './read.js';
import { decodeSpace16, decodeSpace6 } from './space.js';
import { decodeVerify6 } from './verify.js';
import { decodeWrite6, decodeWriteFilemarks6 } from './write.js';

const drive = (blockLength: number): { mode: { blockLength: number } } => ({ mode: { blockLength } });

describe('SSC CDB decoders', () => {
  test('decodeRead6() sizes a fixed read with the block length at arrival and keeps SILI and the count', () => {
    const d = decodeRead6(Buffer.from([0x08, 0x01, 0x00, 0x01, 0x00, 0x00]), drive(512));
    assert.deepEqual({ ...d }, { direction: DataDirection.IN, lengthBytes: 256 * 512, fixed: true, sili: false, length: 256, blockLengthAtArrival: 512 });
    const v = decodeRead6(Buffer.from([0x08, 0x02, 0x01, 0x00, 0x00, 0x00]), drive(512));
    assert.deepEqual([v.fixed, v.sili, v.length, v.lengthBytes], [false, true, 0x10000, 0x10000]);
  });

  test('decodeRead6(), decodeWrite6() and decodeVerify6() move nothing for a length of zero', () => {
    const zero = Buffer.from([0, 0x01, 0, 0, 0, 0]);
    for (const d of [decodeRead6(zero, drive(512)), decodeWrite6(zero, drive(512)), decodeVerify6(Buffer.from([0x13, 0x03, 0, 0, 0, 0]), drive(512))]) {
      assert.deepEqual([d.direction, d.lengthBytes], [DataDirection.NONE, 0]);
    }
  });

  test('decodeWrite6() expects data-out of the variable length in bytes', () => {
    const d = decodeWrite6(Buffer.from([0x0a, 0x00, 0x04, 0x00, 0x00, 0x00]), drive(0));
    assert.deepEqual([d.direction, d.lengthBytes, d.fixed, d.length], [DataDirection.OUT, 0x40000, false, 0x40000]);
  });

  test('decodeVerify6() expects data-out only with BYTCMP', () => {
    assert.equal(decodeVerify6(Buffer.from([0x13, 0x01, 0, 0, 4, 0]), drive(512)).direction, DataDirection.NONE);
    const compare = decodeVerify6(Buffer.from([0x13, 0x03, 0, 0, 4, 0]), drive(512));
    assert.deepEqual([compare.direction, compare.lengthBytes, compare.byteCompare], [DataDirection.OUT, 2048, true]);
  });

  test('decodeWriteFilemarks6() reads IMMED and the 24-bit count', () => {
    const d = decodeWriteFilemarks6(Buffer.from([0x10, 0x01, 0x01, 0x00, 0x02, 0x00]));
    assert.deepEqual([d.immed, d.count, d.direction], [true, 0x10002, DataDirection.NONE]);
  });

  test('decodeSpace6() reads a negative count as two\'s complement and decodeSpace16() refuses none', () => {
    const back = decodeSpace6(Buffer.from([0x11, 0x01, 0xff, 0xff, 0xfe, 0]));
    assert.deepEqual([back.code, back.count], [1, -2]);
    const far = Buffer.alloc(16);
    far[0] = 0x91;
    far.writeBigInt64BE(1n << 60n, 4);
    assert.equal(decodeSpace16(far).count, undefined, 'beyond a safe integer');
    far.writeBigInt64BE(-5n, 4);
    assert.equal(decodeSpace16(far).count, -5);
  });

  test('decodeLocate10() and decodeLocate16() read the destination, partition and IMMED', () => {
    const l10 = decodeLocate10(Buffer.from([0x2b, 0x03, 0, 0, 0, 0x01, 0x00, 0, 0x02, 0]));
    assert.deepEqual([l10.immed, l10.changePartition, l10.partition, l10.target], [true, true, 2, 256]);
    const cdb16 = Buffer.alloc(16);
    cdb16[0] = 0x92;
    cdb16[1] = 0x08;
    cdb16.writeBigUInt64BE(7n, 4);
    const l16 = decodeLocate16(cdb16);
    assert.deepEqual([l16.destinationType, l16.immed, l16.target], [1, false, 7]);
  });

  test('every decoder accepts any CDB of its length without throwing, and sizes transfers consistently', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0x800000 }), (bytes, blockLength) => {
        const cdb = Buffer.from(bytes);
        const six = cdb.subarray(0, 6);
        const read = decodeRead6(six, drive(blockLength));
        assert.equal(read.lengthBytes, read.fixed ? read.length * blockLength : read.length);
        const write = decodeWrite6(six, drive(blockLength));
        assert.equal(write.direction === DataDirection.NONE, write.length === 0);
        decodeVerify6(six, drive(blockLength));
        decodeWriteFilemarks6(six);
        decodeSpace6(six);
        decodeSpace16(cdb);
        decodeLocate10(cdb.subarray(0, 10));
        decodeLocate16(cdb);
      }),
    );
  });
});
