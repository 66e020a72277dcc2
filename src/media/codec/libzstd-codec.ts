// zstd (RFC 8878 frames) from the system's libzstd (Debian's libzstd1, libzstd.so.1) called through koffi's FFI
// behind the codec seam (block-codec.ts): input read from, output written into the caller's memory. One compression
// and one decompression context for the calling thread, reused by every call (a context's tables are the cost of a
// call on 32 KiB chunks otherwise); calls on the thread pool borrow theirs from a pool (context-pool.ts).
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { CodecError, checkCompressArguments, poolCallError, type BlockCodec } from './block-codec.js';
import { ContextPool } from './context-pool.js';

type Pointer = unknown;
/** size_t results: koffi gives a number, or a bigint past 2^53 (zstd's error codes are (size_t)-n). */
type SizeResult = number | bigint;
type Compress = (cctx: Pointer, dst: Buffer, dstCapacity: number, src: Buffer, srcSize: number, level: number) => SizeResult;
type AsyncCompress = { async: (...args: [...Parameters<Compress>, (error: unknown, result: SizeResult) => void]) => void };

/**
 * Throws when koffi's binary, libzstd.so.1 or one of its functions cannot be had; koffi is required here rather than
 * imported, so that a platform without it still starts (with LZ4 for new chunks).
 */
export function loadLibzstd(): BlockCodec {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load('libzstd.so.1');
  const versionNumber = lib.func('unsigned int ZSTD_versionNumber()') as () => number;
  const bound = lib.func('size_t ZSTD_compressBound(size_t srcSize)') as (srcSize: number) => number;
  const isError = lib.func('unsigned int ZSTD_isError(size_t code)') as (code: SizeResult) => number;
  const errorName = lib.func('const char *ZSTD_getErrorName(size_t code)') as (code: SizeResult) => string;
  const newCompression = lib.func('void *ZSTD_createCCtx()') as () => Pointer;
  const newDecompression = lib.func('void *ZSTD_createDCtx()') as () => Pointer;
  const compressCCtx = lib.func('size_t ZSTD_compressCCtx(void *cctx, void *dst, size_t dstCapacity, const void *src, size_t srcSize, int level)') as Compress & AsyncCompress;
  const decompressDCtx = lib.func('size_t ZSTD_decompressDCtx(void *dctx, void *dst, size_t dstCapacity, const void *src, size_t srcSize)') as (dctx: Pointer, dst: Buffer, dstCapacity: number, src: Buffer, srcSize: number) => SizeResult;
  const newContext = (): Pointer => {
    const made = newCompression();
    if (made === null) throw new CodecError('libzstd could not make a compression context');
    return made;
  };
  const cctx = newContext();
  const dctx = newDecompression();
  if (dctx === null) throw new Error('libzstd could not make a decompression context');
  const pool = new ContextPool(newContext, Math.max(2, availableParallelism()));
  const version = versionNumber();
  const name = `libzstd ${Math.floor(version / 10000)}.${Math.floor(version / 100) % 100}.${version % 100}`;

  /** Why `result` is not a size (a zstd error code, named by the library), or undefined when it is one. */
  const failure = (result: SizeResult, what: string): CodecError | undefined =>
    typeof result === 'number' && isError(result) === 0 ? undefined : new CodecError(`zstd ${what} failed: ${errorName(result)}`);
  const checked = (result: SizeResult, what: string): number => {
    const problem = failure(result, what);
    if (problem !== undefined || typeof result !== 'number') throw problem ?? new CodecError(`zstd ${what} failed`);
    return result;
  };
  const codec: BlockCodec = {
    name,
    allocates: false,
    compressBound: (inputBytes) => bound(inputBytes),
    compress(input, output, level) {
      checkCompressArguments(codec, input, output);
      return checked(compressCCtx(cctx, output, output.length, input, input.length, level), 'compression');
    },
    compressAsync(input, output, level) {
      checkCompressArguments(codec, input, output);
      return pool.use((context) => new Promise<number>((resolve, reject) => {
        compressCCtx.async(context, output, output.length, input, input.length, level, (error, result) => {
          if (error !== null && error !== undefined) reject(poolCallError(error, 'libzstd'));
          else if (typeof result === 'number' && failure(result, 'compression') === undefined) resolve(result);
          else reject(failure(result, 'compression') ?? new CodecError('zstd compression failed'));
        });
      }));
    },
    decompress(input, output) {
      // No frame at all is no block (zstd itself reads it as zero frames, zero bytes).
      if (input.length === 0) throw new CodecError('zstd decompression failed: no frame');
      return checked(decompressDCtx(dctx, output, output.length, input, input.length), 'decompression');
    },
  };
  return codec;
}
