import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compressSync } from 'lz4-napi';
import { CodecError, type BlockCodec } from '../codec/block-codec.js';
import { chooseCodecs, codecChoice, ZSTD_KNOWN_FRAME, ZSTD_KNOWN_TEXT } from '../codec/codec-choice.js';
import { loadLiblz4 } from '../codec/liblz4-codec.js';
import { ChunkCodec } from './chunk-container.js';
import { ChunkEncoder, CodecUnavailableError, decodeChunkPayload, decompressChunkInto, encodeChunk, encodeChunkSync, parseChunkCompression, PROBE_SIDE_BYTES } from './chunk-compression.js';

const text = (bytes: number): Buffer => Buffer.from('backup tape volume record server index catalog '.repeat(Math.ceil(bytes / 47)).slice(0, bytes), 'latin1');
const withoutZstd = chooseCodecs({ zstd: (): BlockCodec => { throw new Error('libzstd.so.1: cannot open shared object file'); }, lz4: loadLiblz4 });

test('encodeChunk() stores text zstd-compressed by default and random bytes raw, and both decode to the chunk', async () => {
  for (const encode of [encodeChunk, (chunk: Buffer) => Promise.resolve(encodeChunkSync(chunk))]) {
    const compressible = text(32 * 1024);
    const packed = await encode(compressible);
    assert.equal(packed.codec, ChunkCodec.ZSTD);
    assert.ok(packed.payload.length < compressible.length / 2);
    assert.deepEqual(decodeChunkPayload(packed.codec, packed.payload, compressible.length), compressible);
    const random = randomBytes(32 * 1024);
    const raw = await encode(random);
    assert.equal(raw.codec, ChunkCodec.RAW);
    assert.deepEqual(decodeChunkPayload(raw.codec, raw.payload), random);
  }
});

test('a ChunkEncoder with compression lz4 stores text in lz4-napi\'s layout, which lz4-napi reads back', async () => {
  const encoder = new ChunkEncoder({ codec: 'lz4' });
  const chunk = text(20_000);
  for (const packed of [encoder.encode(chunk), await encoder.encodeAsync(chunk)]) {
    assert.equal(packed.codec, ChunkCodec.LZ4);
    assert.deepEqual(decodeChunkPayload(ChunkCodec.LZ4, packed.payload), chunk);
    assert.equal(encoder.effective, 'LZ4');
  }
});

test('a ChunkEncoder asked for zstd where zstd is unavailable stores LZ4 and says why', () => {
  const encoder = new ChunkEncoder({ codec: 'zstd', level: 3 }, withoutZstd);
  assert.equal(encoder.encode(text(20_000)).codec, ChunkCodec.LZ4);
  assert.equal(encoder.effective, 'LZ4');
  assert.match(encoder.fallbackReason ?? '', /libzstd did not load \(libzstd\.so\.1: cannot open shared object file\)/);
  assert.equal(new ChunkEncoder({ codec: 'zstd', level: 2 }).effective, 'zstd level 2');
});

test('encodeChunk() compresses a chunk whose text is only at its end (the probe looks at both ends)', async () => {
  const chunk = Buffer.concat([randomBytes(24 * 1024), text(8 * 1024)]);
  const packed = await encodeChunk(chunk);
  assert.equal(packed.codec, ChunkCodec.ZSTD);
  assert.deepEqual(decodeChunkPayload(packed.codec, packed.payload, chunk.length), chunk);
});

test('encodeChunk() stores raw a chunk whose ends are random even if its middle is text (the probe\'s known blind spot)', async () => {
  const chunk = Buffer.concat([randomBytes(PROBE_SIDE_BYTES * 2), text(28 * 1024), randomBytes(PROBE_SIDE_BYTES * 2)]);
  assert.equal((await encodeChunk(chunk)).codec, ChunkCodec.RAW);
});

test('encodeChunk() tries a short chunk whole, without a probe', async () => {
  const chunk = Buffer.concat([randomBytes(PROBE_SIDE_BYTES), text(4 * 1024), randomBytes(PROBE_SIDE_BYTES)]);
  assert.equal((await encodeChunk(chunk)).codec, ChunkCodec.ZSTD);
});

test('decompressChunkInto() writes a raw, an lz4-napi LZ4 and a zstd payload (the zstd command line\'s) into the caller\'s buffer', () => {
  const chunk = text(5000);
  const memory = Buffer.alloc(7000, 0xee);
  const output = memory.subarray(1000, 6000);
  for (const [codec, stored] of [[ChunkCodec.RAW, chunk], [ChunkCodec.LZ4, compressSync(chunk)]] as const) {
    output.fill(0);
    assert.equal(decompressChunkInto(stored, codec, output), chunk.length);
    assert.deepEqual(output, chunk);
  }
  assert.deepEqual([memory.subarray(0, 1000), memory.subarray(6000)], [Buffer.alloc(1000, 0xee), Buffer.alloc(1000, 0xee)]);
  const zstdOutput = Buffer.alloc(ZSTD_KNOWN_TEXT.length);
  assert.equal(decompressChunkInto(ZSTD_KNOWN_FRAME, ChunkCodec.ZSTD, zstdOutput), ZSTD_KNOWN_TEXT.length);
  assert.deepEqual(zstdOutput, ZSTD_KNOWN_TEXT);
});

test('decompressChunkInto() answers CodecError for an output of another length than the chunk and for a cut payload', () => {
  const chunk = text(5000);
  const zstd = codecChoice().zstd;
  assert.ok(zstd);
  const zstdPayload = Buffer.alloc(zstd.compressBound(chunk.length));
  const payloads = [[ChunkCodec.RAW, chunk], [ChunkCodec.LZ4, compressSync(chunk)], [ChunkCodec.ZSTD, zstdPayload.subarray(0, zstd.compress(chunk, zstdPayload, 3))]] as const;
  for (const [codec, stored] of payloads) {
    for (const length of [chunk.length - 1, chunk.length + 1]) assert.throws(() => decompressChunkInto(stored, codec, Buffer.alloc(length)), CodecError, `codec ${codec}, ${length}`);
    if (codec !== ChunkCodec.RAW) assert.throws(() => decompressChunkInto(stored.subarray(0, stored.length - 1), codec, Buffer.alloc(chunk.length)), CodecError);
  }
});

test('decompressChunkInto() of a zstd payload where zstd is unavailable answers CodecUnavailableError naming the reason, and still reads LZ4', () => {
  assert.throws(() => decompressChunkInto(ZSTD_KNOWN_FRAME, ChunkCodec.ZSTD, Buffer.alloc(ZSTD_KNOWN_TEXT.length), withoutZstd), (error: unknown) => {
    assert.ok(error instanceof CodecUnavailableError);
    assert.match(error.message, /^it is zstd-compressed and zstd is unavailable here \(koffi or the system's libzstd did not load/);
    return true;
  });
  const chunk = text(3000);
  assert.equal(decompressChunkInto(compressSync(chunk), ChunkCodec.LZ4, Buffer.alloc(chunk.length), withoutZstd), chunk.length);
});

test('parseChunkCompression() reads lz4, zstd and zstd:LEVEL, and refuses anything else', () => {
  assert.deepEqual(['lz4', 'zstd', 'zstd:1', 'zstd:19'].map(parseChunkCompression), [{ codec: 'lz4' }, { codec: 'zstd' }, { codec: 'zstd', level: 1 }, { codec: 'zstd', level: 19 }]);
  for (const bad of ['', 'gzip', 'lz4:1', 'zstd:0', 'zstd:20', 'zstd:', 'zstd:3 ']) assert.throws(() => parseChunkCompression(bad), RangeError, bad);
});
