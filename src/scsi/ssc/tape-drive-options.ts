// What a TapeDrive is built from (tape-drive.ts), in its own file to keep the drive's under 300 lines.
import type { DeviceIdentity } from '../../library/drive-identity.js';
import type { DriveProtection } from '../../library/drive-protection.js';
import type { LtoGeneration } from '../../library/lto.js';
import type { Logger } from '../../log.js';
import type { MediaStore } from '../../media/media-store.js';

export interface TapeDriveOptions {
  readonly name: string;
  readonly generation: LtoGeneration;
  /** Missing fields get LTO defaults; `naa` (VPD 83h) defaults to one derived from the serial. */
  readonly identity?: Partial<DeviceIdentity>;
  readonly compressionDefault?: boolean;
  readonly mediaStore: MediaStore;
  /** The iSCSI target name the drive is reached through (seeds the default serial). */
  readonly targetName: string;
  readonly lunInventory: () => readonly number[];
  readonly log: Logger;
  /** What the library enforces on the drive (retention, read-only initiators, audit); default: nothing. */
  readonly protection?: DriveProtection;
  /** The drive's LUN on its target, named in audit entries. */
  readonly lun?: number;
}
