// FORMAT.md "Deduplication / Containers": unique chunks, appended to container files and never rewritten in place.
// A container is a 16-byte file header and a sequence of entries, each a 52-byte header (two CRC32Cs, as a record:
// one for the header, one for the stored payload) and the stored payload. The header names the chunk's BLAKE3, so
// the index can be rebuilt from the containers alone and a chunk is verified end to end on every read.
import { crc32c } from '../../crc32c.js';

export const CONTAINER_MAGIC = Buffer.from('VTLCHNK\0', 'latin1');
export const CONTAINER_VERSION = 1;
/** A sealed container (encryption at rest, chunk-sealer.ts): its header also holds the salt of its key. */
export const SEALED_CONTAINER_VERSION = 2;
export const CONTAINER_HEADER_BYTES = 16;
export const SEALED_CONTAINER_HEADER_BYTES = 32;
/** A sealed entry's stored payload ends with the AES-GCM tag. */
const SEAL_TAG_BYTES = 16;
export const ENTRY_HEADER_BYTES = 52;
export const HASH_BYTES = 32;

/** How an entry's payload is stored. */
export const ChunkCodec = { RAW: 0, LZ4: 1, ZSTD: 2 } as const;
export type ChunkCodec = (typeof ChunkCodec)[keyof typeof ChunkCodec];

const Offset = { HEADER_CRC: 0, PAYLOAD_CRC: 4, CODEC: 8, STORED_LENGTH: 12, LOGICAL_LENGTH: 16, HASH: 20 } as const;

export interface EntryHeader {
  readonly payloadCrc: number;
  readonly codec: ChunkCodec;
  readonly storedLength: number;
  readonly logicalLength: number;
  readonly hash: Buffer;
}

/** What a container's header says: where its entries start, and the salt of its key when it is sealed. */
export interface ContainerHeader {
  readonly headerBytes: number;
  readonly salt: Buffer | undefined;
}

/** The CRC of a header: bytes 0..11, and the salt of a sealed one. */
function headerCrc(header: Buffer): number {
  return crc32c(Buffer.concat([header.subarray(0, 12), header.subarray(16)]));
}

/** A plain container's header, or a sealed one's with `salt` (CONTAINER_SALT_BYTES). */
export function encodeContainerHeader(salt?: Buffer): Buffer {
  const header = Buffer.alloc(salt ? SEALED_CONTAINER_HEADER_BYTES : CONTAINER_HEADER_BYTES);
  CONTAINER_MAGIC.copy(header, 0);
  header.writeUInt16LE(salt ? SEALED_CONTAINER_VERSION : CONTAINER_VERSION, 8);
  header.writeUInt16LE(header.length, 10);
  salt?.copy(header, CONTAINER_HEADER_BYTES);
  header.writeUInt32LE(headerCrc(header), 12);
  return header;
}

/** The header at the start of `bytes` (at least SEALED_CONTAINER_HEADER_BYTES of the file, or all of it), or undefined. */
export function decodeContainerHeader(bytes: Buffer): ContainerHeader | undefined {
  if (bytes.length < CONTAINER_HEADER_BYTES || !bytes.subarray(0, 8).equals(CONTAINER_MAGIC)) return undefined;
  const version = bytes.readUInt16LE(8);
  const length = bytes.readUInt16LE(10);
  const expected = version === CONTAINER_VERSION ? CONTAINER_HEADER_BYTES : version === SEALED_CONTAINER_VERSION ? SEALED_CONTAINER_HEADER_BYTES : 0;
  if (length !== expected || bytes.length < length) return undefined;
  const header = bytes.subarray(0, length);
  if (header.readUInt32LE(12) !== headerCrc(header)) return undefined;
  return { headerBytes: length, salt: version === SEALED_CONTAINER_VERSION ? Buffer.from(header.subarray(CONTAINER_HEADER_BYTES)) : undefined };
}

export function encodeEntryHeader(entry: EntryHeader): Buffer {
  const header = Buffer.alloc(ENTRY_HEADER_BYTES);
  header.writeUInt32LE(entry.payloadCrc, Offset.PAYLOAD_CRC);
  header.writeUInt8(entry.codec, Offset.CODEC);
  header.writeUInt32LE(entry.storedLength, Offset.STORED_LENGTH);
  header.writeUInt32LE(entry.logicalLength, Offset.LOGICAL_LENGTH);
  entry.hash.copy(header, Offset.HASH, 0, HASH_BYTES);
  header.writeUInt32LE(crc32c(header.subarray(4)), Offset.HEADER_CRC);
  return header;
}

/**
 * The entry header at the start of `bytes`, or why it is not one (a failing CRC or a broken field rule). In a sealed
 * container the stored length counts the seal's tag too.
 */
export function decodeEntryHeader(bytes: Buffer, sealed = false): EntryHeader | string {
  if (bytes.length < ENTRY_HEADER_BYTES) return 'short entry header';
  if (bytes.readUInt32LE(Offset.HEADER_CRC) !== crc32c(bytes.subarray(4, ENTRY_HEADER_BYTES))) return 'entry header CRC mismatch';
  const codec = bytes.readUInt8(Offset.CODEC);
  const storedLength = bytes.readUInt32LE(Offset.STORED_LENGTH);
  const logicalLength = bytes.readUInt32LE(Offset.LOGICAL_LENGTH);
  if (bytes.readUInt8(9) !== 0 || bytes.readUInt16LE(10) !== 0) return 'reserved entry header bytes set';
  if (codec !== ChunkCodec.RAW && codec !== ChunkCodec.LZ4 && codec !== ChunkCodec.ZSTD) return `unknown codec ${codec}`;
  if (logicalLength === 0 || logicalLength > 16 * 1024 * 1024) return `chunk length ${logicalLength} out of range`;
  const payloadLength = sealed ? storedLength - SEAL_TAG_BYTES : storedLength;
  if (codec === ChunkCodec.RAW ? payloadLength !== logicalLength : payloadLength >= logicalLength || payloadLength < 0) return 'stored length breaks the codec rule';
  return { payloadCrc: bytes.readUInt32LE(Offset.PAYLOAD_CRC), codec, storedLength, logicalLength, hash: Buffer.from(bytes.subarray(Offset.HASH, Offset.HASH + HASH_BYTES)) };
}
