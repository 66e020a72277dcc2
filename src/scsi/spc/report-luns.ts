// SPC-4 6.33 REPORT LUNS, answered by a logical unit for its whole target (same data as the target gives).
import type { CommandContext, CommandResult } from '../command.js';
import { answerReportLuns } from '../target.js';
import type { ReportLunsCdb } from '../target.js';
import type { SpcDevice } from './spc-device.js';

export function reportLuns(ctx: CommandContext<SpcDevice, ReportLunsCdb>): CommandResult {
  const data = answerReportLuns(ctx.decoded, ctx.device.lunInventory());
  // SPC-4 6.33: a successful REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED for this nexus.
  const uas = ctx.device.unitAttentions;
  if (uas.peek(ctx.nexus.id) === 'REPORTED_LUNS_DATA_HAS_CHANGED') uas.take(ctx.nexus.id);
  return { dataIn: data };
}
