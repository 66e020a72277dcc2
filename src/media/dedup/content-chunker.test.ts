import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ContentChunker, DEFAULT_CHUNK_SIZES, type ChunkSizes } from './content-chunker.js';

function boundaries(stream: Buffer, pieceBytes: number): number[] {
  const chunker = new ContentChunker();
  const ends: number[] = [];
  for (let at = 0; at < stream.length; at += pieceBytes) {
    for (const cut of chunker.push(stream.subarray(at, at + pieceBytes))) ends.push(at + cut);
  }
  return ends;
}

test('ContentChunker finds the same boundaries whatever the size of the pieces it is fed', () => {
  const stream = randomBytes(2 * 1024 * 1024);
  const whole = boundaries(stream, stream.length);
  assert.ok(whole.length > 20, `${whole.length} chunks`);
  for (const piece of [1000, 4096, 65536, 262144, 1048575]) assert.deepEqual(boundaries(stream, piece), whole);
});

test('ContentChunker keeps every chunk within the minimum and maximum and averages near the target on random data', () => {
  const stream = randomBytes(8 * 1024 * 1024);
  const ends = boundaries(stream, 262144);
  let previous = 0;
  for (const end of ends) {
    assert.ok(end - previous >= DEFAULT_CHUNK_SIZES.minBytes && end - previous <= DEFAULT_CHUNK_SIZES.maxBytes, `chunk of ${end - previous}`);
    previous = end;
  }
  const average = (ends.at(-1) ?? 0) / ends.length;
  assert.ok(average > 16 * 1024 && average < 64 * 1024, `average ${average}`);
});

test('ContentChunker finds the old boundaries again after an insertion near the start of the stream', () => {
  const stream = randomBytes(4 * 1024 * 1024);
  const shifted = Buffer.concat([stream.subarray(0, 1000), randomBytes(777), stream.subarray(1000)]);
  const before = new Set(boundaries(stream, 65536));
  const after = boundaries(shifted, 65536).map((end) => end - 777);
  const shared = after.filter((end) => before.has(end)).length;
  assert.ok(shared >= before.size - 3, `${shared} of ${before.size} boundaries found again`);
});

test('ContentChunker cuts a stream of one repeated byte at the maximum size', () => {
  const chunker = new ContentChunker();
  const cuts = chunker.push(Buffer.alloc(DEFAULT_CHUNK_SIZES.maxBytes * 3, 7));
  assert.deepEqual(cuts, [1, 2, 3].map((k) => k * DEFAULT_CHUNK_SIZES.maxBytes));
});

test('ContentChunker refuses sizes out of order', () => {
  assert.throws(() => new ContentChunker({ minBytes: 4096, averageBytes: 4096, maxBytes: 8192 }), RangeError);
  assert.throws(() => new ContentChunker({ minBytes: 1024, averageBytes: 3000, maxBytes: 8192 }), RangeError);
});

/** FORMAT.md "Chunking" read literally, one byte at a time: the boundaries the unrolled chunker must keep. */
function referenceBoundaries(stream: Buffer, sizes: ChunkSizes): number[] {
  const gear = Array.from({ length: 256 }, (_, i) => createHash('sha256').update(`vtl gear ${i}`).digest().readUInt32BE(0));
  const bits = Math.log2(sizes.averageBytes);
  const strict = ~0 << (32 - (bits + 2));
  const loose = ~0 << (32 - (bits - 2));
  const ends: number[] = [];
  let start = 0;
  let hash = 0;
  for (let i = 0; i < stream.length; i++) {
    const length = i - start + 1;
    if (length <= sizes.minBytes) continue;
    hash = ((hash << 1) + (gear[stream[i] ?? 0] ?? 0)) | 0;
    if ((hash & (length <= sizes.averageBytes ? strict : loose)) === 0 || length >= sizes.maxBytes) {
      ends.push(i + 1);
      start = i + 1;
      hash = 0;
    }
  }
  return ends;
}

test('ContentChunker cuts where the format\'s byte-at-a-time definition cuts, for several sizes and piece lengths', () => {
  const stream = randomBytes(3 * 1024 * 1024);
  for (const sizes of [DEFAULT_CHUNK_SIZES, { minBytes: 64, averageBytes: 256, maxBytes: 1024 }, { minBytes: 1000, averageBytes: 4096, maxBytes: 5000 }]) {
    const expected = referenceBoundaries(stream, sizes);
    for (const pieceBytes of [1, 3, 4095, stream.length]) {
      const chunker = new ContentChunker(sizes);
      const ends: number[] = [];
      for (let at = 0; at < stream.length; at += pieceBytes) for (const cut of chunker.push(stream.subarray(at, at + pieceBytes))) ends.push(at + cut);
      assert.deepEqual(ends, expected, `sizes ${sizes.minBytes}/${sizes.averageBytes}/${sizes.maxBytes}, pieces of ${pieceBytes}`);
    }
  }
});
