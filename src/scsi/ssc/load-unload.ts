// SSC-4 LOAD UNLOAD: load (and retension), unload (to BOP or EOT), IMMED. HOLD is not supported (refused).
import { NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { TapeDrive } from './tape-drive.js';

const IMMED = 0x01;
const LOAD = 0x01;
const RETEN = 0x02;
const EOT = 0x04;

/** RETEN needs no field of its own: a load and a retension both end at the beginning of the partition. */
export interface LoadUnloadCdb extends DecodedCdb {
  readonly immed: boolean;
  readonly load: boolean;
  readonly eot: boolean;
}

export function decodeLoadUnload(cdb: Buffer): LoadUnloadCdb {
  return { ...NO_TRANSFER, immed: (cdb[1] & IMMED) !== 0, load: (cdb[4] & LOAD) !== 0, eot: (cdb[4] & EOT) !== 0 };
}

export const loadUnload: CommandDescriptor<TapeDrive, LoadUnloadCdb> = {
  opcode: 0x1b,
  name: 'LOAD UNLOAD',
  cdbUsage: [0x1b, IMMED, 0x00, 0x00, EOT | RETEN | LOAD, 0x00],
  decode: decodeLoadUnload,
  timeoutSeconds: 900,
  async execute({ decoded: { immed, load, eot }, device, nexus }) {
    if (load) {
      if (eot) throw Sense.invalidFieldInCdb(4, 2);
      // A cartridge the host unloaded is threaded again; with none in the drive this is NOT READY 3A/00.
      if (!device.reloadByHost(nexus)) throw Sense.mediumNotPresent();
      // Load and retension both end at the beginning of the partition.
      await device.withMedium((m) => m.rewind());
      return {};
    }
    if (device.mediumRemoval.prevented()) throw Sense.mediumRemovalPrevented();
    const unload = async (m: Parameters<Parameters<TapeDrive['withMedium']>[0]>[0]): Promise<void> => {
      await m.flush();
      if (eot) await m.spaceToEndOfData();
      else await m.rewind();
      device.ejectByHost();
    };
    if (immed) await device.immediately(unload);
    else await device.withMedium(unload);
    return {};
  },
};
