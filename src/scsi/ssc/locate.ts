// SSC-4 LOCATE(10), LOCATE(16) and REWIND: positioning by logical object identifier, file, or end of data, in the
// current partition or (CP=1) in the one PARTITION names; REWIND goes to the beginning of partition 0.
import { NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, CommandResult, DecodedCdb } from '../command.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { readSafeUint64 } from './cdb-fields.js';
import type { TapeDrive } from './tape-drive.js';

const IMMED = 0x01;
const CP = 0x02;
const BT = 0x04;
export const DestinationType = { LOGICAL_OBJECT: 0, LOGICAL_FILE: 1, END_OF_DATA: 3 } as const;

async function locateObject(medium: TapeMedium, objectNumber: number): Promise<CommandResult> {
  const o = await medium.locate(objectNumber);
  if (o.stoppedBy === 'end-of-data') throw new SenseError(senseOf('END_OF_DATA_DETECTED'));
  return {};
}

/** Logical file N starts right after the Nth filemark (file 0 at the beginning of the partition). */
async function locateFile(medium: TapeMedium, fileNumber: number): Promise<CommandResult> {
  await medium.changePartition(medium.partition);
  if (fileNumber === 0) return {};
  const o = await medium.spaceFilemarks(fileNumber);
  if (o.stoppedBy) throw new SenseError(senseOf('END_OF_DATA_DETECTED'));
  return {};
}

/** Run now, or with IMMED in the background (errors become deferred sense). */
async function run(device: TapeDrive, immed: boolean, fn: (m: TapeMedium) => Promise<CommandResult>): Promise<CommandResult> {
  if (!immed) return device.withMedium(fn);
  await device.immediately(async (m) => {
    await fn(m);
  });
  return {};
}

/**
 * CP=1: a partition the cartridge does not have is refused at once (also with IMMED), with the field pointer on
 * PARTITION; otherwise `fn` runs in that partition, from its beginning (SSC-4 LOCATE: change partition, then locate).
 */
async function inPartition(
  device: TapeDrive, immed: boolean, cdb: { readonly changePartition: boolean; readonly partition: number }, partitionByte: number,
  fn: (m: TapeMedium) => Promise<CommandResult>,
): Promise<CommandResult> {
  if (!cdb.changePartition) return run(device, immed, fn);
  await device.withMedium((m) => (cdb.partition < m.partitionCapacities().length ? Promise.resolve() : Promise.reject(Sense.invalidFieldInCdb(partitionByte))));
  return run(device, immed, async (m) => {
    // Already there: no move to the beginning first, so LOCATE with CP to the current partition is as fast as without.
    if (m.partition !== cdb.partition) await m.changePartition(cdb.partition);
    return fn(m);
  });
}

export interface Locate10Cdb extends DecodedCdb {
  readonly immed: boolean;
  readonly changePartition: boolean;
  readonly partition: number;
  readonly target: number;
}

export interface Locate16Cdb extends Omit<Locate10Cdb, 'target'> {
  readonly destinationType: number;
  /** Undefined when the identifier is beyond a safe integer. */
  readonly target: number | undefined;
}

export function decodeLocate10(cdb: Buffer): Locate10Cdb {
  return {
    ...NO_TRANSFER,
    immed: (cdb[1] & IMMED) !== 0,
    changePartition: (cdb[1] & CP) !== 0,
    partition: cdb[8],
    target: cdb.readUInt32BE(3),
  };
}

export function decodeLocate16(cdb: Buffer): Locate16Cdb {
  return {
    ...NO_TRANSFER,
    immed: (cdb[1] & IMMED) !== 0,
    destinationType: (cdb[1] >> 3) & 0x03,
    changePartition: (cdb[1] & CP) !== 0,
    partition: cdb[3],
    target: readSafeUint64(cdb, 4),
  };
}

export const locate10: CommandDescriptor<TapeDrive, Locate10Cdb> = {
  opcode: 0x2b,
  name: 'LOCATE(10)',
  // BT=1 asks for vendor-specific block addresses; ours are the logical object identifiers, so both mean the same.
  cdbUsage: [0x2b, BT | CP | IMMED, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0x00],
  decode: decodeLocate10,
  timeoutSeconds: 3600,
  execute({ decoded, device }) {
    return inPartition(device, decoded.immed, decoded, 8, (m) => locateObject(m, decoded.target));
  },
};

export const locate16: CommandDescriptor<TapeDrive, Locate16Cdb> = {
  opcode: 0x92,
  name: 'LOCATE(16)',
  cdbUsage: [0x92, 0x18 | CP | IMMED, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00],
  decode: decodeLocate16,
  timeoutSeconds: 3600,
  execute({ decoded, device }) {
    const { immed, destinationType, target } = decoded;
    if (target === undefined) throw Sense.invalidFieldInCdb(4);
    switch (destinationType) {
      case DestinationType.LOGICAL_OBJECT:
        return inPartition(device, immed, decoded, 3, (m) => locateObject(m, target));
      case DestinationType.LOGICAL_FILE:
        return inPartition(device, immed, decoded, 3, (m) => locateFile(m, target));
      case DestinationType.END_OF_DATA:
        return inPartition(device, immed, decoded, 3, async (m) => {
          await m.spaceToEndOfData();
          return {};
        });
      default:
        throw Sense.invalidFieldInCdb(1, 4);
    }
  },
};

export interface ImmedCdb extends DecodedCdb {
  readonly immed: boolean;
}

export function decodeRewind(cdb: Buffer): ImmedCdb {
  return { ...NO_TRANSFER, immed: (cdb[1] & IMMED) !== 0 };
}

export const rewind: CommandDescriptor<TapeDrive, ImmedCdb> = {
  opcode: 0x01,
  name: 'REWIND',
  cdbUsage: [0x01, IMMED, 0x00, 0x00, 0x00, 0x00],
  decode: decodeRewind,
  timeoutSeconds: 600,
  execute: ({ decoded, device }) =>
    // A rewind writes out the buffer first (buffered mode), like a real drive before it moves the tape.
    run(device, decoded.immed, async (m) => {
      await m.flush();
      await m.rewind();
      return {};
    }),
};
