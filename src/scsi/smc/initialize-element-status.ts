// SMC-3 6.4 INITIALIZE ELEMENT STATUS (07h) and 6.5 INITIALIZE ELEMENT STATUS WITH RANGE (37h).
// A physical library scans its elements; here the catalog is the inventory and is exact after every committed
// move, so the scan finds nothing new. WITH RANGE checks that the range starts at an element.
import { elementAt } from '../../library/layout.js';
import type { CommandContext, CommandResult } from '../command.js';
import { Sense } from '../sense.js';
import type { ChangerDevice } from './changer-device.js';

export function initializeElementStatus(_ctx: CommandContext<ChangerDevice>): CommandResult {
  return {};
}

export function initializeElementStatusWithRange(ctx: CommandContext<ChangerDevice>): CommandResult {
  const range = (ctx.cdb[1] & 0x01) !== 0;
  if (range) {
    const start = ctx.cdb.readUInt16BE(2);
    if (!elementAt(ctx.device.manager.library(ctx.device.library).layout, start)) throw Sense.invalidElementAddress();
  }
  return {};
}
