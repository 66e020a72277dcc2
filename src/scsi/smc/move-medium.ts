// SMC-3 6.6 MOVE MEDIUM (A5h), 6.3 EXCHANGE MEDIUM (A6h), 6.11 POSITION TO ELEMENT (2Bh).
// The robot never keeps a cartridge and cannot rotate one: INVERT is refused by the CDB usage masks.
import { elementAt } from '../../library/layout.js';
import { NO_TRANSFER } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { ChangerDevice } from './changer-device.js';
import { asSense } from './library-sense.js';

/** A MEDIUM TRANSPORT ELEMENT ADDRESS of 0 means the default transport; anything else must be ours. */
function checkTransport(device: ChangerDevice, address: number): void {
  if (address === 0) return;
  const ref = elementAt(device.manager.library(device.library).layout, address);
  if (ref?.type !== 'transport') throw Sense.invalidElementAddress();
}

/**
 * The element addresses of MOVE MEDIUM (transport, source, destination), EXCHANGE MEDIUM (transport, source, first
 * destination, second destination) and POSITION TO ELEMENT (transport, destination): 16-bit fields from byte 2 on.
 */
export interface ElementAddressesCdb extends DecodedCdb {
  readonly transport: number;
  readonly addresses: readonly number[];
}

function decodeAddresses(cdb: Buffer, count: number): ElementAddressesCdb {
  const addresses: number[] = [];
  for (let i = 0; i < count; i++) addresses.push(cdb.readUInt16BE(4 + 2 * i));
  return { ...NO_TRANSFER, transport: cdb.readUInt16BE(2), addresses };
}

export const decodeMoveMedium = (cdb: Buffer): ElementAddressesCdb => decodeAddresses(cdb, 2);
export const decodeExchangeMedium = (cdb: Buffer): ElementAddressesCdb => decodeAddresses(cdb, 3);
export const decodePositionToElement = (cdb: Buffer): ElementAddressesCdb => decodeAddresses(cdb, 1);

export async function moveMedium(ctx: CommandContext<ChangerDevice, ElementAddressesCdb>): Promise<CommandResult> {
  const d = ctx.device;
  const [source, destination] = ctx.decoded.addresses;
  checkTransport(d, ctx.decoded.transport);
  await asSense(() => d.manager.move(d.library, source, destination, { actor: 'host' }), (code) => d.noteLibraryFailure(code));
  return {};
}

export async function exchangeMedium(ctx: CommandContext<ChangerDevice, ElementAddressesCdb>): Promise<CommandResult> {
  const d = ctx.device;
  const [source, first, second] = ctx.decoded.addresses;
  checkTransport(d, ctx.decoded.transport);
  await asSense(() => d.manager.exchange(d.library, source, first, second, { actor: 'host' }), (code) => d.noteLibraryFailure(code));
  return {};
}

/** The robot parks in front of the element; nothing else changes, so only the addresses are checked. */
export function positionToElement(ctx: CommandContext<ChangerDevice, ElementAddressesCdb>): CommandResult {
  const d = ctx.device;
  checkTransport(d, ctx.decoded.transport);
  if (!elementAt(d.manager.library(d.library).layout, ctx.decoded.addresses[0])) throw Sense.invalidElementAddress();
  return {};
}
