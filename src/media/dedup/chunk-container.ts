// FORMAT.md "Deduplication / Containers": unique chunks, appended to container files and never rewritten in place.
// A container is a 16-byte file header and a sequence of entries, each a 52-byte header (two CRC32Cs, as a record:
// one for the header, one for the stored payload) and the stored payload. The header names the chunk's BLAKE3, so
// the index can be rebuilt from the containers alone and a chunk is verified end to end on every read.
import { crc32c } from '../../crc32c.js';

export const CONTAINER_MAGIC = Buffer.from('VTLCHNK\0', 'latin1');
export const CONTAINER_VERSION = 1;
export const CONTAINER_HEADER_BYTES = 16;
export const ENTRY_HEADER_BYTES = 52;
export const HASH_BYTES = 32;

/** How an entry's payload is stored. */
export const ChunkCodec = { RAW: 0, LZ4: 1 } as const;
export type ChunkCodec = (typeof ChunkCodec)[keyof typeof ChunkCodec];

const Offset = { HEADER_CRC: 0, PAYLOAD_CRC: 4, CODEC: 8, STORED_LENGTH: 12, LOGICAL_LENGTH: 16, HASH: 20 } as const;

export interface EntryHeader {
  readonly payloadCrc: number;
  readonly codec: ChunkCodec;
  readonly storedLength: number;
  readonly logicalLength: number;
  readonly hash: Buffer;
}

export function encodeContainerHeader(): Buffer {
  const header = Buffer.alloc(CONTAINER_HEADER_BYTES);
  CONTAINER_MAGIC.copy(header, 0);
  header.writeUInt16LE(CONTAINER_VERSION, 8);
  header.writeUInt16LE(CONTAINER_HEADER_BYTES, 10);
  header.writeUInt32LE(crc32c(header.subarray(0, 12)), 12);
  return header;
}

export function isContainerHeader(bytes: Buffer): boolean {
  return bytes.length >= CONTAINER_HEADER_BYTES && bytes.subarray(0, 8).equals(CONTAINER_MAGIC) && bytes.readUInt16LE(8) === CONTAINER_VERSION
    && bytes.readUInt16LE(10) === CONTAINER_HEADER_BYTES && bytes.readUInt32LE(12) === crc32c(bytes.subarray(0, 12));
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

/** The entry header at the start of `bytes`, or why it is not one (a failing CRC or a broken field rule). */
export function decodeEntryHeader(bytes: Buffer): EntryHeader | string {
  if (bytes.length < ENTRY_HEADER_BYTES) return 'short entry header';
  if (bytes.readUInt32LE(Offset.HEADER_CRC) !== crc32c(bytes.subarray(4, ENTRY_HEADER_BYTES))) return 'entry header CRC mismatch';
  const codec = bytes.readUInt8(Offset.CODEC);
  const storedLength = bytes.readUInt32LE(Offset.STORED_LENGTH);
  const logicalLength = bytes.readUInt32LE(Offset.LOGICAL_LENGTH);
  if (bytes.readUInt8(9) !== 0 || bytes.readUInt16LE(10) !== 0) return 'reserved entry header bytes set';
  if (codec !== ChunkCodec.RAW && codec !== ChunkCodec.LZ4) return `unknown codec ${codec}`;
  if (logicalLength === 0 || logicalLength > 16 * 1024 * 1024) return `chunk length ${logicalLength} out of range`;
  if (codec === ChunkCodec.RAW ? storedLength !== logicalLength : storedLength >= logicalLength) return 'stored length breaks the codec rule';
  return { payloadCrc: bytes.readUInt32LE(Offset.PAYLOAD_CRC), codec, storedLength, logicalLength, hash: Buffer.from(bytes.subarray(Offset.HASH, Offset.HASH + HASH_BYTES)) };
}
