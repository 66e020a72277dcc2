// SMC-3 6.4 INITIALIZE ELEMENT STATUS (07h) and 6.5 INITIALIZE ELEMENT STATUS WITH RANGE (37h).
// A physical library scans its elements. Here the catalog is exact after every committed move, so what a scan can
// still find is a cartridge whose media file disappeared (or came back): the library rescans the media store and
// READ ELEMENT STATUS then reports those elements with EXCEPT (or without it again). WITH RANGE checks that the
// range starts at an element and rescans the whole library (checking a few files more is harmless).
import { elementAt } from '../../library/layout.js';
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
  /** RANGE=0: every element; 1: from the starting element address on. */
  readonly range: boolean;
  readonly startingAddress: number;
}

export function decodeInitializeElementStatusWithRange(cdb: Buffer): InitializeElementStatusWithRangeCdb {
  return { ...NO_TRANSFER, range: (cdb[1] & 0x01) !== 0, startingAddress: cdb.readUInt16BE(2) };
}

export async function initializeElementStatusWithRange(ctx: CommandContext<ChangerDevice, InitializeElementStatusWithRangeCdb>): Promise<CommandResult> {
  const { range, startingAddress } = ctx.decoded;
  if (range && !elementAt(ctx.device.manager.library(ctx.device.library).layout, startingAddress)) throw Sense.invalidElementAddress();
  await asSense(() => ctx.device.manager.rescan(ctx.device.library, { actor: 'host' }));
  return {};
}
