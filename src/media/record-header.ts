// FORMAT.md "Records": the 28-byte record header. Pure encode/decode; raw bytes stop here.
import { crc32c } from '../crc32c.js';

/** FILEMARK_RUN (format version 2): `logicalLength` consecutive filemarks (at least 2) in one record. */
export const RecordType = { DATA: 1, FILEMARK: 2, FILEMARK_RUN: 3 } as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/**
 * ENCRYPTED (format version 3): the payload is the host key's envelope (FORMAT.md "Encrypted records") around the
 * stored form. AT_REST (version 3): an envelope under the cartridge's data key around all of that ("Encryption at rest").
 */
export const RecordFlag = { COMPRESSED: 0x01, ENCRYPTED: 0x02, AT_REST: 0x04 } as const;
const KNOWN_FLAGS = RecordFlag.COMPRESSED | RecordFlag.ENCRYPTED | RecordFlag.AT_REST;
/** An envelope's fixed part; its largest adds both KADs (media/crypto/record-envelope.ts). */
const ENVELOPE_MIN_BYTES = 48;
const ENVELOPE_MAX_OVERHEAD = 48 + 32 + 12;

export const RECORD_HEADER_BYTES = 28;
/** The most filemarks one record holds (its 32-bit logical length); WRITE FILEMARKS counts are 24-bit. */
export const MAX_FILEMARK_RUN = 0xffffffff;
/** READ(6)/WRITE(6) carry a 24-bit transfer length, so no block can be longer than this. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

export const HeaderOffset = {
  HEADER_CRC: 0,
  PAYLOAD_CRC: 4,
  TYPE: 8,
  FLAGS: 9,
  OBJECT_NUMBER: 10,
  PASS: 16,
  STORED_LENGTH: 20,
  LOGICAL_LENGTH: 24,
} as const;

export interface RecordHeader {
  readonly type: RecordType;
  readonly flags: number;
  readonly objectNumber: number;
  /** Overwrite generation: see FORMAT.md "Passes". */
  readonly pass: number;
  readonly storedLength: number;
  readonly logicalLength: number;
  /** CRC32C of the stored payload. */
  readonly payloadCrc: number;
}

export interface DecodedHeader extends RecordHeader {
  /** CRC32C of header bytes 4..27, as stored (identifies the record in the index checkpoint). */
  readonly headerCrc: number;
}

/** Encode a header into `target` at `offset` (RECORD_HEADER_BYTES bytes). */
export function encodeRecordHeader(header: RecordHeader, target: Buffer, offset = 0): void {
  target.writeUInt32LE(header.payloadCrc >>> 0, offset + HeaderOffset.PAYLOAD_CRC);
  target.writeUInt8(header.type, offset + HeaderOffset.TYPE);
  target.writeUInt8(header.flags, offset + HeaderOffset.FLAGS);
  target.writeUIntLE(header.objectNumber, offset + HeaderOffset.OBJECT_NUMBER, 6);
  target.writeUInt32LE(header.pass >>> 0, offset + HeaderOffset.PASS);
  target.writeUInt32LE(header.storedLength, offset + HeaderOffset.STORED_LENGTH);
  target.writeUInt32LE(header.logicalLength, offset + HeaderOffset.LOGICAL_LENGTH);
  const headerCrc = crc32c(target.subarray(offset + HeaderOffset.PAYLOAD_CRC, offset + RECORD_HEADER_BYTES));
  target.writeUInt32LE(headerCrc >>> 0, offset + HeaderOffset.HEADER_CRC);
}

export type HeaderProblem = 'header-crc' | 'type' | 'flags' | 'length';

/**
 * Decode and check a header: its CRC, then the field rules of FORMAT.md. Returns the problem instead of throwing,
 * because recovery treats a bad header as the end of the stream while read() treats it as a medium error.
 */
export function decodeRecordHeader(bytes: Buffer, offset = 0): DecodedHeader | HeaderProblem {
  const headerCrc = bytes.readUInt32LE(offset + HeaderOffset.HEADER_CRC);
  const computed = crc32c(bytes.subarray(offset + HeaderOffset.PAYLOAD_CRC, offset + RECORD_HEADER_BYTES));
  if (computed !== headerCrc) return 'header-crc';
  const type = bytes.readUInt8(offset + HeaderOffset.TYPE);
  const flags = bytes.readUInt8(offset + HeaderOffset.FLAGS);
  const storedLength = bytes.readUInt32LE(offset + HeaderOffset.STORED_LENGTH);
  const logicalLength = bytes.readUInt32LE(offset + HeaderOffset.LOGICAL_LENGTH);
  const payloadCrc = bytes.readUInt32LE(offset + HeaderOffset.PAYLOAD_CRC);
  if (type !== RecordType.DATA && type !== RecordType.FILEMARK && type !== RecordType.FILEMARK_RUN) return 'type';
  if ((flags & ~KNOWN_FLAGS) !== 0) return 'flags';
  if (type === RecordType.FILEMARK) {
    if (flags !== 0) return 'flags';
    if (storedLength !== 0 || logicalLength !== 0 || payloadCrc !== 0) return 'length';
  } else if (type === RecordType.FILEMARK_RUN) {
    if (flags !== 0) return 'flags';
    if (storedLength !== 0 || logicalLength < 2 || payloadCrc !== 0) return 'length';
  } else {
    if (logicalLength > MAX_BLOCK_BYTES) return 'length';
    const compressed = (flags & RecordFlag.COMPRESSED) !== 0;
    const envelopes = ((flags & RecordFlag.ENCRYPTED) !== 0 ? 1 : 0) + ((flags & RecordFlag.AT_REST) !== 0 ? 1 : 0);
    if (envelopes > 0) {
      // Each envelope holds what is inside it (the stored form: shorter than the block when compressed) plus its fields.
      const bodyLimit = compressed ? logicalLength - 1 : logicalLength;
      if (storedLength < envelopes * ENVELOPE_MIN_BYTES || storedLength > bodyLimit + envelopes * ENVELOPE_MAX_OVERHEAD) return 'length';
    } else if (compressed ? storedLength >= logicalLength : storedLength !== logicalLength) {
      // Compressed payloads are stored only when they shrink; uncompressed ones are the block itself.
      return 'length';
    }
  }
  return {
    type,
    flags,
    objectNumber: bytes.readUIntLE(offset + HeaderOffset.OBJECT_NUMBER, 6),
    pass: bytes.readUInt32LE(offset + HeaderOffset.PASS),
    storedLength,
    logicalLength,
    payloadCrc,
    headerCrc,
  };
}

/** Logical objects a record holds: one for a data block or a filemark, `logicalLength` for a filemark run. */
export function objectsIn(header: RecordHeader): number {
  return header.type === RecordType.FILEMARK_RUN ? header.logicalLength : 1;
}

/** The header of `count` filemarks from `objectNumber`: a single filemark, or a run. */
export function filemarkHeader(objectNumber: number, count: number, pass: number): RecordHeader {
  const run = count > 1;
  return { type: run ? RecordType.FILEMARK_RUN : RecordType.FILEMARK, flags: 0, objectNumber, pass, storedLength: 0, logicalLength: run ? count : 0, payloadCrc: 0 };
}

/** The stored payload is an LZ4 form to decompress as it is read (an encrypted one is opened first, by its key holder). */
export function needsDecompression(header: RecordHeader): boolean {
  return (header.flags & KNOWN_FLAGS) === RecordFlag.COMPRESSED;
}

export function isAtRestRecord(header: RecordHeader): boolean {
  return (header.flags & RecordFlag.AT_REST) !== 0;
}

export function isEncryptedRecord(header: RecordHeader): boolean {
  return (header.flags & RecordFlag.ENCRYPTED) !== 0;
}

export function isFilemarkRecord(header: RecordHeader): boolean {
  return header.type !== RecordType.DATA;
}
