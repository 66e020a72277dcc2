import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressSync } from 'lz4-napi';
import { crc32c } from '../../crc32c.js';
import type { BlockCodec } from '../codec/block-codec.js';
import { chooseCodecs, ZSTD_KNOWN_FRAME, ZSTD_KNOWN_TEXT } from '../codec/codec-choice.js';
import { loadLiblz4 } from '../codec/liblz4-codec.js';
import { ChunkDamagedError, decodeChunkEntry, decodeChunkEntryInto } from './chunk-entry.js';

/** An entry built by hand from FORMAT.md's table, not by encodeEntryHeader(); zstd's payload is the zstd command line's. */
function entry(chunk: Buffer, codec: 0 | 1 | 2): Buffer {
  const stored = codec === 1 ? compressSync(chunk) : codec === 2 ? ZSTD_KNOWN_FRAME : chunk;
  const header = Buffer.alloc(52);
  header.writeUInt32LE(crc32c(stored), 4);
  header[8] = codec;
  header.writeUInt32LE(stored.length, 12);
  header.writeUInt32LE(chunk.length, 16);
  header.fill(7, 20, 52);
  header.writeUInt32LE(crc32c(header.subarray(4)), 0);
  return Buffer.concat([header, stored]);
}

const text = Buffer.from('tape '.repeat(400), 'latin1');
const ref = { container: 3, offset: 16, length: text.length };

test('decodeChunkEntry() returns the chunk of a raw and of an LZ4 entry, with bytes after the entry ignored', () => {
  assert.deepEqual(decodeChunkEntry(ref, entry(text, 0), undefined, undefined), text);
  assert.deepEqual(decodeChunkEntry(ref, Buffer.concat([entry(text, 1), Buffer.alloc(100, 9)]), undefined, undefined), text);
});

test('decodeChunkEntry() reports each broken check as ChunkDamagedError naming the container, offset and reason', () => {
  const cases: [string, Buffer, number][] = [];
  const lz4 = entry(text, 1);
  const flipped = (at: number): Buffer => {
    const copy = Buffer.from(lz4);
    copy[at] = (copy[at] ?? 0) ^ 1;
    return copy;
  };
  cases.push(['entry header CRC mismatch', flipped(25), text.length]);
  cases.push(['payload CRC mismatch', flipped(60), text.length]);
  cases.push(['short payload', lz4.subarray(0, lz4.length - 1), text.length]);
  cases.push([`it holds ${text.length} bytes, the recipe says ${text.length - 1}`, lz4, text.length - 1]);
  for (const [reason, bytes, length] of cases) {
    assert.throws(() => decodeChunkEntry({ ...ref, length }, bytes, undefined, undefined), (error: unknown) => {
      assert.ok(error instanceof ChunkDamagedError);
      assert.equal(error.message, `chunk at 00000003.vtchunk:16 is damaged: ${reason}`);
      assert.deepEqual(error.ref, { ...ref, length });
      return true;
    });
  }
});

test('decodeChunkEntry() refuses an entry of a sealed container when no master key is configured', () => {
  const sealed = entry(text, 0);
  assert.throws(() => decodeChunkEntry(ref, sealed, Buffer.alloc(16), undefined), /stored length breaks the codec rule|no master key/);
});

const zstdRef = { container: 3, offset: 16, length: ZSTD_KNOWN_TEXT.length };

test('decodeChunkEntry() returns the chunk of a zstd entry (codec 2)', () => {
  assert.deepEqual(decodeChunkEntry(zstdRef, entry(ZSTD_KNOWN_TEXT, 2), undefined, undefined), ZSTD_KNOWN_TEXT);
});

test('decodeChunkEntryInto() writes a raw, an LZ4 and a zstd chunk at the offset it is given, and nothing else', () => {
  for (const [chunk, codec, chunkRef] of [[text, 0, ref], [text, 1, ref], [ZSTD_KNOWN_TEXT, 2, zstdRef]] as const) {
    const output = Buffer.alloc(chunk.length + 300, 0xee);
    decodeChunkEntryInto(chunkRef, entry(chunk, codec), undefined, undefined, { output, offset: 100 });
    assert.deepEqual(output.subarray(100, 100 + chunk.length), chunk);
    assert.deepEqual([output.subarray(0, 100), output.subarray(100 + chunk.length)], [Buffer.alloc(100, 0xee), Buffer.alloc(200, 0xee)]);
  }
  assert.throws(() => decodeChunkEntryInto(ref, entry(text, 1), undefined, undefined, { output: Buffer.alloc(text.length), offset: 1 }), RangeError);
});

test('decodeChunkEntry() of an entry whose payload does not decompress is ChunkDamagedError with the codec\'s reason', () => {
  const bad = Buffer.from(ZSTD_KNOWN_FRAME);
  bad.writeUInt32LE(0, 0); // no longer a zstd frame's magic number
  const header = entry(ZSTD_KNOWN_TEXT, 2);
  bad.copy(header, 52);
  header.writeUInt32LE(crc32c(bad), 4);
  header.writeUInt32LE(crc32c(header.subarray(4, 52)), 0);
  assert.throws(() => decodeChunkEntry(zstdRef, header, undefined, undefined), /^ChunkDamagedError: chunk at 00000003\.vtchunk:16 is damaged: zstd decompression failed: Unknown frame descriptor$/);
});

test('decodeChunkEntry() of a zstd entry where zstd is unavailable is ChunkDamagedError saying it cannot be read and why; LZ4 entries still read', () => {
  const withoutZstd = chooseCodecs({ zstd: (): BlockCodec => { throw new Error('libzstd.so.1: cannot open shared object file'); }, lz4: loadLiblz4 });
  assert.throws(() => decodeChunkEntry(zstdRef, entry(ZSTD_KNOWN_TEXT, 2), undefined, undefined, withoutZstd), (error: unknown) => {
    assert.ok(error instanceof ChunkDamagedError);
    assert.equal(error.message, "chunk at 00000003.vtchunk:16 cannot be read: it is zstd-compressed and zstd is unavailable here (koffi or the system's libzstd did not load (libzstd.so.1: cannot open shared object file))");
    return true;
  });
  assert.deepEqual(decodeChunkEntry(ref, entry(text, 1), undefined, undefined, withoutZstd), text);
});

test('decodeChunkEntry() refuses an entry of a codec FORMAT.md does not name (3) as damaged', () => {
  const unknown = entry(text, 1);
  unknown[8] = 3;
  unknown.writeUInt32LE(crc32c(unknown.subarray(4, 52)), 0);
  assert.throws(() => decodeChunkEntry(ref, unknown, undefined, undefined), /is damaged: unknown codec 3$/);
});
