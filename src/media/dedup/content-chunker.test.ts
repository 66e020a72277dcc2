import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ContentChunker, DEFAULT_CHUNK_SIZES } from './content-chunker.js';

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
