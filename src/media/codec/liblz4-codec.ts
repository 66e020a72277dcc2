// LZ4 from the system's liblz4 (Debian's liblz4-1, liblz4.so.1) called through koffi's FFI behind the codec seam
// (block-codec.ts), in the layout lz4-napi writes and FORMAT.md names for LZ4 (the block format preceded by the
// 4-byte little-endian uncompressed length), so either library reads what the other wrote. Unlike lz4-napi, which
// returns every result in a fresh buffer, it writes into the caller's memory.
import { createRequire } from 'node:module';
import { CodecError, checkApart, checkCompressArguments, poolCallError, type Lz4Codec } from './block-codec.js';

/** The uncompressed length before the block. */
export const LZ4_PREFIX_BYTES = 4;
/** LZ4's int lengths: its largest input (LZ4_MAX_INPUT_SIZE in lz4.h). */
const LZ4_MAX_INPUT_SIZE = 0x7e000000;

type Compress = (src: Buffer, dst: Buffer, srcSize: number, dstCapacity: number) => number;
type AsyncCompress = { async: (...args: [...Parameters<Compress>, (error: unknown, result: number) => void]) => void };

/** Throws when koffi's binary, liblz4.so.1 or one of its functions cannot be had (lz4-napi is then used). */
export function loadLiblz4(): Lz4Codec {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load('liblz4.so.1');
  const versionString = lib.func('const char *LZ4_versionString()') as () => string;
  const bound = lib.func('int LZ4_compressBound(int inputSize)') as (inputSize: number) => number;
  // LZ4_compress_default keeps its state on the stack: no context to share between threads.
  const compressDefault = lib.func('int LZ4_compress_default(const void *src, void *dst, int srcSize, int dstCapacity)') as Compress & AsyncCompress;
  const decompressSafe = lib.func('int LZ4_decompress_safe(const void *src, void *dst, int compressedSize, int dstCapacity)') as (src: Buffer, dst: Buffer, compressedSize: number, dstCapacity: number) => number;

  const blockOf = (input: Buffer, output: Buffer): Buffer => {
    if (input.length > LZ4_MAX_INPUT_SIZE) throw new RangeError(`LZ4 takes at most ${LZ4_MAX_INPUT_SIZE} bytes, not ${input.length}`);
    output.writeUInt32LE(input.length, 0);
    return output.subarray(LZ4_PREFIX_BYTES);
  };
  const written = (result: number): number => {
    if (result <= 0) throw new CodecError('LZ4 compression failed');
    return LZ4_PREFIX_BYTES + result;
  };
  const codec: Lz4Codec = {
    name: `liblz4 ${versionString()}`,
    allocates: false,
    compressBound: (inputBytes) => LZ4_PREFIX_BYTES + bound(inputBytes),
    compress(input, output) {
      checkCompressArguments(codec, input, output);
      const block = blockOf(input, output);
      return written(compressDefault(input, block, input.length, block.length));
    },
    compressWithin(input, output) {
      if (output.length <= LZ4_PREFIX_BYTES) return -1;
      checkApart(codec, input, output);
      const block = blockOf(input, output);
      // LZ4_compress_default stops at the capacity and says 0 rather than write past it.
      const result = compressDefault(input, block, input.length, block.length);
      return result <= 0 ? -1 : LZ4_PREFIX_BYTES + result;
    },
    compressAsync(input, output) {
      checkCompressArguments(codec, input, output);
      const block = blockOf(input, output);
      return new Promise((resolve, reject) => {
        compressDefault.async(input, block, input.length, block.length, (error, result) => {
          if (error !== null && error !== undefined) reject(poolCallError(error, 'liblz4'));
          else if (result <= 0) reject(new CodecError('LZ4 compression failed'));
          else resolve(LZ4_PREFIX_BYTES + result);
        });
      });
    },
    decompress(input, output) {
      const length = lz4Length(input, output);
      const result = decompressSafe(input.subarray(LZ4_PREFIX_BYTES), output, input.length - LZ4_PREFIX_BYTES, length);
      if (result !== length) throw new CodecError(result < 0 ? `LZ4 decompression failed: the block is damaged (at byte ${-result - 1})` : `LZ4 decompression gave ${result} bytes, the block says ${length}`);
      return length;
    },
  };
  return codec;
}

/** The uncompressed length an LZ4 block says it has; CodecError when there is none or it does not fit `output`. */
export function lz4Length(input: Buffer, output: Buffer): number {
  if (input.length < LZ4_PREFIX_BYTES) throw new CodecError(`LZ4 decompression failed: ${input.length} bytes hold no length`);
  const length = input.readUInt32LE(0);
  if (length > output.length) throw new CodecError(`LZ4 decompression failed: the block holds ${length} bytes, the output ${output.length}`);
  return length;
}
