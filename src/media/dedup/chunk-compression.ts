// FORMAT.md "Deduplication / Containers": how a unique chunk's payload is stored. LZ4 when that saves at least 3 %,
// else raw. Whether it would is guessed first from a 2 KiB probe (the chunk's first and last KiB, so a chunk that
// straddles a file boundary is probed on both sides): LZ4 of an incompressible chunk was the pass's largest cost
// (lz4_flex, ~3.4 CPU s/GB on random data), and the probe costs ~0.3 (docs/BENCHMARKS.md "Issue 17: session 9").
import { compress, compressSync, uncompressSync } from 'lz4-napi';
import { ChunkCodec } from './chunk-container.js';

/** A chunk is stored compressed only when that saves at least 3 %. */
export const SHRINK_RATIO = 0.97;
/** Bytes from each end of a chunk that the probe compresses. */
export const PROBE_SIDE_BYTES = 1024;

/** The payload to store for `chunk` and its codec. */
export interface StoredPayload {
  readonly codec: ChunkCodec;
  readonly payload: Buffer;
}

function probeOf(chunk: Buffer): Buffer | undefined {
  return chunk.length > 8 * PROBE_SIDE_BYTES ? Buffer.concat([chunk.subarray(0, PROBE_SIDE_BYTES), chunk.subarray(chunk.length - PROBE_SIDE_BYTES)]) : undefined;
}

function choose(chunk: Buffer, compressed: Buffer | undefined): StoredPayload {
  return compressed !== undefined && compressed.length < chunk.length * SHRINK_RATIO ? { codec: ChunkCodec.LZ4, payload: compressed } : { codec: ChunkCodec.RAW, payload: chunk };
}

const shrinks = (probe: Buffer, compressed: Buffer): boolean => compressed.length < probe.length * SHRINK_RATIO;

/** The payload for `chunk`, compressed on the thread pool (the probe too), so it runs beside the caller's thread. */
export async function encodeChunk(chunk: Buffer): Promise<StoredPayload> {
  const probe = probeOf(chunk);
  if (probe !== undefined && !shrinks(probe, await compress(probe))) return choose(chunk, undefined);
  return choose(chunk, await compress(chunk));
}

/** encodeChunk() on the caller's thread (a single chunk, where a thread-pool hop buys nothing). */
export function encodeChunkSync(chunk: Buffer): StoredPayload {
  const probe = probeOf(chunk);
  if (probe !== undefined && !shrinks(probe, compressSync(probe))) return choose(chunk, undefined);
  return choose(chunk, compressSync(chunk));
}

/** The chunk from a payload stored with `codec` (its length is checked by the caller). */
export function decodeChunkPayload(codec: ChunkCodec, payload: Buffer): Buffer {
  return codec === ChunkCodec.RAW ? payload : uncompressSync(payload);
}
