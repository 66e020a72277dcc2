// The port through which the library's robot loads and unloads a drive. The SSC drive (scsi/ssc) implements it;
// main.ts wires each library drive element to its drive. The library never sees bytes or SCSI.
import type { DeviceIdentity } from './drive-identity.js';

export interface MountRequest {
  readonly barcode: string;
  readonly generation: number;
  readonly worm: boolean;
  readonly cleaning: boolean;
  readonly writeProtected: boolean;
  readonly capacityBytes: number;
}

export interface DriveState {
  /** Barcode of the mounted cartridge, if any. */
  readonly loaded: string | undefined;
  /** PREVENT ALLOW MEDIUM REMOVAL from any initiator holds the cartridge in. */
  readonly removalPrevented: boolean;
  /** The host unloaded the tape (LOAD/UNLOAD LOAD=0): it sits in the drive ready to be picked. */
  readonly ejected: boolean;
}

/** Thrown by a drive when the robot may not take its cartridge (SMC answers MEDIUM REMOVAL PREVENTED). */
export class DriveRemovalPreventedError extends Error {
  constructor(readonly driveName: string) {
    super(`Cannot remove the cartridge from drive ${driveName}: medium removal is prevented`);
    this.name = 'DriveRemovalPreventedError';
  }
}

export interface DriveMechanism {
  readonly name: string;
  /**
   * The identity the drive reports in INQUIRY / VPD 80h / 83h (an SpcIdentity fits); the changer's DVCID reports
   * the same vendor, product and serial. When absent, the library falls back to resolveDriveIdentity().
   */
  readonly identity?: DeviceIdentity;
  state(): DriveState;
  /** Mount: open the cartridge, become ready (NOT READY 04/01 briefly, then UNIT ATTENTION 28/00 to every nexus). */
  load(request: MountRequest): Promise<void>;
  /**
   * Dismount: flush, rewind and close the cartridge. Throws DriveRemovalPreventedError when removal is prevented,
   * unless `force` (an operator unload through the management API).
   */
  unload(options: { readonly force: boolean }): Promise<void>;
}
