// Composition of one tape drive logical unit: the drive state plus the dispatcher running its command table.
import type { CommandObserver } from '../command-observer.js';
import { CommandDispatcher } from '../dispatcher.js';
import type { LogicalUnit } from '../logical-unit.js';
import { driveCommandTable } from './ssc-commands.js';
import { TapeDrive } from './tape-drive.js';
import type { TapeDriveOptions } from './tape-drive.js';

export interface DriveUnitOptions extends TapeDriveOptions {
  /** Told of every command the drive answers (management metrics). */
  readonly observer?: CommandObserver;
}

export interface DriveUnit {
  /** Attach to the SCSI target at the drive's LUN. */
  readonly unit: LogicalUnit;
  /** The DriveMechanism for the library robot, and drive state for management. */
  readonly drive: TapeDrive;
}

export function createDriveUnit(options: DriveUnitOptions): DriveUnit {
  const drive = new TapeDrive(options);
  drive.setSupportedCommands(driveCommandTable);
  const unit = new CommandDispatcher(driveCommandTable, drive, options.log.child({ lu: 'drive', drive: options.name }), options.observer);
  return { unit, drive };
}
