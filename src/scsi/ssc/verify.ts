// SSC-4 VERIFY(6) and VERIFY(16): read and check blocks (CRC) without transferring them; with BYTCMP=1 also compare
// them with the data-out. IMMED=1 answers GOOD once the CDB is checked and the drive is ready, and verifies behind the
// command (tape-drive.ts `immediately`): a filemark, end of data, wrong length, unreadable record or miscompare met
// there is the next medium command's deferred error. The VTE/VLBAM/VBF forms are not supported (refused with INVALID
// FIELD IN CDB).
import { DataDirection } from '../command.js';
import type { CommandDescriptor, CommandResult } from '../command.js';
import { SenseError } from '../sense.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { readUint24 } from './cdb-fields.js';
import { decodeObjectAddress, decodePartition, locateForRead } from './object-address.js';
import { atReadPosition, blockTransferBytes, checkBlockLengthUnchanged, checkReadFields, readObjects } from './read.js';
import type { BlockLengthSource, BlockTransferCdb } from './read.js';
import type { TapeDrive } from './tape-drive.js';

const IMMED = 0x04;
const BYTCMP = 0x02;
const FIXED = 0x01;

export interface Verify6Cdb extends BlockTransferCdb {
  /** BYTCMP=1: the data-out holds what the records must be. */
  readonly byteCompare: boolean;
  readonly immed: boolean;
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
    immed: (cdb[1] & IMMED) !== 0,
    length,
    blockLengthAtArrival,
  };
}

export function decodeVerify6(cdb: Buffer, drive: BlockLengthSource): Verify6Cdb {
  return decodeVerify(cdb, 2, drive);
}

export function decodeVerify16(cdb: Buffer, drive: BlockLengthSource): Verify6Cdb {
  return { ...decodeVerify(cdb, 12, drive), objectIdentifier: decodeObjectAddress(cdb), partition: decodePartition(cdb) };
}

export const verify6: CommandDescriptor<TapeDrive, Verify6Cdb> = {
  opcode: 0x13,
  name: 'VERIFY(6)',
  cdbUsage: [0x13, IMMED | BYTCMP | FIXED, 0xff, 0xff, 0xff, 0x00],
  decode: decodeVerify6,
  timeoutSeconds: 3600,
  async execute({ decoded, device, dataOut, nexus }) {
    const { fixed, byteCompare, length, immed } = decoded;
    checkReadFields(device, fixed, false, length);
    // Only a compare moves data sized with the block length.
    if (byteCompare) checkBlockLengthUnchanged(decoded, device);
    // IMMED work outlives the command: it keeps its own copy of the data to compare with.
    const compareWith = byteCompare ? (immed ? Buffer.from(dataOut) : dataOut) : undefined;
    const verify = (m: TapeMedium): Promise<CommandResult> => (length === 0
      ? Promise.resolve({})
      : readObjects(device, m, { fixed, sili: false, length, returnData: false, nexusId: nexus.id, ...(compareWith ? { compareWith } : {}) }));
    if (!immed) return atReadPosition(device, decoded, verify);
    const id = decoded.objectIdentifier;
    await device.immediately(async (m) => {
      if (id !== undefined) await locateForRead(m, id, length, decoded.partition);
      // A condition that comes with GOOD data in the synchronous form (filemark, ILI) is still the command's outcome.
      const { sense } = await verify(m);
      if (sense) throw new SenseError(sense);
    });
    return {};
  },
};

/** VERIFY(6) with PARTITION and LOGICAL OBJECT IDENTIFIER (positions there first, as READ(16) does). */
export const verify16: CommandDescriptor<TapeDrive, Verify6Cdb> = {
  ...verify6,
  opcode: 0x8f,
  name: 'VERIFY(16)',
  cdbUsage: [0x8f, IMMED | BYTCMP | FIXED, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
  decode: decodeVerify16,
};
