// SSC-4 FORMAT MEDIUM (04h): erase the cartridge and lay it out as one partition (FORMAT 0h, the default format) or
// as mode page 11h says (1h partition medium, 2h default format then partition: the same result on a virtual
// cartridge). Accepted at the beginning of partition 0 only, as SSC-4 requires; VERIFY asks for a verification pass,
// which a virtual cartridge has nothing to do for.
import { NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import { WormViolationError } from '../../media/tape-medium.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { layoutBody, planPartitions, totalCapacity } from './medium-partition-page.js';
import { modePageBytes } from '../spc/stored-mode-page.js';
import { TapeAlert } from './tape-alert.js';
import type { TapeDrive } from './tape-drive.js';
import type { Mount } from './mount.js';

const IMMED = 0x01;
const VERIFY = 0x02;
export const FormatField = { DEFAULT_FORMAT: 0x0, PARTITION_MEDIUM: 0x1, DEFAULT_FORMAT_THEN_PARTITION: 0x2 } as const;

export interface FormatMediumCdb extends DecodedCdb {
  readonly immed: boolean;
  readonly verify: boolean;
  readonly format: number;
}

export function decodeFormatMedium(cdb: Buffer): FormatMediumCdb {
  return { ...NO_TRANSFER, immed: (cdb[1] & IMMED) !== 0, verify: (cdb[1] & VERIFY) !== 0, format: cdb[2] & 0x0f };
}

/**
 * The partition sizes FORMAT MEDIUM makes (empty: one partition), or the refusal, reported by the command itself
 * (also with IMMED): WORM, not at the beginning of partition 0, a layout the cartridge cannot hold.
 */
function planFormat(drive: TapeDrive, medium: TapeMedium, mount: Mount, format: number): Promise<readonly number[]> {
  if (medium.worm) {
    // A WORM cartridge is never reformatted: it would erase written data (as LTO drives answer, 30/0C).
    drive.tapeAlert.set(TapeAlert.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
    return Promise.reject(new WormViolationError(`Cannot format WORM cartridge ${medium.barcode}`));
  }
  if (medium.partition !== 0 || medium.position().objectNumber !== 0) return Promise.reject(new SenseError(senseOf('POSITION_PAST_BEGINNING_OF_MEDIUM')));
  // Append-only mode (page 10h/01h): formatting erases written data, so it needs ALLOW OVERWRITE 2h first.
  if (drive.mode.appendOnly && !drive.overwrite.takeFormat(medium)) return Promise.reject(new SenseError(senseOf('WRITE_APPEND_POSITION_ERROR')));
  if (format === FormatField.DEFAULT_FORMAT) return Promise.resolve([]);
  // Without a MODE SELECT since the load, the cartridge is partitioned again as it is.
  const capacities = medium.partitionCapacities().map((c) => c.capacityBytes);
  const page = drive.mode.partitionSelectionFor(mount.request.barcode) ?? modePageBytes(0x11, 0, layoutBody(capacities));
  const plan = planPartitions(page, totalCapacity(medium));
  // The page was checked against this cartridge when it was selected; another one loaded since may not hold it.
  if ('badByte' in plan) return Promise.reject(new SenseError(senseOf('PARAMETER_VALUE_INVALID')));
  // A deduplicated or object-store cartridge keeps one partition (docs/CONFORMANCE.md "Partitions").
  if (Math.max(1, plan.partitionBytes.length) > medium.partitionLimit) return Promise.reject(Sense.invalidFieldInCdb(2, 3));
  return Promise.resolve(plan.partitionBytes);
}

export const formatMedium: CommandDescriptor<TapeDrive, FormatMediumCdb> = {
  opcode: 0x04,
  name: 'FORMAT MEDIUM',
  // TRANSFER LENGTH (bytes 3-4) must be 0: LTO drives take no format parameters.
  cdbUsage: [0x04, VERIFY | IMMED, 0x0f, 0x00, 0x00, 0x00],
  decode: decodeFormatMedium,
  timeoutSeconds: 3600,
  async execute({ decoded: { immed, format }, device }) {
    if (format > FormatField.DEFAULT_FORMAT_THEN_PARTITION) throw Sense.invalidFieldInCdb(2, 3);
    const partitionBytes = await device.withMedium((m, mount) => planFormat(device, m, mount, format), { write: true });
    const work = async (m: TapeMedium): Promise<void> => {
      await m.format(partitionBytes);
      device.mode.clearPartitionSelection();
      device.log.info({ barcode: m.barcode, format, partitionBytes }, 'FORMAT MEDIUM');
    };
    if (immed) await device.immediately(work, { write: true });
    else await device.withMedium(work, { write: true });
    return {};
  },
};
