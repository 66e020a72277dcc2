// RFC 7143 11.2: the Basic Header Segment (BHS) every PDU starts with, opcodes, and field offsets.
// Decoders return plain values; opcode-specific fields are read from the raw BHS with the named offsets below.

export const BHS_LENGTH = 48;
export const DIGEST_LENGTH = 4;
/** 0xffffffff: "no task" in ITT/TTT fields. */
export const RESERVED_TAG = 0xffff_ffff;

export const PduOpcode = {
  // Initiator opcodes
  NOP_OUT: 0x00,
  SCSI_COMMAND: 0x01,
  SCSI_TASK_MANAGEMENT_REQUEST: 0x02,
  LOGIN_REQUEST: 0x03,
  TEXT_REQUEST: 0x04,
  SCSI_DATA_OUT: 0x05,
  LOGOUT_REQUEST: 0x06,
  SNACK_REQUEST: 0x10,
  // Target opcodes
  NOP_IN: 0x20,
  SCSI_RESPONSE: 0x21,
  SCSI_TASK_MANAGEMENT_RESPONSE: 0x22,
  LOGIN_RESPONSE: 0x23,
  TEXT_RESPONSE: 0x24,
  SCSI_DATA_IN: 0x25,
  LOGOUT_RESPONSE: 0x26,
  R2T: 0x31,
  ASYNC_MESSAGE: 0x32,
  REJECT: 0x3f,
} as const;
export type PduOpcode = (typeof PduOpcode)[keyof typeof PduOpcode];

/** Byte offsets shared by every BHS (RFC 7143 11.2.1). */
export const Bhs = {
  OPCODE: 0, // bit 6: I (immediate), bits 0-5: opcode
  FLAGS: 1, // bit 7: F (final), the rest opcode-specific
  TOTAL_AHS_LENGTH: 4, // in 4-byte words
  DATA_SEGMENT_LENGTH: 5, // 3 bytes
  LUN: 8, // 8 bytes, or opcode-specific
  INITIATOR_TASK_TAG: 16,
  // Opcode-specific from here; the names below are the common ones.
  TARGET_TRANSFER_TAG: 20,
  CMD_SN: 24, // initiator PDUs
  STAT_SN: 24, // target PDUs
  EXP_STAT_SN: 28, // initiator PDUs
  EXP_CMD_SN: 28, // target PDUs
  MAX_CMD_SN: 32, // target PDUs
} as const;

export const IMMEDIATE_BIT = 0x40;
export const FINAL_BIT = 0x80;

/** SCSI Command (11.3) fields. */
export const ScsiCommandBhs = {
  FLAG_READ: 0x40,
  FLAG_WRITE: 0x20,
  ATTR_MASK: 0x07,
  EXPECTED_DATA_TRANSFER_LENGTH: 20,
  CDB: 32,
  CDB_LENGTH: 16,
} as const;

/** AHS types (11.2.2). */
export const AhsType = { EXTENDED_CDB: 1, BIDIRECTIONAL_READ_DATA_LENGTH: 2 } as const;

/** SCSI Response (11.4), Data-In (11.7) fields. */
export const ResponseBhs = {
  FLAG_BIDI_OVERFLOW: 0x10,
  FLAG_BIDI_UNDERFLOW: 0x08,
  FLAG_OVERFLOW: 0x04,
  FLAG_UNDERFLOW: 0x02,
  RESPONSE: 2,
  STATUS: 3,
  EXP_DATA_SN: 36,
  BIDI_READ_RESIDUAL_COUNT: 40,
  RESIDUAL_COUNT: 44,
} as const;

export const DataBhs = {
  FLAG_ACKNOWLEDGE: 0x40,
  FLAG_STATUS: 0x01,
  DATA_SN: 36,
  BUFFER_OFFSET: 40,
  RESIDUAL_COUNT: 44,
} as const;

export const R2tBhs = { R2T_SN: 36, BUFFER_OFFSET: 40, DESIRED_DATA_TRANSFER_LENGTH: 44 } as const;

export const LoginBhs = {
  FLAG_TRANSIT: 0x80,
  FLAG_CONTINUE: 0x40,
  VERSION_MAX: 2,
  VERSION_MIN: 3, // request; VERSION_ACTIVE in the response
  ISID: 8, // 6 bytes
  TSIH: 14,
  CID: 20,
  STATUS_CLASS: 36,
  STATUS_DETAIL: 37,
} as const;

/** Login stages (CSG/NSG, 11.12.3). */
export const LoginStage = { SECURITY_NEGOTIATION: 0, LOGIN_OPERATIONAL_NEGOTIATION: 1, FULL_FEATURE_PHASE: 3 } as const;
export type LoginStage = (typeof LoginStage)[keyof typeof LoginStage];

/** Login response status class and detail (11.13.5), as a 16-bit class<<8|detail. */
export const LoginStatus = {
  SUCCESS: 0x0000,
  TARGET_MOVED_TEMPORARILY: 0x0101,
  TARGET_MOVED_PERMANENTLY: 0x0102,
  INITIATOR_ERROR: 0x0200,
  AUTHENTICATION_FAILURE: 0x0201,
  AUTHORIZATION_FAILURE: 0x0202,
  NOT_FOUND: 0x0203,
  TARGET_REMOVED: 0x0204,
  UNSUPPORTED_VERSION: 0x0205,
  TOO_MANY_CONNECTIONS: 0x0206,
  MISSING_PARAMETER: 0x0207,
  CANT_INCLUDE_IN_SESSION: 0x0208,
  SESSION_TYPE_NOT_SUPPORTED: 0x0209,
  SESSION_DOES_NOT_EXIST: 0x020a,
  INVALID_DURING_LOGIN: 0x020b,
  TARGET_ERROR: 0x0300,
  SERVICE_UNAVAILABLE: 0x0301,
  OUT_OF_RESOURCES: 0x0302,
} as const;
export type LoginStatus = (typeof LoginStatus)[keyof typeof LoginStatus];

/** Text request/response (11.10, 11.11). */
export const TextBhs = { FLAG_CONTINUE: 0x40 } as const;

/** Task management request (11.5) and response (11.6). */
export const TmfBhs = { FUNCTION_MASK: 0x7f, REFERENCED_TASK_TAG: 20, REF_CMD_SN: 32, EXP_DATA_SN: 36, RESPONSE: 2 } as const;

export const TmfFunction = {
  ABORT_TASK: 1,
  ABORT_TASK_SET: 2,
  CLEAR_ACA: 3,
  CLEAR_TASK_SET: 4,
  LOGICAL_UNIT_RESET: 5,
  TARGET_WARM_RESET: 6,
  TARGET_COLD_RESET: 7,
  TASK_REASSIGN: 8,
} as const;

export const TmfResponse = {
  FUNCTION_COMPLETE: 0,
  TASK_DOES_NOT_EXIST: 1,
  LUN_DOES_NOT_EXIST: 2,
  TASK_STILL_ALLEGIANT: 3,
  TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED: 4,
  FUNCTION_NOT_SUPPORTED: 5,
  FUNCTION_AUTHORIZATION_FAILED: 6,
  FUNCTION_REJECTED: 255,
} as const;

/** Logout request (11.14) and response (11.15). */
export const LogoutBhs = { REASON_MASK: 0x7f, CID: 20, RESPONSE: 2, TIME2WAIT: 40, TIME2RETAIN: 42 } as const;
export const LogoutReason = { CLOSE_SESSION: 0, CLOSE_CONNECTION: 1, REMOVE_CONNECTION_FOR_RECOVERY: 2 } as const;
export const LogoutResponse = {
  CLOSED_SUCCESSFULLY: 0,
  CID_NOT_FOUND: 1,
  CONNECTION_RECOVERY_NOT_SUPPORTED: 2,
  CLEANUP_FAILED: 3,
} as const;

/** Reject reasons (11.17.1). */
export const RejectReason = {
  DATA_DIGEST_ERROR: 0x02,
  SNACK_REJECT: 0x03,
  PROTOCOL_ERROR: 0x04,
  COMMAND_NOT_SUPPORTED: 0x05,
  IMMEDIATE_COMMAND_REJECT: 0x06,
  TASK_IN_PROGRESS: 0x07,
  INVALID_DATA_ACK: 0x08,
  INVALID_PDU_FIELD: 0x09,
  LONG_OPERATION_REJECT: 0x0a,
  NEGOTIATION_RESET: 0x0b,
  WAITING_FOR_LOGOUT: 0x0c,
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** One received PDU: the 48-byte BHS, the AHS bytes (possibly empty) and the data segment without padding. */
export interface Pdu {
  readonly bhs: Buffer;
  readonly ahs: Buffer;
  readonly data: Buffer;
}

export function opcodeOf(bhs: Buffer): number {
  return bhs[Bhs.OPCODE] & 0x3f;
}

export function isImmediate(bhs: Buffer): boolean {
  return (bhs[Bhs.OPCODE] & IMMEDIATE_BIT) !== 0;
}

export function isFinal(bhs: Buffer): boolean {
  return (bhs[Bhs.FLAGS] & FINAL_BIT) !== 0;
}

export function dataSegmentLengthOf(bhs: Buffer): number {
  return (bhs[Bhs.DATA_SEGMENT_LENGTH] << 16) | (bhs[Bhs.DATA_SEGMENT_LENGTH + 1] << 8) | bhs[Bhs.DATA_SEGMENT_LENGTH + 2];
}

export function totalAhsBytesOf(bhs: Buffer): number {
  return bhs[Bhs.TOTAL_AHS_LENGTH] * 4;
}

export function ittOf(bhs: Buffer): number {
  return bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
}

/** Data segments are padded to a multiple of 4 bytes (11.2.3). */
export function paddedLength(n: number): number {
  return (n + 3) & ~3;
}

/** A zeroed BHS with opcode, flags and data segment length set. */
export function newBhs(opcode: number, flags: number, dataSegmentLength: number): Buffer {
  const b = Buffer.alloc(BHS_LENGTH);
  b[Bhs.OPCODE] = opcode;
  b[Bhs.FLAGS] = flags;
  setDataSegmentLength(b, dataSegmentLength);
  return b;
}

export function setDataSegmentLength(bhs: Buffer, n: number): void {
  bhs[Bhs.DATA_SEGMENT_LENGTH] = (n >>> 16) & 0xff;
  bhs[Bhs.DATA_SEGMENT_LENGTH + 1] = (n >>> 8) & 0xff;
  bhs[Bhs.DATA_SEGMENT_LENGTH + 2] = n & 0xff;
}

/** RFC 1982 serial number arithmetic on 32 bits: a < b. */
export function snLessThan(a: number, b: number): boolean {
  return a !== b && ((b - a) >>> 0) < 0x8000_0000;
}

export function snAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
