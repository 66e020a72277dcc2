// FORMAT.md "Deduplication / Containers", the reading side of a restore: a chunk from its entry, checked as
// decodeChunkEntry() checks it (chunk-entry.ts: header CRC, the lengths against the recipe, payload CRC, the seal, the
// decompressed length) before a byte of it is used, and written into the caller's buffer (the block being put
// together) instead of a buffer of its own. A failed check is ChunkDamagedError: MEDIUM ERROR on the block.
import { crc32c } from '../../crc32c.js';
import { decodeEntryHeader, ENTRY_HEADER_BYTES, type ChunkCodec } from './chunk-container.js';
import { decodeChunkPayload } from './chunk-compression.js';
import { ChunkDamagedError } from './chunk-entry.js';
import type { ChunkSealer } from './chunk-sealer.js';
import { containerName } from './container-files.js';
import type { ChunkRef } from './recipe.js';

/** What opens a sealed container's entries: its salt, and the store's sealer (none: no master key configured). */
export interface EntrySeal {
  readonly salt: Buffer;
  readonly sealer: ChunkSealer | undefined;
}

/**
 * The one place a restore decompresses a chunk: `stored` (as `codec` says) into `output`; the bytes the chunk has
 * (a chunk that does not fill `output` exactly is damaged). A raw chunk is copied.
 */
export function decompressInto(stored: Buffer, codec: ChunkCodec, output: Buffer): number {
  // Until chunk-compression.ts decompresses in place (decompressChunkInto), through a buffer of its own and a copy.
  const data = decodeChunkPayload(codec, stored);
  return data.length === output.length ? data.copy(output) : data.length;
}

/**
 * Chunk `ref` from `bytes`, which start with its entry (and may hold more after it), into `output` (ref.length
 * bytes); `seal`: its container's when sealed.
 */
export function decodeChunkInto(ref: ChunkRef, bytes: Buffer, seal: EntrySeal | undefined, output: Buffer): void {
  const fail = (why: string): never => {
    throw new ChunkDamagedError(`chunk at ${containerName(ref.container)}:${ref.offset} is damaged: ${why}`, ref);
  };
  const header = decodeEntryHeader(bytes, seal !== undefined);
  if (typeof header === 'string') return fail(header);
  if (header.logicalLength !== ref.length) return fail(`it holds ${header.logicalLength} bytes, the recipe says ${ref.length}`);
  if (bytes.length < ENTRY_HEADER_BYTES + header.storedLength) return fail('short payload');
  const stored = bytes.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + header.storedLength);
  if (crc32c(stored) !== header.payloadCrc) return fail('payload CRC mismatch');
  let payload = stored;
  if (seal !== undefined) {
    if (seal.sealer === undefined) return fail('its container is sealed and no master key is configured');
    payload = seal.sealer.open(seal.salt, ref.offset, bytes.subarray(8, ENTRY_HEADER_BYTES), stored) ?? fail('its seal does not open (damaged, or another master key)');
  }
  let length: number;
  try {
    length = decompressInto(payload, header.codec, output.subarray(0, ref.length));
  } catch (error) {
    return fail(`it does not decompress (${error instanceof Error ? error.message : String(error)})`);
  }
  if (length !== ref.length) fail('decompressed length mismatch');
}
