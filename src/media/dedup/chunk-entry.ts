// FORMAT.md "Deduplication / Containers", the reading side: a chunk from the bytes of its entry, checked before a
// byte of it is used (header CRC, the lengths against the recipe, payload CRC, the seal, the decompressed length). A
// failed check is ChunkDamagedError, which the cartridge reports as MEDIUM ERROR on exactly the blocks that use it;
// so is a chunk whose codec this host cannot decompress (zstd without libzstd), with that reason.
import { crc32c } from '../../crc32c.js';
import { CodecError } from '../codec/block-codec.js';
import { codecChoice, type CodecChoice } from '../codec/codec-choice.js';
import { ChunkCodec, decodeEntryHeader, ENTRY_HEADER_BYTES } from './chunk-container.js';
import { CodecUnavailableError, decompressChunkInto } from './chunk-compression.js';
import type { ChunkSealer } from './chunk-sealer.js';
import { containerName } from './container-files.js';
import type { ChunkRef } from './recipe.js';

/** A chunk failed its check on read, or cannot be decompressed here: SSC MEDIUM ERROR on the blocks that use it. */
export class ChunkDamagedError extends Error {
  constructor(
    message: string,
    readonly ref: ChunkRef,
  ) {
    super(message);
    this.name = 'ChunkDamagedError';
  }
}

/** Where a chunk's bytes go: `output` from `offset`, ref.length bytes. */
export interface ChunkOutput {
  readonly output: Buffer;
  readonly offset: number;
}

/**
 * The chunk `ref` from `bytes`, which start with its entry (and may hold more after it). `salt`: its container's, when
 * the container is sealed; `sealer`: the store's, when a master key is configured. A raw chunk is a view of `bytes`.
 */
export function decodeChunkEntry(ref: ChunkRef, bytes: Buffer, salt: Buffer | undefined, sealer: ChunkSealer | undefined, codecs: CodecChoice = codecChoice()): Buffer {
  const { codec, payload } = openEntry(ref, bytes, salt, sealer);
  if (codec === ChunkCodec.RAW) return payload;
  const data = Buffer.allocUnsafe(ref.length);
  decompress(ref, codec, payload, data, codecs);
  return data;
}

/**
 * decodeChunkEntry() written straight into `into.output` at `into.offset` (ref.length bytes there), nothing
 * allocated on the way for an unsealed entry: for a restore that puts chunks into the block it answers with.
 */
export function decodeChunkEntryInto(ref: ChunkRef, bytes: Buffer, salt: Buffer | undefined, sealer: ChunkSealer | undefined, into: ChunkOutput, codecs: CodecChoice = codecChoice()): void {
  if (into.offset < 0 || into.offset + ref.length > into.output.length) throw new RangeError(`A chunk of ${ref.length} bytes does not fit at ${into.offset} of ${into.output.length} bytes`);
  const { codec, payload } = openEntry(ref, bytes, salt, sealer);
  decompress(ref, codec, payload, into.output.subarray(into.offset, into.offset + ref.length), codecs);
}

function damaged(ref: ChunkRef, why: string): ChunkDamagedError {
  return new ChunkDamagedError(`chunk at ${containerName(ref.container)}:${ref.offset} is damaged: ${why}`, ref);
}

/** The entry's codec and its payload (opened when sealed), every check before decompression passed. */
function openEntry(ref: ChunkRef, bytes: Buffer, salt: Buffer | undefined, sealer: ChunkSealer | undefined): { codec: ChunkCodec; payload: Buffer } {
  const fail = (why: string): never => {
    throw damaged(ref, why);
  };
  const header = decodeEntryHeader(bytes, salt !== undefined);
  if (typeof header === 'string') return fail(header);
  if (header.logicalLength !== ref.length) return fail(`it holds ${header.logicalLength} bytes, the recipe says ${ref.length}`);
  if (bytes.length < ENTRY_HEADER_BYTES + header.storedLength) return fail('short payload');
  const stored = bytes.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + header.storedLength);
  if (crc32c(stored) !== header.payloadCrc) return fail('payload CRC mismatch');
  if (salt === undefined) return { codec: header.codec, payload: stored };
  if (sealer === undefined) return fail('its container is sealed and no master key is configured');
  const payload = sealer.open(salt, ref.offset, bytes.subarray(8, ENTRY_HEADER_BYTES), stored) ?? fail('its seal does not open (damaged, or another master key)');
  return { codec: header.codec, payload };
}

function decompress(ref: ChunkRef, codec: ChunkCodec, payload: Buffer, output: Buffer, codecs: CodecChoice): void {
  try {
    decompressChunkInto(payload, codec, output, codecs);
  } catch (error) {
    if (error instanceof CodecUnavailableError) throw new ChunkDamagedError(`chunk at ${containerName(ref.container)}:${ref.offset} cannot be read: ${error.message}`, ref);
    if (error instanceof CodecError) throw damaged(ref, error.message);
    throw error;
  }
}
