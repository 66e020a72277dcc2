// SSC-4 LOCATE(10), LOCATE(16) and REWIND: positioning by logical object identifier, file, or end of data.
import type { CommandDescriptor, CommandResult } from '../command.js';
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
  await medium.rewind();
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

export const locate10: CommandDescriptor<TapeDrive> = {
  opcode: 0x2b,
  name: 'LOCATE(10)',
  // BT=1 asks for vendor-specific block addresses; ours are the logical object identifiers, so both mean the same.
  cdbUsage: [0x2b, BT | CP | IMMED, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0x00],
  timeoutSeconds: 3600,
  execute: ({ cdb, device }) => {
    const changePartition = (cdb[1] & CP) !== 0;
    if (changePartition && cdb[8] !== 0) throw Sense.invalidFieldInCdb(8);
    const target = cdb.readUInt32BE(3);
    return run(device, (cdb[1] & IMMED) !== 0, (m) => locateObject(m, target));
  },
};

export const locate16: CommandDescriptor<TapeDrive> = {
  opcode: 0x92,
  name: 'LOCATE(16)',
  cdbUsage: [0x92, 0x18 | CP | IMMED, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00],
  timeoutSeconds: 3600,
  execute: ({ cdb, device }) => {
    const destType = (cdb[1] >> 3) & 0x03;
    const changePartition = (cdb[1] & CP) !== 0;
    if (changePartition && cdb[3] !== 0) throw Sense.invalidFieldInCdb(3);
    const target = readSafeUint64(cdb, 4);
    if (target === undefined) throw Sense.invalidFieldInCdb(4);
    const immed = (cdb[1] & IMMED) !== 0;
    switch (destType) {
      case DestinationType.LOGICAL_OBJECT:
        return run(device, immed, (m) => locateObject(m, target));
      case DestinationType.LOGICAL_FILE:
        return run(device, immed, (m) => locateFile(m, target));
      case DestinationType.END_OF_DATA:
        return run(device, immed, async (m) => {
          await m.spaceToEndOfData();
          return {};
        });
      default:
        throw Sense.invalidFieldInCdb(1, 4);
    }
  },
};

export const rewind: CommandDescriptor<TapeDrive> = {
  opcode: 0x01,
  name: 'REWIND',
  cdbUsage: [0x01, IMMED, 0x00, 0x00, 0x00, 0x00],
  timeoutSeconds: 600,
  execute: ({ cdb, device }) =>
    // A rewind writes out the buffer first (buffered mode), like a real drive before it moves the tape.
    run(device, (cdb[1] & IMMED) !== 0, async (m) => {
      await m.flush();
      await m.rewind();
      return {};
    }),
};
