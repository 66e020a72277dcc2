// SMC-3 6.12 READ ELEMENT STATUS handler. CURDATA asks for status without robot motion: ours never moves
// anything to report, so it changes nothing.
import type { CommandContext, CommandResult } from '../command.js';
import type { ChangerDevice } from './changer-device.js';
import { encodeElementStatus, selectElements } from './element-status.js';
import type { ReadElementStatusCdb } from './element-status.js';

export function readElementStatus(ctx: CommandContext<ChangerDevice, ReadElementStatusCdb>): CommandResult {
  const request = ctx.decoded;
  const selected = selectElements(ctx.device.reportElements(), request);
  return { dataIn: encodeElementStatus(selected, request) };
}
