// SMC-3 6.4 INITIALIZE ELEMENT STATUS (07h) and 6.5 INITIALIZE ELEMENT STATUS WITH RANGE (37h).
// A physical library scans its elements. Here the catalog is exact after every committed move, so what a scan can
// still find is a cartridge whose media file disappeared (or came back): the library rescans the media store and
// READ ELEMENT STATUS then reports those elements with EXCEPT (or without it again). WITH RANGE and RANGE=1 scans
// only NUMBER OF ELEMENTS elements from STARTING ELEMENT ADDRESS on, in ascending address order whatever their type.
import { elementAt, elementsOf } from '../../library/layout.js';
import { NO_TRANSFER } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { ChangerDevice } from './changer-device.js';
import { asSense } from './library-sense.js';

export async function initializeElementStatus(ctx: CommandContext<ChangerDevice>): Promise<CommandResult> {
  await asSense(() => ctx.device.manager.rescan(ctx.device.library, { actor: 'host' }));
  return {};
}

export interface InitializeElementStatusWithRangeCdb extends DecodedCdb {
  /** RANGE=0: every element; 1: NUMBER OF ELEMENTS elements from the starting element address on. */
  readonly range: boolean;
  readonly startingAddress: number;
  readonly numberOfElements: number;
}

export function decodeInitializeElementStatusWithRange(cdb: Buffer): InitializeElementStatusWithRangeCdb {
  return { ...NO_TRANSFER, range: (cdb[1] & 0x01) !== 0, startingAddress: cdb.readUInt16BE(2), numberOfElements: cdb.readUInt16BE(6) };
}

export async function initializeElementStatusWithRange(ctx: CommandContext<ChangerDevice, InitializeElementStatusWithRangeCdb>): Promise<CommandResult> {
  const { range, startingAddress, numberOfElements } = ctx.decoded;
  const d = ctx.device;
  if (!range) {
    await asSense(() => d.manager.rescan(d.library, { actor: 'host' }));
    return {};
  }
  const layout = d.manager.library(d.library).layout;
  if (!elementAt(layout, startingAddress)) throw Sense.invalidElementAddress();
  const inRange = elementsOf(layout)
    .map((ref) => ref.address)
    .filter((address) => address >= startingAddress)
    .sort((a, b) => a - b)
    .slice(0, numberOfElements);
  await asSense(() => d.manager.rescan(d.library, { actor: 'host', addresses: new Set(inRange) }));
  return {};
}
