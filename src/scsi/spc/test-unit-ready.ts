// SPC-4 6.47 TEST UNIT READY: GOOD when ready, else the device's NOT READY sense.
import type { CommandContext, CommandResult } from '../command.js';
import { SenseError } from '../sense.js';
import type { SpcDevice } from './spc-device.js';

export function testUnitReady(ctx: CommandContext<SpcDevice>): CommandResult {
  const notReady = ctx.device.readiness();
  if (notReady) throw new SenseError(notReady);
  return {};
}
