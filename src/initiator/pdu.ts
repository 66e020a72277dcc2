// RFC 7143 section 11 as the initiator sees it: the wire constants are the target's (src/iscsi/pdu.ts, a leaf of
// constants and byte helpers); the framing with optional CRC32C digests and the text data are the initiator's own.
import { crc32c } from '../crc32c.js';
import { Bhs, BHS_LENGTH, snLessThan } from '../iscsi/pdu.js';

export { Bhs, BHS_LENGTH, DataBhs, PduOpcode, R2tBhs, RESERVED_TAG, ResponseBhs, opcodeOf } from '../iscsi/pdu.js';

export interface Pdu {
  readonly bhs: Buffer;
  readonly data: Buffer;
}

/** A zeroed BHS with the opcode, the immediate bit and the flags byte set. */
export function newBhs(opcode: number, immediate: boolean, flags: number): Buffer {
  const bhs = Buffer.alloc(BHS_LENGTH);
  bhs[Bhs.OPCODE] = (immediate ? 0x40 : 0) | opcode;
  bhs[Bhs.FLAGS] = flags;
  return bhs;
}

/** SAM-5 single level LUN: peripheral addressing below 256, flat space addressing above. */
export function encodeLun(lun: number, into: Buffer, offset = Bhs.LUN): void {
  if (lun < 256) into[offset + 1] = lun;
  else into.writeUInt16BE(0x4000 | (lun & 0x3fff), offset);
}

export function decodeLun(field: Buffer): number {
  const method = field[0] >> 6;
  if (method === 1) return field.readUInt16BE(0) & 0x3fff;
  return field[1];
}

export interface Digests {
  readonly header: boolean;
  readonly data: boolean;
}

/**
 * The bytes of one PDU: BHS, AHS, header digest, data padded to 4 bytes, data digest. The digests are the CRC32C
 * values in little-endian byte order, the order every deployed implementation uses. Returns the pieces so a large
 * data segment is handed to the socket without a copy.
 */
export function encodePdu(bhs: Buffer, data: Buffer | undefined, digests: Digests, ahs?: Buffer): Buffer[] {
  const length = data?.length ?? 0;
  if (length > 0xffffff) throw new RangeError(`data segment of ${length} bytes does not fit a PDU`);
  bhs[Bhs.TOTAL_AHS_LENGTH] = (ahs?.length ?? 0) / 4;
  bhs.writeUIntBE(length, Bhs.DATA_SEGMENT_LENGTH, 3);
  const parts: Buffer[] = ahs ? [bhs, ahs] : [bhs];
  if (digests.header) parts.push(littleEndian32(crc32c(ahs ?? Buffer.alloc(0), crc32c(bhs))));
  if (data && length > 0) {
    parts.push(data);
    const pad = (4 - (length % 4)) % 4;
    const padding = Buffer.alloc(pad);
    if (pad > 0) parts.push(padding);
    if (digests.data) parts.push(littleEndian32(crc32c(padding, crc32c(data))));
  }
  return parts;
}

export function littleEndian32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return b;
}

/** RFC 7143 6.1: key=value pairs, each ended by a NUL. */
export function encodeTextPairs(pairs: Iterable<readonly [string, string]>): Buffer {
  let text = '';
  for (const [key, value] of pairs) text += `${key}=${value}\0`;
  return Buffer.from(text, 'utf8');
}

export function decodeTextPairs(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of data.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    if (eq > 0) out.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return out;
}

/** Serial number arithmetic (RFC 1982) for 32-bit CmdSN/StatSN: true when a is after b. */
export function snAfter(a: number, b: number): boolean {
  return snLessThan(b, a);
}
