import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { INDEX_STRIDE, ObjectIndex } from './object-index.js';
import { crc32c } from '../crc32c.js';
import { decodeCheckpoint, encodeCheckpoint } from './index-checkpoint.js';

function build(count: number, markEvery: number): ObjectIndex {
  const index = ObjectIndex.empty(16);
  for (let n = 0; n < count; n++) index.append(n % markEvery === markEvery - 1, index.endOffset, 28 + (n % 7) * 100);
  return index;
}

describe('ObjectIndex', () => {
  test('keeps one anchor per stride and answers file numbers by binary search', () => {
    const index = build(100, 10);
    assert.equal(index.objectCount, 100);
    assert.deepEqual(index.anchorFor(0), { objectNumber: 0, offset: 16 });
    assert.equal(index.anchorFor(INDEX_STRIDE + 5).objectNumber, INDEX_STRIDE);
    assert.equal(index.filemarkCount, 10);
    assert.equal(index.filemarksBefore(9), 0);
    assert.equal(index.filemarksBefore(10), 1);
    assert.equal(index.filemarksBefore(100), 10);
    assert.equal(index.isFilemark(19), true);
    assert.equal(index.isFilemark(18), false);
  });

  test('truncate() drops the objects, anchors and filemarks from the cut on', () => {
    const index = build(100, 10);
    const cutOffset = index.anchorFor(64).offset;
    index.truncate(64, cutOffset);
    assert.equal(index.objectCount, 64);
    assert.equal(index.endOffset, cutOffset);
    assert.equal(index.filemarkCount, 6);
    assert.equal(index.snapshot().anchorObjects.length, 2);
    index.append(false, cutOffset, 28);
    assert.equal(index.anchorFor(64).offset, cutOffset);
  });
});

describe('ObjectIndex with filemark runs', () => {
  test('a run is one entry however long, adjacent filemarks merge into it, and a cut after a record makes the next one an anchor', () => {
    const index = ObjectIndex.empty(16);
    index.append(false, 16, 38); // object 0
    index.append(true, 54, 28, 0xffffff); // objects 1..0xffffff, one record
    index.append(true, 82, 28); // object 0x1000000, a single filemark right after the run
    index.append(false, 110, 30); // object 0x1000001
    assert.deepEqual([index.runCount, index.runStart(0), index.runLength(0), index.filemarkCount], [1, 1, 0x1000000, 0x1000000]);
    assert.equal(index.filemark(0x800000), 0x800001);
    assert.equal(index.filemarksBefore(10), 9);
    assert.equal(index.filemarksBefore(0x1000002), 0x1000000);
    assert.deepEqual([index.isFilemark(0), index.isFilemark(1), index.isFilemark(0x1000000), index.isFilemark(0x1000001)], [false, true, true, false]);
    assert.deepEqual(index.anchorFor(0x900000), { objectNumber: 0, offset: 16 }, 'four records: one anchor');
    index.truncate(0x1000000, 82);
    assert.deepEqual([index.runLength(0), index.objectCount, index.endOffset], [0xffffff, 0x1000000, 82], 'the merged run is cut back');
    index.append(false, 82, 40);
    assert.deepEqual(index.anchorFor(0x1000000), { objectNumber: 0x1000000, offset: 82 });
    const decoded = decodeCheckpoint(encodeCheckpoint({ ...index.snapshot(), pass: 0 }));
    assert.ok(typeof decoded !== 'string' && decoded.runLengths[0] === 0xffffff && decoded.anchorObjects.length === 2);
  });
});

describe('index checkpoint', () => {
  test('round-trips the index and the pass', () => {
    const index = build(77, 5);
    const decoded = decodeCheckpoint(encodeCheckpoint({ ...index.snapshot(), pass: 3 }));
    assert.notEqual(typeof decoded, 'string');
    if (typeof decoded === 'string') return;
    assert.equal(decoded.objectCount, 77);
    assert.equal(decoded.pass, 3);
    assert.deepEqual(Array.from(decoded.anchorObjects), Array.from(index.snapshot().anchorObjects));
    assert.deepEqual(Array.from(decoded.anchorOffsets), Array.from(index.snapshot().anchorOffsets));
    assert.deepEqual(Array.from(decoded.runStarts), Array.from(index.snapshot().runStarts));
    assert.deepEqual(Array.from(decoded.runLengths), Array.from(index.snapshot().runLengths));
  });

  test('starts with the hand-built header fields (version 2, with a rewritten record)', () => {
    const bytes = encodeCheckpoint({
      objectCount: 4, endOffset: 100, anchorObjects: [0], anchorOffsets: [16], runStarts: [1], runLengths: [3], pass: 9,
      rewritten: { offset: 72, firstObject: 1 },
    });
    const u64 = (n: number): number[] => [n, 0, 0, 0, 0, 0, 0, 0];
    const expected = Buffer.concat([
      Buffer.from('VTLINDEX', 'latin1'),
      Buffer.from([2, 0, 0, 0, 32, 0, 0, 0]), // version, stride
      Buffer.from([...u64(4), ...u64(100), ...u64(1), ...u64(1)]), // objects, end, anchors, runs
      Buffer.from([9, 0, 0, 0, 1, 0, 0, 0]), // pass, flags: rewritten
      Buffer.from([...u64(72), ...u64(1)]), // rewritten record: offset, first object
      Buffer.from([...u64(0), ...u64(16), ...u64(1), ...u64(3)]), // anchor (object 0 at 16), run (objects 1..3)
    ]);
    assert.deepEqual(bytes.subarray(0, bytes.length - 4), expected);
    const decoded = decodeCheckpoint(bytes);
    assert.ok(typeof decoded !== 'string' && decoded.rewritten?.offset === 72 && decoded.rewritten.firstObject === 1);
  });

  test('a version 1 checkpoint (an anchor per 32 objects, a filemark per entry) is read as anchors and runs', () => {
    const body = Buffer.concat([
      Buffer.from('VTLINDEX', 'latin1'),
      Buffer.from([1, 0, 0, 0, 32, 0, 0, 0]), // version, stride
      Buffer.from([3, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]), // objects, end, filemarks
      Buffer.from([9, 0, 0, 0]), // pass
      Buffer.from([16, 0, 0, 0, 0, 0, 0, 0]), // anchor 0
      Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]), // filemarks 1 and 2
    ]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32c(body));
    const decoded = decodeCheckpoint(Buffer.concat([body, crc]));
    assert.ok(typeof decoded !== 'string', typeof decoded === 'string' ? decoded : '');
    assert.deepEqual([Array.from(decoded.anchorObjects), Array.from(decoded.anchorOffsets)], [[0], [16]]);
    assert.deepEqual([Array.from(decoded.runStarts), Array.from(decoded.runLengths), decoded.pass], [[1], [2], 9]);
  });

  test('is refused when any byte is flipped or it is cut short', () => {
    const bytes = encodeCheckpoint({ ...build(40, 4).snapshot(), pass: 1 });
    for (let offset = 0; offset < bytes.length; offset++) {
      const damaged = Buffer.from(bytes);
      damaged[offset] ^= 0x01;
      assert.equal(typeof decodeCheckpoint(damaged), 'string', `flip at ${offset}`);
    }
    for (let length = 0; length < bytes.length; length++) {
      assert.equal(typeof decodeCheckpoint(bytes.subarray(0, length)), 'string', `cut at ${length}`);
    }
  });
});
