// SPC-4 6.39 REQUEST SENSE: reports (and clears) a pending unit attention, else why the unit is not ready, else
// NO SENSE; always with GOOD status. DESC selects the format regardless of the Control page D_SENSE bit.
import type { CommandContext, CommandResult } from '../command.js';
import { encodeSense, SenseFormat, senseOf } from '../sense.js';
import type { SpcDevice } from './spc-device.js';

export function requestSense(ctx: CommandContext<SpcDevice>): CommandResult {
  const format = (ctx.cdb[1] & 0x01) !== 0 ? SenseFormat.DESCRIPTOR : SenseFormat.FIXED;
  const ua = ctx.device.unitAttentions.take(ctx.nexus.id);
  const sense = ua ? senseOf(ua) : (ctx.device.readiness() ?? senseOf('NO_ADDITIONAL_SENSE_INFORMATION'));
  return { dataIn: encodeSense(sense, format) };
}
