// SSC-4 SPACE(6) and SPACE(16): logical blocks, filemarks, sequential filemarks, end of data; both directions.
import { NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, CommandResult, DecodedCdb } from '../command.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import type { SpaceOutcome, TapeMedium } from '../../media/tape-medium.js';
import { readInt24, readSafeInt64 } from './cdb-fields.js';
import type { TapeDrive } from './tape-drive.js';

export const SpaceCode = { LOGICAL_BLOCKS: 0, FILEMARKS: 1, SEQUENTIAL_FILEMARKS: 2, END_OF_DATA: 3 } as const;

/**
 * Residue for an early stop. SSC-4 asks for the requested count minus the count spaced; for a backward space
 * we report its magnitude, which is what Linux st expects ("some drives get this wrong" in st.c otherwise).
 */
function stopped(o: SpaceOutcome, count: number, withResidue: boolean): CommandResult {
  const info = withResidue ? { information: Math.abs(count) - o.counted } : {};
  switch (o.stoppedBy) {
    case undefined:
      return {};
    case 'filemark':
      return { sense: senseOf('FILEMARK_DETECTED', { filemark: true, ...info }) };
    case 'end-of-data':
      throw new SenseError(senseOf('END_OF_DATA_DETECTED', info));
    case 'beginning-of-partition':
      return { sense: senseOf('BEGINNING_OF_PARTITION_MEDIUM_DETECTED', { eom: true, ...info }) };
    default: {
      const never: never = o.stoppedBy;
      throw new Error(`unknown stop reason ${String(never)}`);
    }
  }
}

export async function space(medium: TapeMedium, code: number, count: number): Promise<CommandResult> {
  switch (code) {
    case SpaceCode.LOGICAL_BLOCKS:
      return count === 0 ? {} : stopped(await medium.spaceBlocks(count), count, true);
    case SpaceCode.FILEMARKS:
      return count === 0 ? {} : stopped(await medium.spaceFilemarks(count), count, true);
    case SpaceCode.SEQUENTIAL_FILEMARKS:
      // No count of "runs" is meaningful to report, so an early stop carries no INFORMATION.
      return count === 0 ? {} : stopped(await medium.spaceSequentialFilemarks(count), count, false);
    case SpaceCode.END_OF_DATA:
      await medium.spaceToEndOfData();
      return {};
    default:
      throw Sense.invalidFieldInCdb(1, 3);
  }
}

function checkCode(code: number): void {
  if (code > SpaceCode.END_OF_DATA) throw Sense.invalidFieldInCdb(1, 3);
}

export interface SpaceCdb extends DecodedCdb {
  readonly code: number;
  /** Signed: negative spaces backward. Undefined when SPACE(16)'s count is beyond a safe integer. */
  readonly count: number | undefined;
}

export function decodeSpace6(cdb: Buffer): SpaceCdb {
  return { ...NO_TRANSFER, code: cdb[1] & 0x0f, count: readInt24(cdb, 2) };
}

export function decodeSpace16(cdb: Buffer): SpaceCdb {
  return { ...NO_TRANSFER, code: cdb[1] & 0x0f, count: readSafeInt64(cdb, 4) };
}

function executeSpace({ decoded: { code, count }, device }: { decoded: SpaceCdb; device: TapeDrive }): Promise<CommandResult> {
  checkCode(code);
  // Only SPACE(16) can carry a count out of range; COUNT starts at byte 4 there.
  if (count === undefined) throw Sense.invalidFieldInCdb(4);
  return device.withMedium((medium) => space(medium, code, count));
}

export const space6: CommandDescriptor<TapeDrive, SpaceCdb> = {
  opcode: 0x11,
  name: 'SPACE(6)',
  cdbUsage: [0x11, 0x0f, 0xff, 0xff, 0xff, 0x00],
  decode: decodeSpace6,
  timeoutSeconds: 3600,
  execute: executeSpace,
};

export const space16: CommandDescriptor<TapeDrive, SpaceCdb> = {
  opcode: 0x91,
  name: 'SPACE(16)',
  // PARAMETER LENGTH (bytes 12-13) must be zero: no parameter data is supported.
  cdbUsage: [0x91, 0x0f, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00],
  decode: decodeSpace16,
  timeoutSeconds: 3600,
  execute: executeSpace,
};
