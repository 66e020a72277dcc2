// SSC-4 VERIFY(6) and VERIFY(16): read and check blocks (CRC) without transferring them; with BYTCMP=1 also compare
// them with the data-out. IMMED and the VTE/VLBAM/VBF forms are not supported (refused with INVALID FIELD IN CDB).
import { DataDirection } from '../command.js';
import type { CommandDescriptor } from '../command.js';
import { readUint24 } from './cdb-fields.js';
import { decodeObjectAddress } from './object-address.js';
import { atReadPosition, blockTransferBytes, checkBlockLengthUnchanged, checkReadFields, readObjects } from './read.js';
import type { BlockLengthSource, BlockTransferCdb } from './read.js';
import type { TapeDrive } from './tape-drive.js';

const BYTCMP = 0x02;
const FIXED = 0x01;

export interface Verify6Cdb extends BlockTransferCdb {
  /** BYTCMP=1: the data-out holds what the records must be. */
  readonly byteCompare: boolean;
}

/** Only BYTCMP=1 moves data (the records to compare with). Byte 1 is the same in VERIFY(6) and VERIFY(16). */
function decodeVerify(cdb: Buffer, lengthOffset: number, drive: BlockLengthSource): Verify6Cdb {
  const fixed = (cdb[1] & FIXED) !== 0;
  const byteCompare = (cdb[1] & BYTCMP) !== 0;
  const length = readUint24(cdb, lengthOffset);
  const blockLengthAtArrival = drive.mode.blockLength;
  const moves = byteCompare && length !== 0;
  return {
    direction: moves ? DataDirection.OUT : DataDirection.NONE,
    lengthBytes: moves ? blockTransferBytes(fixed, length, blockLengthAtArrival) : 0,
    fixed,
    byteCompare,
    length,
    blockLengthAtArrival,
  };
}

export function decodeVerify6(cdb: Buffer, drive: BlockLengthSource): Verify6Cdb {
  return decodeVerify(cdb, 2, drive);
}

export function decodeVerify16(cdb: Buffer, drive: BlockLengthSource): Verify6Cdb {
  return { ...decodeVerify(cdb, 12, drive), objectIdentifier: decodeObjectAddress(cdb) };
}

export const verify6: CommandDescriptor<TapeDrive, Verify6Cdb> = {
  opcode: 0x13,
  name: 'VERIFY(6)',
  cdbUsage: [0x13, BYTCMP | FIXED, 0xff, 0xff, 0xff, 0x00],
  decode: decodeVerify6,
  timeoutSeconds: 3600,
  async execute({ decoded, device, dataOut, nexus }) {
    const { fixed, byteCompare, length } = decoded;
    checkReadFields(device, fixed, false, length);
    // Only a compare moves data sized with the block length.
    if (byteCompare) checkBlockLengthUnchanged(decoded, device);
    if (length === 0) return atReadPosition(device, decoded, () => Promise.resolve({}));
    return atReadPosition(device, decoded, (m) =>
      readObjects(device, m, { fixed, sili: false, length, returnData: false, nexusId: nexus.id, ...(byteCompare ? { compareWith: dataOut } : {}) }),
    );
  },
};

/** VERIFY(6) with PARTITION and LOGICAL OBJECT IDENTIFIER (positions there first, as READ(16) does). */
export const verify16: CommandDescriptor<TapeDrive, Verify6Cdb> = {
  ...verify6,
  opcode: 0x8f,
  name: 'VERIFY(16)',
  cdbUsage: [0x8f, BYTCMP | FIXED, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
  decode: decodeVerify16,
};
