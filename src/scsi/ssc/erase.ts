// SSC-4 ERASE: short (a new end of data at the position) and long (erase to the end of the partition); on a
// virtual cartridge both discard everything from the position on.
import type { CommandDescriptor } from '../command.js';
import { SenseError, senseOf } from '../sense.js';
import { WormViolationError } from '../../media/tape-medium.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import type { TapeDrive } from './tape-drive.js';

const IMMED = 0x02;
const LONG = 0x01;

function checkErasable(device: TapeDrive, m: TapeMedium): Promise<void> {
  if (m.worm) return Promise.reject(new WormViolationError(`Cannot erase WORM cartridge ${m.barcode}`));
  if (device.mode.appendOnly && !m.position().atEndOfData) return Promise.reject(new SenseError(senseOf('WRITE_APPEND_POSITION_ERROR')));
  return Promise.resolve();
}

export const erase: CommandDescriptor<TapeDrive> = {
  opcode: 0x19,
  name: 'ERASE',
  cdbUsage: [0x19, IMMED | LONG, 0x00, 0x00, 0x00, 0x00],
  timeoutSeconds: 36000,
  execute: async ({ cdb, device }) => {
    // Refusals are reported at once, also with IMMED (they must not become deferred errors).
    await device.withMedium((m) => checkErasable(device, m), { write: true });
    const work = async (m: TapeMedium): Promise<void> => {
      await m.erase();
      await m.flush();
    };
    if ((cdb[1] & IMMED) !== 0) await device.immediately(work, { write: true });
    else await device.withMedium(work, { write: true });
    return {};
  },
};
