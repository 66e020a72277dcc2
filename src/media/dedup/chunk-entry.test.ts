import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressSync } from 'lz4-napi';
import { crc32c } from '../../crc32c.js';
import { ChunkDamagedError, decodeChunkEntry } from './chunk-entry.js';

/** An entry built by hand from FORMAT.md's table, not by encodeEntryHeader(). */
function entry(chunk: Buffer, codec: 0 | 1): Buffer {
  const stored = codec === 1 ? compressSync(chunk) : chunk;
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
