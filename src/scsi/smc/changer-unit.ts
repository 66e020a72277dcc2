// Builds LUN 0 of a library target: the SMC-3 changer as a LogicalUnit.
import { CommandDispatcher } from '../dispatcher.js';
import { ChangerDevice } from './changer-device.js';
import type { ChangerDeviceOptions } from './changer-device.js';
import { smcCommands } from './smc-commands.js';

export type ChangerUnitOptions = ChangerDeviceOptions;

/** The changer logical unit; `.device` is the ChangerDevice (call `.device.close()` when the target goes away). */
export function createChangerUnit(options: ChangerUnitOptions): CommandDispatcher<ChangerDevice> {
  const device = new ChangerDevice(options);
  device.setSupportedCommands(smcCommands);
  return new CommandDispatcher(smcCommands, device, options.log.child({ lun: 0, library: options.library }));
}
