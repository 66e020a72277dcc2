// The seam of src/media/codec/: a block compressor that reads the caller's buffer and writes into the caller's
// buffer. Implementations: zstd from the system's libzstd (libzstd-codec.ts), LZ4 from the system's liblz4
// (liblz4-codec.ts) or from lz4-napi (napi-lz4-codec.ts); codec-choice.ts picks them once per thread.

export interface BlockCodec {
  /** Which library runs, with its version when it says (for the log line and the benchmarks). */
  readonly name: string;
  /** Whether each call leaves a fresh buffer behind for the collector (lz4-napi returns its output in one). */
  readonly allocates: boolean;
  /** The output size that holds the compression of any `inputBytes` bytes. */
  compressBound(inputBytes: number): number;
  /**
   * Compress `input` into `output` (at least compressBound(input.length) bytes, not overlapping `input`) at `level`
   * (zstd's scale; LZ4 has none): the bytes written. CodecError when the library fails.
   */
  compress(input: Buffer, output: Buffer, level: number): number;
  /** compress() on the libuv thread pool, so it runs beside the caller's thread; neither buffer may change meanwhile. */
  compressAsync(input: Buffer, output: Buffer, level: number): Promise<number>;
  /**
   * Decompress `input` (one whole compressed block) into `output`: the bytes written. CodecError when the input is
   * damaged or does not fit; `output` is then unusable.
   */
  decompress(input: Buffer, output: Buffer): number;
}

/** LZ4 as the tape records use it too: compressed only where that pays (FORMAT.md "Compression"). */
export interface Lz4Codec extends BlockCodec {
  /**
   * Compress `input` into `output` if its compressed form fits there: the bytes written, or -1 when it does not
   * (`output` then holds garbage). Lets a caller ask for "shorter than the block, or not at all" without an output of
   * compressBound() bytes.
   */
  compressWithin(input: Buffer, output: Buffer): number;
}

/** A codec refused its input (damaged, or larger than the output), or its library could not be had. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

/** Throws unless `output` holds any compression of `input` and the two do not overlap. */
export function checkCompressArguments(codec: BlockCodec, input: Buffer, output: Buffer): void {
  const bound = codec.compressBound(input.length);
  if (output.length < bound) throw new RangeError(`${codec.name} needs an output of ${bound} bytes for ${input.length} bytes of input, not ${output.length}`);
  checkApart(codec, input, output);
}

/** Throws when `input` and `output` overlap: no codec compresses in place. */
export function checkApart(codec: BlockCodec, input: Buffer, output: Buffer): void {
  if (input.buffer !== output.buffer) return;
  const apart = input.byteOffset + input.length <= output.byteOffset || output.byteOffset + output.length <= input.byteOffset;
  if (!apart) throw new RangeError(`${codec.name}: input and output overlap`);
}

/** What a failed call on the thread pool (koffi's callback) rejects with. */
export function poolCallError(error: unknown, library: string): Error {
  return error instanceof Error ? error : new CodecError(`${library}: the call on the thread pool failed (${typeof error})`);
}
