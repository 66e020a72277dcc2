// SSC-4 ERASE: short (a new end of data at the position) and long (erase to the end of the partition); on a
// virtual cartridge both discard everything from the position on.
import type { CommandDescriptor } from '../command.js';
import { SenseError, senseOf } from '../sense.js';
import { WormViolationError } from '../../media/tape-medium.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import type { TapeDrive } from './tape-drive.js';

const IMMED = 0x02;
const LONG = 0x01;

export const erase: CommandDescriptor<TapeDrive> = {
  opcode: 0x19,
  name: 'ERASE',
  cdbUsage: [0x19, IMMED | LONG, 0x00, 0x00, 0x00, 0x00],
  timeoutSeconds: 36000,
  execute: async ({ cdb, device }) => {
    const work = async (m: TapeMedium): Promise<void> => {
      if (m.worm) throw new WormViolationError(`Cannot erase WORM cartridge ${m.barcode}`);
      if (device.appendOnly && !m.position().atEndOfData) throw new SenseError(senseOf('WRITE_APPEND_POSITION_ERROR'));
      await m.erase();
      await m.flush();
    };
    if ((cdb[1] & IMMED) !== 0) await device.immediately(work, { write: true });
    else await device.withMedium(work, { write: true });
    return {};
  },
};
