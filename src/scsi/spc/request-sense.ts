// SPC-4 6.39 REQUEST SENSE: reports (and clears) a pending unit attention, else why the unit is not ready, else an
// informational exception condition kept for it (page 1Ch MRIE 6h), else NO SENSE; always with GOOD status. DESC selects the format regardless of the Control page D_SENSE bit.
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { encodeSense, SenseFormat, senseOf } from '../sense.js';
import type { SpcDevice } from './spc-device.js';

export interface RequestSenseCdb extends DecodedCdb {
  /** DESC: descriptor format instead of fixed. */
  readonly format: SenseFormat;
}

/** ALLOCATION LENGTH is byte 4. */
export function decodeRequestSense(cdb: Buffer): RequestSenseCdb {
  return { direction: DataDirection.IN, lengthBytes: cdb[4], format: (cdb[1] & 0x01) !== 0 ? SenseFormat.DESCRIPTOR : SenseFormat.FIXED };
}

export function requestSense(ctx: CommandContext<SpcDevice, RequestSenseCdb>): CommandResult {
  const format = ctx.decoded.format;
  const ua = ctx.device.unitAttentions.take(ctx.nexus.id);
  const sense = ua ? senseOf(ua)
    : (ctx.device.readiness() ?? ctx.device.informationalExceptions?.takeOnRequest() ?? senseOf('NO_ADDITIONAL_SENSE_INFORMATION'));
  return { dataIn: encodeSense(sense, format) };
}
