import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { INDEX_STRIDE, ObjectIndex } from './object-index.js';
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
    assert.equal(index.snapshot().anchors.length, 2);
    index.append(false, cutOffset, 28);
    assert.equal(index.anchorFor(64).offset, cutOffset);
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
    assert.deepEqual(Array.from(decoded.anchors), Array.from(index.snapshot().anchors));
    assert.deepEqual(Array.from(decoded.filemarks), Array.from(index.snapshot().filemarks));
  });

  test('starts with the hand-built header fields', () => {
    const bytes = encodeCheckpoint({ objectCount: 2, endOffset: 72, anchors: [16], filemarks: [1], pass: 9 });
    const expected = Buffer.concat([
      Buffer.from('VTLINDEX', 'latin1'),
      Buffer.from([1, 0, 0, 0, 32, 0, 0, 0]), // version, stride
      Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 72, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), // objects, end, filemarks
      Buffer.from([9, 0, 0, 0]), // pass
      Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), // anchor 0, filemark 0
    ]);
    assert.deepEqual(bytes.subarray(0, bytes.length - 4), expected);
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
