// SPC-2 7.21-7.24 RESERVE(6)/(10) and RELEASE(6)/(10), logical unit reservations only: third-party and extent
// reservations are refused by the CDB usage masks (3RDPTY, LONGID and the parameter list length are not used).
// A conflicting RESERVE never gets here: the dispatcher answers RESERVATION CONFLICT first.
import type { CommandContext, CommandResult } from '../command.js';
import { Sense } from '../sense.js';
import type { SpcDevice } from './spc-device.js';

export function reserve(ctx: CommandContext<SpcDevice>): CommandResult {
  if (!ctx.device.reservation.reserve(ctx.nexus.id)) throw Sense.internalTargetFailure();
  return {};
}

/** Releasing a reservation held by another nexus, or none, is GOOD and changes nothing (SPC-2 7.23). */
export function release(ctx: CommandContext<SpcDevice>): CommandResult {
  ctx.device.reservation.release(ctx.nexus.id);
  return {};
}
