// LZ4 through lz4-napi (lz4_flex) behind the codec seam (block-codec.ts): the fallback where liblz4 cannot be called
// directly. It returns each result in a fresh buffer, copied here into the caller's.
import { compress, compressSync, uncompressSync } from 'lz4-napi';
import { CodecError, checkCompressArguments, type Lz4Codec } from './block-codec.js';
import { LZ4_PREFIX_BYTES, lz4Length } from './liblz4-codec.js';

/** lz4_flex's bound for the same layout: LZ4's worst case (lz4.h LZ4_COMPRESSBOUND) and the length prefix. */
const bound = (inputBytes: number): number => LZ4_PREFIX_BYTES + inputBytes + Math.floor(inputBytes / 255) + 16;

export const napiLz4Codec: Lz4Codec = {
  name: 'lz4-napi',
  allocates: true,
  compressBound: bound,
  compress(input, output) {
    checkCompressArguments(napiLz4Codec, input, output);
    return copied(compressSync(input), output);
  },
  compressWithin(input, output) {
    const data = compressSync(input);
    return data.length > output.length ? -1 : data.copy(output);
  },
  async compressAsync(input, output) {
    checkCompressArguments(napiLz4Codec, input, output);
    return copied(await compress(input), output);
  },
  decompress(input, output) {
    const length = lz4Length(input, output);
    let data: Buffer;
    try {
      data = uncompressSync(input);
    } catch (error) {
      throw new CodecError(`LZ4 decompression failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (data.length !== length) throw new CodecError(`LZ4 decompression gave ${data.length} bytes, the block says ${length}`);
    return data.copy(output);
  },
};

/** Buffer.copy() stops quietly at the end of its target: a result longer than the bound must not be cut. */
function copied(data: Buffer, output: Buffer): number {
  if (data.length > output.length) throw new CodecError(`lz4-napi compressed to ${data.length} bytes, past the output's ${output.length}`);
  return data.copy(output);
}
