// Test support: SSC and SMC CDBs laid out byte by byte as the standards draw them, and a decoder of fixed-format
// sense data, written apart from src/scsi so that a test never trusts the encoder it checks.

const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

export const TapeCdb = {
  testUnitReady: (): number[] => [0x00, 0, 0, 0, 0, 0],
  rewind: (): number[] => [0x01, 0, 0, 0, 0, 0],
  read6: (length: number, fixed = false): number[] => [0x08, fixed ? 1 : 0, ...u24(length), 0],
  write6: (length: number, fixed = false): number[] => [0x0a, fixed ? 1 : 0, ...u24(length), 0],
  setCapacity: (proportion: number): number[] => [0x0b, 0, 0, ...u16(proportion), 0],
  writeFilemarks: (count: number, immed = false): number[] => [0x10, immed ? 1 : 0, ...u24(count), 0],
  /** SPACE(6) to end of data (code 011b). */
  spaceToEndOfData: (): number[] => [0x11, 0x03, 0, 0, 0, 0],
  /** MODE SELECT(6), PF=1, one 8-byte block descriptor: the parameter list goes as data-out. */
  modeSelectBlockLength: (): number[] => [0x15, 0x10, 0, 0, 12, 0],
  unload: (): number[] => [0x1b, 0, 0, 0, 0x00, 0],
  load: (): number[] => [0x1b, 0, 0, 0, 0x01, 0],
  locate10: (objectNumber: number): number[] => [0x2b, 0, 0, ...u32(objectNumber), 0, 0, 0],
  /** READ POSITION, short form: the first block location is in bytes 4..7 of the 20 bytes returned. */
  readPosition: (): number[] => [0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  /** SMC MOVE MEDIUM through transport element `transport`. */
  moveMedium: (transport: number, source: number, destination: number): number[] =>
    [0xa5, 0, ...u16(transport), ...u16(source), ...u16(destination), 0, 0, 0, 0],
} as const;

/**
 * The MODE SELECT(6) parameter list that sets the block length (0 = variable) and the buffered mode (header byte 2,
 * bits 6-4: 1 buffered, 0 unbuffered).
 */
export function blockLengthParameters(blockLength: number, buffered = true): Buffer {
  return Buffer.from([0, 0, buffered ? 0x10 : 0x00, 8, 0, 0, 0, 0, 0, ...u24(blockLength)]);
}

export interface FixedSense {
  readonly valid: boolean;
  /** Response code 71h: the error belongs to an earlier command. */
  readonly deferred: boolean;
  readonly filemark: boolean;
  readonly eom: boolean;
  readonly ili: boolean;
  readonly key: number;
  /** INFORMATION as a signed 32-bit number. */
  readonly information: number;
  readonly asc: number;
  readonly ascq: number;
}

export const SenseKey = { NO_SENSE: 0x0, NOT_READY: 0x2, MEDIUM_ERROR: 0x3, ILLEGAL_REQUEST: 0x5, UNIT_ATTENTION: 0x6, BLANK_CHECK: 0x8 } as const;

export function decodeFixedSense(bytes: Buffer): FixedSense {
  const code = bytes[0] & 0x7f;
  if (code !== 0x70 && code !== 0x71) throw new Error(`Cannot decode sense ${bytes.toString('hex')}: not fixed format`);
  return {
    valid: (bytes[0] & 0x80) !== 0,
    deferred: code === 0x71,
    filemark: (bytes[2] & 0x80) !== 0,
    eom: (bytes[2] & 0x40) !== 0,
    ili: (bytes[2] & 0x20) !== 0,
    key: bytes[2] & 0x0f,
    information: bytes.readInt32BE(3),
    asc: bytes[12],
    ascq: bytes[13],
  };
}

/** `03/0c/00 deferred info=3`, for assertion messages. */
export function describeSense(s: FixedSense): string {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `${hex(s.key)}/${hex(s.asc)}/${hex(s.ascq)}${s.deferred ? ' deferred' : ''}${s.valid ? ` info=${s.information}` : ''}`;
}
