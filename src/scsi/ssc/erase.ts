// SSC-4 ERASE: short (a new end of data at the position) and long (erase to the end of the partition); on a
// virtual cartridge both discard everything from the position on.
import { NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
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

/** LONG needs no field of its own: both forms discard everything from the position on. */
export interface EraseCdb extends DecodedCdb {
  readonly immed: boolean;
}

export function decodeErase(cdb: Buffer): EraseCdb {
  return { ...NO_TRANSFER, immed: (cdb[1] & IMMED) !== 0 };
}

export const erase: CommandDescriptor<TapeDrive, EraseCdb> = {
  opcode: 0x19,
  name: 'ERASE',
  cdbUsage: [0x19, IMMED | LONG, 0x00, 0x00, 0x00, 0x00],
  decode: decodeErase,
  timeoutSeconds: 36000,
  async execute({ decoded, device }) {
    // Refusals are reported at once, also with IMMED (they must not become deferred errors).
    await device.withMedium((m) => checkErasable(device, m), { write: true });
    const work = async (m: TapeMedium): Promise<void> => {
      await m.erase();
      await m.flush();
    };
    if (decoded.immed) await device.immediately(work, { write: true });
    else await device.withMedium(work, { write: true });
    return {};
  },
};
