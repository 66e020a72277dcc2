import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CodecError, type BlockCodec } from './block-codec.js';
import { LZ4_KNOWN_BLOCK, LZ4_KNOWN_TEXT, ZSTD_KNOWN_FRAME, ZSTD_KNOWN_TEXT } from './codec-choice.js';
import { loadLiblz4 } from './liblz4-codec.js';
import { loadLibzstd } from './libzstd-codec.js';
import { napiLz4Codec } from './napi-lz4-codec.js';

function loaded(load: () => BlockCodec): BlockCodec | string {
  try {
    return load();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const text = (bytes: number): Buffer => Buffer.from('backup tape volume record server index catalog '.repeat(Math.ceil(bytes / 47)).slice(0, bytes), 'latin1');
/** Half text, half random: compresses, and not to nothing. */
const mixed = Buffer.concat([text(20_000), randomBytes(12_000), text(8_000)]);

const implementations: [string, BlockCodec | string, Buffer, Buffer, number][] = [
  ['libzstd', loaded(loadLibzstd), ZSTD_KNOWN_FRAME, ZSTD_KNOWN_TEXT, 3],
  ['liblz4', loaded(loadLiblz4), LZ4_KNOWN_BLOCK, LZ4_KNOWN_TEXT, 0],
  ['lz4-napi', napiLz4Codec, LZ4_KNOWN_BLOCK, LZ4_KNOWN_TEXT, 0],
];

for (const [name, implementation, knownInput, knownOutput, level] of implementations) {
  const skip = typeof implementation === 'string' ? `${name} did not load here: ${implementation}` : false;
  describe(`the ${name} codec (block-codec.ts)`, { skip }, () => {
    const codec = implementation as BlockCodec;
    const compressed = (input: Buffer): Buffer => {
      const output = Buffer.alloc(codec.compressBound(input.length));
      return output.subarray(0, codec.compress(input, output, level));
    };

    test('decompress() writes the known answer (another writer\'s block) into the caller\'s buffer, and nothing around it', () => {
      const memory = Buffer.alloc(knownOutput.length + 20, 0xee);
      const into = memory.subarray(10, 10 + knownOutput.length);
      assert.equal(codec.decompress(knownInput, into), knownOutput.length);
      assert.deepEqual(into, knownOutput);
      assert.deepEqual([memory.subarray(0, 10), memory.subarray(10 + knownOutput.length)], [Buffer.alloc(10, 0xee), Buffer.alloc(10, 0xee)]);
    });

    test('compress() into the middle of a larger buffer and decompress() into another give the input back, sync and on the thread pool', async () => {
      const memory = Buffer.alloc(codec.compressBound(mixed.length) + 100);
      const output = memory.subarray(50, 50 + codec.compressBound(mixed.length));
      const length = codec.compress(mixed, output, level);
      assert.ok(length < mixed.length * 0.8, `${length} bytes for ${mixed.length}`);
      const back = Buffer.alloc(mixed.length);
      assert.equal(codec.decompress(output.subarray(0, length), back), mixed.length);
      assert.deepEqual(back, mixed);
      const again = Buffer.alloc(codec.compressBound(mixed.length));
      const lengths = await Promise.all([0, 1, 2, 3, 4].map(() => codec.compressAsync(mixed, Buffer.alloc(again.length), level)));
      assert.deepEqual(lengths, [length, length, length, length, length]);
      const asyncLength = await codec.compressAsync(mixed, again, level);
      assert.deepEqual(again.subarray(0, asyncLength), output.subarray(0, length));
    });

    test('decompress() refuses an output shorter than the block\'s content with CodecError', () => {
      const block = compressed(mixed);
      assert.throws(() => codec.decompress(block, Buffer.alloc(mixed.length - 1)), CodecError);
      assert.throws(() => codec.decompress(knownInput, Buffer.alloc(knownOutput.length - 1)), CodecError);
    });

    test('decompress() answers CodecError for the block cut at every length, and never crashes on flipped bytes', () => {
      const block = compressed(text(3000));
      const output = Buffer.alloc(3000);
      for (let cut = 0; cut < block.length; cut++) assert.throws(() => codec.decompress(block.subarray(0, cut), output), CodecError, `cut at ${cut}`);
      for (let at = 0; at < block.length; at++) {
        const flipped = Buffer.from(block);
        flipped[at] = (flipped[at] ?? 0) ^ 0x5a;
        try {
          codec.decompress(flipped, output);
        } catch (error) {
          assert.ok(error instanceof CodecError, `flipped at ${at}: ${String(error)}`);
        }
      }
      assert.throws(() => codec.decompress(randomBytes(64), Buffer.alloc(1 << 20)), CodecError);
    });

    test('compress() refuses an output below compressBound() and an output overlapping its input', () => {
      assert.throws(() => codec.compress(mixed, Buffer.alloc(codec.compressBound(mixed.length) - 1), level), RangeError);
      const memory = Buffer.alloc(codec.compressBound(1000) + 500);
      assert.throws(() => codec.compress(memory.subarray(0, 1000), memory.subarray(500), level), /overlap/);
    });
  });
}

for (const [name, codec] of [['liblz4', loadLiblz4()], ['lz4-napi', napiLz4Codec]] as const) {
  test(`${name}'s compressWithin() writes the compressed form where it fits and says -1 where it does not`, () => {
    const fits = Buffer.alloc(mixed.length - 1);
    const length = codec.compressWithin(mixed, fits);
    assert.ok(length > 0 && length < mixed.length);
    const back = Buffer.alloc(mixed.length);
    assert.equal(codec.decompress(fits.subarray(0, length), back), mixed.length);
    assert.deepEqual(back, mixed);
    assert.equal(codec.compressWithin(mixed, Buffer.alloc(length - 1)), -1);
    assert.equal(codec.compressWithin(randomBytes(4096), Buffer.alloc(4095)), -1, 'random bytes do not get shorter');
    assert.equal(codec.compressWithin(mixed, Buffer.alloc(0)), -1);
  });
}
