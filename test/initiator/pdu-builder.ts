// Initiator-side PDU builders written from RFC 7143 section 11 independently of src/iscsi, so that tests
// catch encoder/decoder bugs that a shared codec would hide. Offsets are spelled out on purpose.
import { crc32c } from '../../src/crc32c.js';

export const Op = {
  NOP_OUT: 0x00,
  SCSI_COMMAND: 0x01,
  TASK_MGMT_REQUEST: 0x02,
  LOGIN_REQUEST: 0x03,
  TEXT_REQUEST: 0x04,
  DATA_OUT: 0x05,
  LOGOUT_REQUEST: 0x06,
  SNACK: 0x10,
  NOP_IN: 0x20,
  SCSI_RESPONSE: 0x21,
  TASK_MGMT_RESPONSE: 0x22,
  LOGIN_RESPONSE: 0x23,
  TEXT_RESPONSE: 0x24,
  DATA_IN: 0x25,
  LOGOUT_RESPONSE: 0x26,
  R2T: 0x31,
  ASYNC: 0x32,
  REJECT: 0x3f,
} as const;

export function header(opcode: number, immediate: boolean, flags: number): Buffer {
  const b = Buffer.alloc(48);
  b[0] = (immediate ? 0x40 : 0) | opcode;
  b[1] = flags;
  return b;
}

export function setDsl(bhs: Buffer, n: number): void {
  bhs[5] = (n >> 16) & 0xff;
  bhs[6] = (n >> 8) & 0xff;
  bhs[7] = n & 0xff;
}

export function dslOf(bhs: Buffer): number {
  return (bhs[5] << 16) | (bhs[6] << 8) | bhs[7];
}

/** Wire form with optional CRC32C digests (little-endian on the wire). */
export function frame(
  bhs: Buffer, data: Buffer | undefined, headerDigest: boolean, dataDigest: boolean, ahs: Buffer = Buffer.alloc(0),
): Buffer {
  const len = data?.length ?? 0;
  setDsl(bhs, len);
  bhs[4] = ahs.length / 4;
  const parts: Buffer[] = [bhs, ahs];
  if (headerDigest) parts.push(le32(crc32c(ahs, crc32c(bhs))));
  if (data && len > 0) {
    const padded = Buffer.alloc((len + 3) & ~3);
    data.copy(padded);
    parts.push(padded);
    if (dataDigest) parts.push(le32(crc32c(padded)));
  }
  return Buffer.concat(parts);
}

export function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** SAM LUN field, single-level peripheral or flat addressing. */
export function lunField(lun: number): Buffer {
  const b = Buffer.alloc(8);
  if (lun < 256) b[1] = lun;
  else {
    b[0] = 0x40 | (lun >> 8);
    b[1] = lun & 0xff;
  }
  return b;
}

export function encodeText(pairs: readonly (readonly [string, string])[]): Buffer {
  return Buffer.from(pairs.map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
}

export function decodeText(data: Buffer): [string, string][] {
  return data
    .toString('utf8')
    .split('\0')
    .filter((s) => s.length > 0)
    .map((s) => {
      const i = s.indexOf('=');
      return [s.slice(0, i), s.slice(i + 1)] as [string, string];
    });
}
