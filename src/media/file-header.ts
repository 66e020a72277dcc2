// FORMAT.md "Data file header": 16 bytes that name the format and its version.
import { crc32c } from '../crc32c.js';

export const FILE_HEADER_BYTES = 16;
export const FILE_MAGIC = Buffer.from('VTLTAPE\0', 'latin1');
/** Written by create(); version 2 adds filemark run records (FORMAT.md "Filemark runs"). */
export const FORMAT_VERSION = 2;
/** Version 3 adds encrypted records (FORMAT.md "Encrypted records"); a file is upgraded before its first one. */
export const ENCRYPTED_FORMAT_VERSION = 3;
/** Versions this build reads: older files are upgraded before the first record they could not describe. */
const READABLE_VERSIONS: readonly number[] = [1, 2, 3];

export function encodeFileHeader(version = FORMAT_VERSION): Buffer {
  const bytes = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(bytes, 0);
  bytes.writeUInt16LE(version, 8);
  bytes.writeUInt16LE(FILE_HEADER_BYTES, 10);
  bytes.writeUInt32LE(crc32c(bytes.subarray(0, 12)), 12);
  return bytes;
}

/** Undefined when the header is valid; otherwise why the file is not a cartridge this code can read. */
export function checkFileHeader(bytes: Buffer): string | undefined {
  if (bytes.length < FILE_HEADER_BYTES) return `the data file is ${bytes.length} bytes, shorter than its header`;
  if (!bytes.subarray(0, 8).equals(FILE_MAGIC)) return 'the data file does not start with the cartridge magic';
  if (bytes.readUInt32LE(12) !== crc32c(bytes.subarray(0, 12))) return 'the data file header fails its CRC';
  const version = bytes.readUInt16LE(8);
  if (!READABLE_VERSIONS.includes(version)) return `the data file has format version ${version}; this build reads ${READABLE_VERSIONS.join(', ')}`;
  if (bytes.readUInt16LE(10) !== FILE_HEADER_BYTES) return 'the data file header has an unexpected length';
  return undefined;
}

/** The format version of a valid header (checkFileHeader() said it is one). */
export function fileVersion(bytes: Buffer): number {
  return bytes.readUInt16LE(8);
}
