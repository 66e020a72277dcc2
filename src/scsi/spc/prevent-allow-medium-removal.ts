// SPC-4 6.13 PREVENT ALLOW MEDIUM REMOVAL: per I_T nexus; removal stays prevented while any nexus prevents it.
import type { CommandContext, CommandResult } from '../command.js';
import { Sense } from '../sense.js';
import type { SpcDevice } from './spc-device.js';

export function preventAllowMediumRemoval(ctx: CommandContext<SpcDevice>): CommandResult {
  const prevent = ctx.cdb[4] & 0x03;
  // 10b and 11b are obsolete (SPC-4 table "PREVENT field").
  if (prevent > 1) throw Sense.invalidFieldInCdb(4, 1);
  ctx.device.mediumRemoval.set(ctx.nexus.id, prevent === 1);
  return {};
}
