// The CDBs the physical library client sends (SPC-4, SSC-4, SMC-3), one encoder each, named after the command.
// tgt has no LOCATE: positioning falls back to SPACE and is checked with READ POSITION (SERVICES-NOTES.md).

export const Opcode = {
  TEST_UNIT_READY: 0x00,
  REWIND: 0x01,
  REQUEST_SENSE: 0x03,
  READ_BLOCK_LIMITS: 0x05,
  READ_6: 0x08,
  WRITE_6: 0x0a,
  WRITE_FILEMARKS_6: 0x10,
  SPACE_6: 0x11,
  INQUIRY: 0x12,
  MODE_SENSE_6: 0x1a,
  LOAD_UNLOAD: 0x1b,
  PREVENT_ALLOW_MEDIUM_REMOVAL: 0x1e,
  LOCATE_10: 0x2b,
  READ_POSITION: 0x34,
  REPORT_LUNS: 0xa0,
  MOVE_MEDIUM: 0xa5,
  READ_ELEMENT_STATUS: 0xb8,
} as const;

/** SSC-4 SPACE(6) codes. */
export const SpaceCode = { BLOCKS: 0, FILEMARKS: 1, END_OF_DATA: 3 } as const;

/** SMC-3 element type codes. */
export const ElementType = { ALL: 0, MEDIUM_TRANSPORT: 1, STORAGE: 2, IMPORT_EXPORT: 3, DATA_TRANSFER: 4 } as const;

const u24 = (n: number): [number, number, number] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

export const testUnitReady = (): Buffer => Buffer.from([Opcode.TEST_UNIT_READY, 0, 0, 0, 0, 0]);
export const rewind = (): Buffer => Buffer.from([Opcode.REWIND, 0, 0, 0, 0, 0]);
export const requestSense = (allocationLength = 96): Buffer => Buffer.from([Opcode.REQUEST_SENSE, 0, 0, 0, allocationLength, 0]);
export const readBlockLimits = (): Buffer => Buffer.from([Opcode.READ_BLOCK_LIMITS, 0, 0, 0, 0, 0]);

export function inquiry(allocationLength: number, vpdPage?: number): Buffer {
  return Buffer.from([Opcode.INQUIRY, vpdPage === undefined ? 0 : 1, vpdPage ?? 0, (allocationLength >> 8) & 0xff, allocationLength & 0xff, 0]);
}

export function reportLuns(allocationLength: number): Buffer {
  const cdb = Buffer.alloc(12);
  cdb[0] = Opcode.REPORT_LUNS;
  cdb.writeUInt32BE(allocationLength, 6);
  return cdb;
}

/** MODE SENSE(6) with block descriptors disabled (DBD). */
export const modeSense6 = (page: number, allocationLength = 255): Buffer => Buffer.from([Opcode.MODE_SENSE_6, 0x08, page & 0x3f, 0, allocationLength, 0]);

export function readElementStatus(o: { type: number; start: number; count: number; voltag: boolean; dvcid: boolean; allocationLength: number }): Buffer {
  const cdb = Buffer.alloc(12);
  cdb[0] = Opcode.READ_ELEMENT_STATUS;
  cdb[1] = (o.voltag ? 0x10 : 0) | (o.type & 0x0f);
  cdb.writeUInt16BE(o.start, 2);
  cdb.writeUInt16BE(o.count, 4);
  cdb[6] = o.dvcid ? 0x01 : 0;
  cdb.writeUIntBE(o.allocationLength, 7, 3);
  return cdb;
}

export function moveMedium(transport: number, source: number, destination: number): Buffer {
  const cdb = Buffer.alloc(12);
  cdb[0] = Opcode.MOVE_MEDIUM;
  cdb.writeUInt16BE(transport, 2);
  cdb.writeUInt16BE(source, 4);
  cdb.writeUInt16BE(destination, 6);
  return cdb;
}

export const loadUnload = (load: boolean): Buffer => Buffer.from([Opcode.LOAD_UNLOAD, 0, 0, 0, load ? 1 : 0, 0]);
export const preventAllowMediumRemoval = (prevent: boolean): Buffer => Buffer.from([Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL, 0, 0, 0, prevent ? 1 : 0, 0]);

/** READ(6) of one variable-length record of up to `length` bytes (FIXED=0, SILI=0 so a length mismatch is reported). */
export const readVariable = (length: number): Buffer => Buffer.from([Opcode.READ_6, 0, ...u24(length), 0]);
/** WRITE(6) of one variable-length record. */
export const writeVariable = (length: number): Buffer => Buffer.from([Opcode.WRITE_6, 0, ...u24(length), 0]);
/** WRITE FILEMARKS(6) with IMMED=0: the filemarks and every record before them are on the medium when it ends. */
export const writeFilemarks = (count: number): Buffer => Buffer.from([Opcode.WRITE_FILEMARKS_6, 0, ...u24(count), 0]);

export function space(code: number, count: number): Buffer {
  return Buffer.from([Opcode.SPACE_6, code & 0x07, ...u24(count & 0xffffff), 0]);
}

/**
 * READ POSITION, short form, with its allocation length set: tgt crashes on an allocation length of 0, and SSC-4
 * reads 0 there as "20 bytes" for the short form only in newer revisions.
 */
export function readPosition(): Buffer {
  const cdb = Buffer.alloc(10);
  cdb[0] = Opcode.READ_POSITION;
  cdb.writeUInt16BE(20, 7);
  return cdb;
}

/** SSC-4 LOCATE(10) to a logical object identifier in the current partition (BT=0, CP=0, IMMED=0). */
export function locate10(logicalObjectIdentifier: number): Buffer {
  const cdb = Buffer.alloc(10);
  cdb[0] = Opcode.LOCATE_10;
  cdb.writeUInt32BE(logicalObjectIdentifier, 3);
  return cdb;
}
