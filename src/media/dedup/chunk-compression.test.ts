import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ChunkCodec } from './chunk-container.js';
import { decodeChunkPayload, encodeChunk, encodeChunkSync, PROBE_SIDE_BYTES } from './chunk-compression.js';

const text = (bytes: number): Buffer => Buffer.from('backup tape volume record server index catalog '.repeat(Math.ceil(bytes / 48)).slice(0, bytes), 'latin1');

test('encodeChunk() stores text LZ4-compressed and random bytes raw, and both decode to the chunk', async () => {
  for (const encode of [encodeChunk, (chunk: Buffer) => Promise.resolve(encodeChunkSync(chunk))]) {
    const compressible = text(32 * 1024);
    const packed = await encode(compressible);
    assert.equal(packed.codec, ChunkCodec.LZ4);
    assert.ok(packed.payload.length < compressible.length / 2);
    assert.deepEqual(decodeChunkPayload(packed.codec, packed.payload), compressible);
    const random = randomBytes(32 * 1024);
    const raw = await encode(random);
    assert.equal(raw.codec, ChunkCodec.RAW);
    assert.deepEqual(decodeChunkPayload(raw.codec, raw.payload), random);
  }
});

test('encodeChunk() compresses a chunk whose text is only at its end (the probe looks at both ends)', async () => {
  const chunk = Buffer.concat([randomBytes(24 * 1024), text(8 * 1024)]);
  const packed = await encodeChunk(chunk);
  assert.equal(packed.codec, ChunkCodec.LZ4);
  assert.deepEqual(decodeChunkPayload(packed.codec, packed.payload), chunk);
});

test('encodeChunk() stores raw a chunk whose ends are random even if its middle is text (the probe\'s known blind spot)', async () => {
  const chunk = Buffer.concat([randomBytes(PROBE_SIDE_BYTES * 2), text(28 * 1024), randomBytes(PROBE_SIDE_BYTES * 2)]);
  assert.equal((await encodeChunk(chunk)).codec, ChunkCodec.RAW);
});

test('encodeChunk() tries a short chunk whole, without a probe', async () => {
  const chunk = Buffer.concat([randomBytes(PROBE_SIDE_BYTES), text(4 * 1024), randomBytes(PROBE_SIDE_BYTES)]);
  assert.equal((await encodeChunk(chunk)).codec, ChunkCodec.LZ4);
});
