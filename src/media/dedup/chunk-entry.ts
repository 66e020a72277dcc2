// FORMAT.md "Deduplication / Containers", the reading side: a chunk from the bytes of its entry, checked before a
// byte of it is used (header CRC, the lengths against the recipe, payload CRC, the seal, the decompressed length). A
// failed check is ChunkDamagedError, which the cartridge reports as MEDIUM ERROR on exactly the blocks that use it.
import { crc32c } from '../../crc32c.js';
import { decodeEntryHeader, ENTRY_HEADER_BYTES } from './chunk-container.js';
import { decodeChunkPayload } from './chunk-compression.js';
import type { ChunkSealer } from './chunk-sealer.js';
import { containerName } from './container-files.js';
import type { ChunkRef } from './recipe.js';

/** A chunk failed its check on read: SSC MEDIUM ERROR on the blocks that use it. */
export class ChunkDamagedError extends Error {
  constructor(
    message: string,
    readonly ref: ChunkRef,
  ) {
    super(message);
    this.name = 'ChunkDamagedError';
  }
}

/**
 * The chunk `ref` from `bytes`, which start with its entry (and may hold more after it). `salt`: its container's, when
 * the container is sealed; `sealer`: the store's, when a master key is configured.
 */
export function decodeChunkEntry(ref: ChunkRef, bytes: Buffer, salt: Buffer | undefined, sealer: ChunkSealer | undefined): Buffer {
  const fail = (why: string): never => {
    throw new ChunkDamagedError(`chunk at ${containerName(ref.container)}:${ref.offset} is damaged: ${why}`, ref);
  };
  const header = decodeEntryHeader(bytes, salt !== undefined);
  if (typeof header === 'string') return fail(header);
  if (header.logicalLength !== ref.length) return fail(`it holds ${header.logicalLength} bytes, the recipe says ${ref.length}`);
  if (bytes.length < ENTRY_HEADER_BYTES + header.storedLength) return fail('short payload');
  const stored = bytes.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + header.storedLength);
  if (crc32c(stored) !== header.payloadCrc) return fail('payload CRC mismatch');
  let payload = stored;
  if (salt !== undefined) {
    if (sealer === undefined) return fail('its container is sealed and no master key is configured');
    payload = sealer.open(salt, ref.offset, bytes.subarray(8, ENTRY_HEADER_BYTES), stored) ?? fail('its seal does not open (damaged, or another master key)');
  }
  const data = decodeChunkPayload(header.codec, payload);
  return data.length === ref.length ? data : fail('decompressed length mismatch');
}
