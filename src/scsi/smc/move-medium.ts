// SMC-3 6.6 MOVE MEDIUM (A5h), 6.3 EXCHANGE MEDIUM (A6h), 6.11 POSITION TO ELEMENT (2Bh).
// The robot never keeps a cartridge and cannot rotate one: INVERT is refused by the CDB usage masks.
import { elementAt } from '../../library/layout.js';
import type { CommandContext, CommandResult } from '../command.js';
import { Sense } from '../sense.js';
import type { ChangerDevice } from './changer-device.js';
import { asSense } from './library-sense.js';

/** A MEDIUM TRANSPORT ELEMENT ADDRESS of 0 means the default transport; anything else must be ours. */
function checkTransport(device: ChangerDevice, address: number): void {
  if (address === 0) return;
  const ref = elementAt(device.manager.library(device.library).layout, address);
  if (ref?.type !== 'transport') throw Sense.invalidElementAddress();
}

export async function moveMedium(ctx: CommandContext<ChangerDevice>): Promise<CommandResult> {
  const d = ctx.device;
  checkTransport(d, ctx.cdb.readUInt16BE(2));
  const source = ctx.cdb.readUInt16BE(4);
  const destination = ctx.cdb.readUInt16BE(6);
  await asSense(() => d.manager.move(d.library, source, destination, { actor: 'host' }));
  return {};
}

export async function exchangeMedium(ctx: CommandContext<ChangerDevice>): Promise<CommandResult> {
  const d = ctx.device;
  checkTransport(d, ctx.cdb.readUInt16BE(2));
  const source = ctx.cdb.readUInt16BE(4);
  const first = ctx.cdb.readUInt16BE(6);
  const second = ctx.cdb.readUInt16BE(8);
  await asSense(() => d.manager.exchange(d.library, source, first, second, { actor: 'host' }));
  return {};
}

/** The robot parks in front of the element; nothing else changes, so only the addresses are checked. */
export function positionToElement(ctx: CommandContext<ChangerDevice>): CommandResult {
  const d = ctx.device;
  checkTransport(d, ctx.cdb.readUInt16BE(2));
  if (!elementAt(d.manager.library(d.library).layout, ctx.cdb.readUInt16BE(4))) throw Sense.invalidElementAddress();
  return {};
}
