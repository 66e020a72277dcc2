// SSC-4 SET CAPACITY: make a proportion of the cartridge's native capacity available; the medium is reformatted
// (everything on it is lost) and left at the beginning of the partition.
import { NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import { WormViolationError } from '../../media/tape-medium.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { TapeAlert } from './tape-alert.js';
import type { TapeDrive } from './tape-drive.js';

const IMMED = 0x01;
/** CAPACITY PROPORTION VALUE is the numerator of a fraction with this denominator. */
export const CAPACITY_PROPORTION_DENOMINATOR = 65535;

/**
 * Bytes made available for `proportion` (1..65535) of `nativeBytes`, rounded up as LTO drives do, so 65535 gives
 * exactly the native capacity. BigInt: a 30 TB capacity times 65535 is beyond 2^53.
 */
export function proportionalCapacity(nativeBytes: number, proportion: number): number {
  const denominator = BigInt(CAPACITY_PROPORTION_DENOMINATOR);
  return Number((BigInt(Math.floor(nativeBytes)) * BigInt(proportion) + denominator - 1n) / denominator);
}

/** Refusals that must be reported by the command itself, also with IMMED (never as deferred errors). */
function checkSettable(drive: TapeDrive, medium: TapeMedium): Promise<void> {
  if (medium.worm) {
    // A WORM cartridge is never reformatted: it would erase written data (as LTO drives answer, 30/0C).
    drive.tapeAlert.set(TapeAlert.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
    return Promise.reject(new WormViolationError(`Cannot set the capacity of WORM cartridge ${medium.barcode}`));
  }
  if (medium.position().objectNumber !== 0) return Promise.reject(new SenseError(senseOf('POSITION_PAST_BEGINNING_OF_MEDIUM')));
  return Promise.resolve();
}

export interface SetCapacityCdb extends DecodedCdb {
  readonly immed: boolean;
  /** CAPACITY PROPORTION VALUE. */
  readonly proportion: number;
}

export function decodeSetCapacity(cdb: Buffer): SetCapacityCdb {
  return { ...NO_TRANSFER, immed: (cdb[1] & IMMED) !== 0, proportion: cdb.readUInt16BE(3) };
}

export const setCapacity: CommandDescriptor<TapeDrive, SetCapacityCdb> = {
  opcode: 0x0b,
  name: 'SET CAPACITY',
  cdbUsage: [0x0b, IMMED, 0x00, 0xff, 0xff, 0x00],
  decode: decodeSetCapacity,
  timeoutSeconds: 1800,
  async execute({ decoded: { immed, proportion }, device }) {
    // A partition of no capacity could hold nothing, not even a filemark: refused rather than rounded.
    if (proportion === 0) throw Sense.invalidFieldInCdb(3);
    await device.withMedium((m) => checkSettable(device, m), { write: true });
    const work = async (m: TapeMedium): Promise<void> => {
      await m.setCapacity(proportionalCapacity(m.nativeCapacityBytes, proportion));
    };
    if (immed) await device.immediately(work, { write: true });
    else await device.withMedium(work, { write: true });
    return {};
  },
};
