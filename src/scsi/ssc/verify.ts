// SSC-4 VERIFY(6): read and check blocks (CRC) without transferring them; with BYTCMP=1 also compare them with
// the data-out. IMMED and the VTE/VLBAM/VBF forms are not supported (refused with INVALID FIELD IN CDB).
import { DataDirection, NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, Transfer } from '../command.js';
import { readUint24 } from './cdb-fields.js';
import { checkReadFields, checkTransferUnchanged, readObjects } from './read.js';
import type { TapeDrive } from './tape-drive.js';

const BYTCMP = 0x02;
const FIXED = 0x01;

function verifyTransfer(cdb: Buffer, drive: TapeDrive): Transfer {
  const length = readUint24(cdb, 2);
  if ((cdb[1] & BYTCMP) === 0 || length === 0) return NO_TRANSFER;
  return { direction: DataDirection.OUT, lengthBytes: (cdb[1] & FIXED) !== 0 ? length * drive.mode.blockLength : length };
}

export const verify6: CommandDescriptor<TapeDrive> = {
  opcode: 0x13,
  name: 'VERIFY(6)',
  cdbUsage: [0x13, BYTCMP | FIXED, 0xff, 0xff, 0xff, 0x00],
  transfer: verifyTransfer,
  timeoutSeconds: 3600,
  execute: async ({ cdb, device, dataOut, transfer }) => {
    const fixed = (cdb[1] & FIXED) !== 0;
    const byteCompare = (cdb[1] & BYTCMP) !== 0;
    const length = readUint24(cdb, 2);
    checkReadFields(device, fixed, false, length);
    checkTransferUnchanged(transfer, verifyTransfer(cdb, device));
    if (length === 0) {
      await device.withMedium(() => Promise.resolve());
      return {};
    }
    return device.withMedium((m) =>
      readObjects(device, m, { fixed, sili: false, length, returnData: false, ...(byteCompare ? { compareWith: dataOut } : {}) }),
    );
  },
};
