// SPC-2 7.21-7.24 RESERVE(6)/(10) and RELEASE(6)/(10), logical unit reservations only: third-party and extent
// reservations are refused by the CDB usage masks (3RDPTY, LONGID and the parameter list length are not used).
// While persistent reservation registrations exist, SPC-4 5.13.3 decides instead: GOOD without effect for a
// holder (or a registrant of a registrants-only / all-registrants reservation), RESERVATION CONFLICT otherwise.
import type { CommandContext, CommandResult } from '../command.js';
import { ReservationConflictError } from '../reservation-conflict.js';
import type { SpcDevice } from './spc-device.js';

export function reserve(ctx: CommandContext<SpcDevice>): CommandResult {
  const reservation = ctx.device.reservation;
  const outcome = reservation.persistent.spc2Outcome(ctx.nexus.id);
  if (outcome === 'conflict') throw new ReservationConflictError('RESERVE while persistent reservation registrations exist');
  if (outcome === 'ignore') return {};
  if (!reservation.reserve(ctx.nexus.id)) throw new ReservationConflictError('another I_T nexus holds the reservation');
  return {};
}

/** Releasing a reservation held by another nexus, or none, is GOOD and changes nothing (SPC-2 7.23). */
export function release(ctx: CommandContext<SpcDevice>): CommandResult {
  const reservation = ctx.device.reservation;
  const outcome = reservation.persistent.spc2Outcome(ctx.nexus.id);
  if (outcome === 'conflict') throw new ReservationConflictError('RELEASE while persistent reservation registrations exist');
  if (outcome === 'none') reservation.release(ctx.nexus.id);
  return {};
}
