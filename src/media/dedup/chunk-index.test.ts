import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ChunkIndex } from './chunk-index.js';

test('ChunkIndex finds every location it was given, across growth of the table', () => {
  const index = new ChunkIndex();
  const ids = Array.from({ length: 5000 }, () => randomBytes(32));
  for (const [i, id] of ids.entries()) assert.equal(index.add(id, { container: i % 7, offset: i * 100 }), true);
  assert.equal(index.size, 5000);
  for (const [i, id] of ids.entries()) assert.deepEqual(index.find(id), { container: i % 7, offset: i * 100 });
  assert.ok(index.memoryBytes >= 5000 * 24, `${index.memoryBytes} bytes`);
});

test('ChunkIndex does not confirm an id that agrees on the first 8 or 15 bytes only', () => {
  const index = new ChunkIndex();
  const id = randomBytes(32);
  index.add(id, { container: 0, offset: 16 });
  for (const differing of [8, 12, 15]) {
    const near = Buffer.from(id);
    near[differing] = (near[differing] ?? 0) ^ 1;
    assert.equal(index.find(near), undefined, `byte ${differing} differs`);
  }
  const tail = Buffer.from(id);
  tail[20] = (tail[20] ?? 0) ^ 1;
  assert.deepEqual(index.find(tail), { container: 0, offset: 16 }, 'bytes past the 16th are not kept');
});

test('ChunkIndex keeps the first location of an id added twice and counts it once', () => {
  const index = new ChunkIndex();
  const id = randomBytes(32);
  assert.equal(index.add(id, { container: 1, offset: 16 }), true);
  assert.equal(index.add(id, { container: 2, offset: 16 }), false);
  assert.deepEqual(index.find(id), { container: 1, offset: 16 });
  assert.equal(index.size, 1);
});

test('ChunkIndex tells apart ids that probe into the same slot', () => {
  const index = new ChunkIndex();
  const ids = Array.from({ length: 50 }, (_, i) => {
    const id = randomBytes(32);
    id.writeUInt32LE(0x1234, 0); // the same home slot for all of them
    id.writeUInt32LE(i, 4);
    return id;
  });
  for (const [i, id] of ids.entries()) index.add(id, { container: 0, offset: i });
  for (const [i, id] of ids.entries()) assert.deepEqual(index.find(id), { container: 0, offset: i });
});

test('ChunkIndex stops at maxChunks and forgets everything on clear()', () => {
  const index = new ChunkIndex(3);
  const ids = Array.from({ length: 4 }, () => randomBytes(32));
  assert.deepEqual(ids.map((id, i) => index.add(id, { container: 0, offset: i })), [true, true, true, false]);
  assert.equal(index.find(ids[3] ?? Buffer.alloc(32)), undefined);
  index.clear();
  assert.equal(index.size, 0);
  assert.equal(index.find(ids[0] ?? Buffer.alloc(32)), undefined);
});
