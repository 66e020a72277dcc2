import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../crc32c.js';
import { decodeRecordHeader, encodeRecordHeader, objectsIn, RECORD_HEADER_BYTES, RecordType } from './record-header.js';

/** Builds a header byte by byte from FORMAT.md, independently of the encoder. */
function handBuilt(fields: number[]): Buffer {
  const body = Buffer.from(fields);
  assert.equal(body.length, RECORD_HEADER_BYTES - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32c(body) >>> 0);
  return Buffer.concat([crc, body]);
}

// Object 5, pass 2, a 3-byte uncompressed block "abc" (CRC32C of "abc" = 0x364b3fb7).
const dataRecord = handBuilt([
  0xb7, 0x3f, 0x4b, 0x36, // payload CRC
  0x01, // type: data
  0x00, // flags
  0x05, 0x00, 0x00, 0x00, 0x00, 0x00, // object number (48-bit LE)
  0x02, 0x00, 0x00, 0x00, // pass
  0x03, 0x00, 0x00, 0x00, // stored length
  0x03, 0x00, 0x00, 0x00, // logical length
]);

// Object 0x01_0000_0107, pass 0x0101.
const filemarkRecord = handBuilt([0, 0, 0, 0, 0x02, 0x00, 0x07, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

// A run of 0xFFFFFF filemarks from object 9, pass 3: one record (FORMAT.md "Filemark runs").
const runRecord = handBuilt([0, 0, 0, 0, 0x03, 0x00, 0x09, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x00]);

describe('record header', () => {
  test('the CRC32C implementation gives the standard check value', () => {
    assert.equal(crc32c(Buffer.from('123456789')) >>> 0, 0xe3069283);
    assert.equal(crc32c(Buffer.from('abc')) >>> 0, 0x364b3fb7);
  });

  test('encodeRecordHeader() writes the hand-built bytes of a data record', () => {
    const bytes = Buffer.alloc(RECORD_HEADER_BYTES);
    encodeRecordHeader({ type: RecordType.DATA, flags: 0, objectNumber: 5, pass: 2, storedLength: 3, logicalLength: 3, payloadCrc: crc32c(Buffer.from('abc')) }, bytes);
    assert.deepEqual(bytes, dataRecord);
  });

  test('encodeRecordHeader() writes a filemark with a 48-bit object number', () => {
    const bytes = Buffer.alloc(RECORD_HEADER_BYTES);
    encodeRecordHeader({ type: RecordType.FILEMARK, flags: 0, objectNumber: 0x0100000107, pass: 0x0101, storedLength: 0, logicalLength: 0, payloadCrc: 0 }, bytes);
    assert.deepEqual(bytes, filemarkRecord);
  });

  test('encodeRecordHeader() writes a filemark run with its count in the logical length, and reads it back', () => {
    const bytes = Buffer.alloc(RECORD_HEADER_BYTES);
    const run = { type: RecordType.FILEMARK_RUN, flags: 0, objectNumber: 9, pass: 3, storedLength: 0, logicalLength: 0xffffff, payloadCrc: 0 } as const;
    encodeRecordHeader(run, bytes);
    assert.deepEqual(bytes, runRecord);
    assert.deepEqual(decodeRecordHeader(runRecord), { ...run, headerCrc: runRecord.readUInt32LE(0) });
    assert.equal(objectsIn(run), 0xffffff);
  });

  test('decodeRecordHeader() reads the hand-built fields back', () => {
    const header = decodeRecordHeader(dataRecord);
    assert.notEqual(typeof header, 'string');
    assert.deepEqual(header, { type: 1, flags: 0, objectNumber: 5, pass: 2, storedLength: 3, logicalLength: 3, payloadCrc: 0x364b3fb7, headerCrc: dataRecord.readUInt32LE(0) });
    assert.equal(typeof decodeRecordHeader(filemarkRecord), 'object');
  });

  test('decodeRecordHeader() reports a header CRC mismatch for a flip in any byte', () => {
    for (let offset = 0; offset < RECORD_HEADER_BYTES; offset++) {
      const bytes = Buffer.from(dataRecord);
      bytes[offset] ^= 0x10;
      assert.equal(decodeRecordHeader(bytes), 'header-crc', `flip at byte ${offset}`);
    }
  });

  test('decodeRecordHeader() refuses unknown types, unknown flags and inconsistent lengths even with a good CRC', () => {
    const reseal = (edit: (b: Buffer) => void): Buffer => {
      const bytes = Buffer.from(dataRecord);
      edit(bytes);
      return handBuilt([...bytes.subarray(4)]);
    };
    assert.equal(decodeRecordHeader(reseal((b) => (b[8] = 4))), 'type');
    assert.equal(decodeRecordHeader(reseal((b) => (b[8] = 3))), 'length', 'a filemark run has no payload');
    assert.equal(decodeRecordHeader(reseal((b) => (b[9] = 0x08))), 'flags');
    assert.equal(decodeRecordHeader(reseal((b) => (b[9] = 0x02))), 'length', 'an encrypted payload holds at least the 48-byte envelope');
    const encrypted = (flags: number, stored: number, logical: number): Buffer =>
      reseal((b) => ((b[9] = flags), b.writeUInt32LE(stored, 20), b.writeUInt32LE(logical, 24)));
    assert.equal(typeof decodeRecordHeader(encrypted(0x02, 48 + 100, 100)), 'object', 'an envelope of 48 bytes around the block');
    assert.equal(typeof decodeRecordHeader(encrypted(0x02, 48 + 44 + 100, 100)), 'object', 'with both KADs at their longest');
    assert.equal(decodeRecordHeader(encrypted(0x02, 48 + 44 + 101, 100)), 'length', 'longer than the largest envelope');
    assert.equal(typeof decodeRecordHeader(encrypted(0x03, 48 + 99, 100)), 'object', 'compressed under the envelope');
    assert.equal(decodeRecordHeader(encrypted(0x03, 48 + 44 + 100, 100)), 'length', 'a compressed form is shorter than the block');
    assert.equal(typeof decodeRecordHeader(encrypted(0x04, 48 + 100, 100)), 'object', 'at rest: one envelope');
    assert.equal(typeof decodeRecordHeader(encrypted(0x06, 2 * (48 + 44) + 100, 100)), 'object', 'at rest around the host envelope');
    assert.equal(decodeRecordHeader(encrypted(0x06, 2 * (48 + 44) + 101, 100)), 'length');
    assert.equal(decodeRecordHeader(encrypted(0x06, 95, 100)), 'length', 'two envelopes take at least 96 bytes');
    assert.equal(decodeRecordHeader(reseal((b) => b.writeUInt32LE(4, 20))), 'length', 'uncompressed stored length must equal the logical length');
    assert.equal(decodeRecordHeader(reseal((b) => ((b[9] = 1), b.writeUInt32LE(3, 20)))), 'length', 'a compressed payload must be shorter');
    assert.equal(decodeRecordHeader(reseal((b) => (b.writeUInt32LE(2 ** 24 + 1, 20), b.writeUInt32LE(2 ** 24 + 1, 24)))), 'length');
    assert.equal(decodeRecordHeader(reseal((b) => (b[8] = 2))), 'length', 'a filemark has no payload');
    const runOf = (count: number, flags = 0): Buffer => {
      const bytes = Buffer.from(runRecord);
      bytes[9] = flags;
      bytes.writeUInt32LE(count, 24);
      return handBuilt([...bytes.subarray(4)]);
    };
    assert.equal(decodeRecordHeader(runOf(1)), 'length', 'a run holds at least two filemarks');
    assert.equal(decodeRecordHeader(runOf(0)), 'length');
    assert.equal(decodeRecordHeader(runOf(5, 1)), 'flags');
  });
});
