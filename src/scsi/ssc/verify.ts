// SSC-4 VERIFY(6) with BYTCMP=0: read and check blocks (CRC) without transferring them. Byte compare, IMMED and
// the VTE/VLBAM/VBF forms are not supported (refused with INVALID FIELD IN CDB).
import type { CommandDescriptor } from '../command.js';
import { readUint24 } from './cdb-fields.js';
import { checkReadFields, readObjects } from './read.js';
import type { TapeDrive } from './tape-drive.js';

const FIXED = 0x01;

export const verify6: CommandDescriptor<TapeDrive> = {
  opcode: 0x13,
  name: 'VERIFY(6)',
  cdbUsage: [0x13, FIXED, 0xff, 0xff, 0xff, 0x00],
  timeoutSeconds: 3600,
  execute: async ({ cdb, device }) => {
    const fixed = (cdb[1] & FIXED) !== 0;
    const length = readUint24(cdb, 2);
    checkReadFields(device, fixed, false, length);
    if (length === 0) {
      await device.withMedium(() => Promise.resolve());
      return {};
    }
    return device.withMedium((m) => readObjects(device, m, { fixed, sili: false, length, returnData: false }));
  },
};
