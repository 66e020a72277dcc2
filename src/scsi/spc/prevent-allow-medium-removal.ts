// SPC-4 6.13 PREVENT ALLOW MEDIUM REMOVAL: per I_T nexus; removal stays prevented while any nexus prevents it.
import { NO_TRANSFER } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { SpcDevice } from './spc-device.js';

export interface PreventAllowCdb extends DecodedCdb {
  /** PREVENT field (2 bits). */
  readonly prevent: number;
}

export function decodePreventAllow(cdb: Buffer): PreventAllowCdb {
  return { ...NO_TRANSFER, prevent: cdb[4] & 0x03 };
}

export function preventAllowMediumRemoval(ctx: CommandContext<SpcDevice, PreventAllowCdb>): CommandResult {
  const prevent = ctx.decoded.prevent;
  // 10b and 11b are obsolete (SPC-4 table "PREVENT field").
  if (prevent > 1) throw Sense.invalidFieldInCdb(4, 1);
  ctx.device.mediumRemoval.set(ctx.nexus.id, prevent === 1);
  return {};
}
