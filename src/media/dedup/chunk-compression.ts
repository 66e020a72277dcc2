// FORMAT.md "Deduplication / Containers": how a unique chunk's payload is stored. Compressed with the store's codec
// (zstd at a level, or LZ4; src/media/codec/) when that saves at least 3 %, else raw. Whether it would is guessed
// first from a 2 KiB probe (the chunk's first and last KiB, so a chunk that straddles a file boundary is probed on
// both sides), compressed with LZ4: compressing an incompressible chunk whole was the pass's largest cost
// (docs/BENCHMARKS.md "Issue 17: session 9"), and LZ4 decides it for the least CPU ("session 10, zstd").
import { CodecError, type BlockCodec } from '../codec/block-codec.js';
import { codecChoice, type CodecChoice } from '../codec/codec-choice.js';
import { ChunkCodec } from './chunk-container.js';

/** A chunk is stored compressed only when that saves at least 3 %. */
export const SHRINK_RATIO = 0.97;
/** Bytes from each end of a chunk that the probe compresses. */
export const PROBE_SIDE_BYTES = 1024;

/** How a chunk store compresses new chunks (`dedup.compression`). Chunks already stored keep their codec. */
export type ChunkCompression = { readonly codec: 'lz4' } | { readonly codec: 'zstd'; readonly level?: number };

/** zstd's level when the configuration names none, chosen by measurement (docs/BENCHMARKS.md "Issue 17: session 10, zstd"). */
export const DEFAULT_ZSTD_LEVEL = 3;
/** The default: zstd (docs/BENCHMARKS.md "Issue 17: session 10, zstd"). */
export const DEFAULT_CHUNK_COMPRESSION: ChunkCompression = { codec: 'zstd' };

/** `lz4`, `zstd` or `zstd:LEVEL` (`dedup.compression`, checked by the configuration) as a ChunkCompression. */
export function parseChunkCompression(text: string): ChunkCompression {
  const match = /^(lz4|zstd)(?::(\d{1,2}))?$/.exec(text);
  const level = match?.[2] === undefined ? undefined : Number(match[2]);
  if (match === null || (match[1] === 'lz4' && level !== undefined) || (level !== undefined && (level < 1 || level > 19))) throw new RangeError(`A chunk compression is lz4, zstd or zstd:LEVEL with LEVEL 1..19, not "${text}"`);
  return match[1] === 'lz4' ? { codec: 'lz4' } : level === undefined ? { codec: 'zstd' } : { codec: 'zstd', level };
}

/** The payload to store for `chunk` and its codec. */
export interface StoredPayload {
  readonly codec: ChunkCodec;
  readonly payload: Buffer;
}

/** A chunk store's compression with this thread's codecs: zstd where libzstd is unavailable falls back to LZ4. */
export class ChunkEncoder {
  private readonly codec: BlockCodec;
  private readonly id: ChunkCodec;
  private readonly level: number;
  /** Why new chunks are LZ4 though the store asks for zstd, when they are. */
  readonly fallbackReason: string | undefined;
  private readonly probeOutput: Buffer;

  constructor(
    readonly compression: ChunkCompression = DEFAULT_CHUNK_COMPRESSION,
    private readonly codecs: CodecChoice = codecChoice(),
  ) {
    const zstd = compression.codec === 'zstd' ? codecs.zstd : undefined;
    this.fallbackReason = compression.codec === 'zstd' && zstd === undefined ? codecs.zstdMissingReason ?? 'libzstd unavailable' : undefined;
    this.codec = zstd ?? codecs.lz4;
    this.id = zstd === undefined ? ChunkCodec.LZ4 : ChunkCodec.ZSTD;
    this.level = zstd !== undefined && compression.codec === 'zstd' ? compression.level ?? DEFAULT_ZSTD_LEVEL : 0;
    this.probeOutput = Buffer.allocUnsafe(codecs.lz4.compressBound(2 * PROBE_SIDE_BYTES));
  }

  /** What new chunks get: zstd and its level, or LZ4 (asked for, or zstd's fallback). */
  get effective(): string {
    return this.id === ChunkCodec.ZSTD ? `zstd level ${this.level}` : 'LZ4';
  }

  /** The payload for `chunk`, compressed on the caller's thread (a single chunk, where a thread-pool hop buys nothing). */
  encode(chunk: Buffer): StoredPayload {
    if (!this.probeShrinks(chunk)) return raw(chunk);
    const output = Buffer.allocUnsafe(this.codec.compressBound(chunk.length));
    return this.chosen(chunk, output, this.codec.compress(chunk, output, this.level));
  }

  /** encode() with the whole chunk compressed on the thread pool, beside the caller's thread (the probe stays here). */
  async encodeAsync(chunk: Buffer): Promise<StoredPayload> {
    if (!this.probeShrinks(chunk)) return raw(chunk);
    const output = Buffer.allocUnsafe(this.codec.compressBound(chunk.length));
    return this.chosen(chunk, output, await this.codec.compressAsync(chunk, output, this.level));
  }

  private chosen(chunk: Buffer, output: Buffer, length: number): StoredPayload {
    return length < chunk.length * SHRINK_RATIO ? { codec: this.id, payload: output.subarray(0, length) } : raw(chunk);
  }

  /** Whether LZ4 shrinks the chunk's ends by 3 % (a chunk of 8 KiB or less is always tried whole). */
  private probeShrinks(chunk: Buffer): boolean {
    if (chunk.length <= 8 * PROBE_SIDE_BYTES) return true;
    const probe = Buffer.concat([chunk.subarray(0, PROBE_SIDE_BYTES), chunk.subarray(chunk.length - PROBE_SIDE_BYTES)]);
    return this.codecs.lz4.compress(probe, this.probeOutput, 0) < probe.length * SHRINK_RATIO;
  }
}

const raw = (chunk: Buffer): StoredPayload => ({ codec: ChunkCodec.RAW, payload: chunk });

let defaultEncoder: ChunkEncoder | undefined;
const encoder = (): ChunkEncoder => (defaultEncoder ??= new ChunkEncoder());

/** The payload for `chunk` with the default compression, compressed on the thread pool. */
export function encodeChunk(chunk: Buffer): Promise<StoredPayload> {
  return encoder().encodeAsync(chunk);
}

/** encodeChunk() on the caller's thread. */
export function encodeChunkSync(chunk: Buffer): StoredPayload {
  return encoder().encode(chunk);
}

/** A chunk cannot be decompressed here: its codec's library is unavailable (not damage: another host reads it). */
export class CodecUnavailableError extends CodecError {
  constructor(message: string) {
    super(message);
    this.name = 'CodecUnavailableError';
  }
}

/**
 * THE decompression of a stored chunk payload: `stored` (stored with `codec`, already opened if sealed) written
 * straight into `output`, which must be exactly the chunk's length; returns it. Throws CodecError when the payload
 * is damaged or does not give exactly `output.length` bytes, CodecUnavailableError when its codec cannot be had here.
 */
export function decompressChunkInto(stored: Buffer, codec: ChunkCodec, output: Buffer, codecs: CodecChoice = codecChoice()): number {
  let written: number;
  if (codec === ChunkCodec.RAW) written = stored.length === output.length ? stored.copy(output) : -1;
  else if (codec === ChunkCodec.LZ4) written = codecs.lz4.decompress(stored, output);
  else {
    if (codecs.zstd === undefined) throw new CodecUnavailableError(`it is zstd-compressed and zstd is unavailable here (${codecs.zstdMissingReason ?? 'unknown'})`);
    written = codecs.zstd.decompress(stored, output);
  }
  if (written !== output.length) throw new CodecError('decompressed length mismatch');
  return written;
}

/**
 * The chunk from a payload stored with `codec` (its length is checked by the caller), in a new buffer (a raw one is
 * the payload itself). `logicalLength`: the chunk's length, which a zstd payload needs (LZ4's says its own).
 */
export function decodeChunkPayload(codec: ChunkCodec, payload: Buffer, logicalLength?: number): Buffer {
  if (codec === ChunkCodec.RAW) return payload;
  const length = logicalLength ?? (codec === ChunkCodec.LZ4 && payload.length >= 4 ? payload.readUInt32LE(0) : undefined);
  if (length === undefined) throw new CodecError('the chunk length is needed to decompress a zstd payload');
  const output = Buffer.allocUnsafe(length);
  decompressChunkInto(payload, codec, output);
  return output;
}
