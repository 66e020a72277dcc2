// SSC-4 command table of the tape drive; createDriveUnit extends the SPC table with it.
import { extendTable } from '../command.js';
import type { CommandTable } from '../command.js';
import { spcCommands } from '../spc/spc-commands.js';
import { allowOverwrite } from './allow-overwrite.js';
import { readAttributeCommands, writeAttribute } from './attributes.js';
import { securityProtocolIn, securityProtocolOut } from './encryption/security-protocol.js';
import { erase } from './erase.js';
import { formatMedium } from './format-medium.js';
import { guarded } from './guarded-command.js';
import { loadUnload } from './load-unload.js';
import { locate10, locate16, rewind } from './locate.js';
import { read16, read6 } from './read.js';
import { readBlockLimits } from './read-block-limits.js';
import { readPositionCommands } from './read-position.js';
import { reportDensitySupport } from './report-density-support.js';
import { setCapacity } from './set-capacity.js';
import { space16, space6 } from './space.js';
import type { TapeDrive } from './tape-drive.js';
import { verify16, verify6 } from './verify.js';
import { write16, write6, writeFilemarks16, writeFilemarks6 } from './write.js';

/**
 * The SSC commands only (they override nothing of SPC). Those that change the cartridge run inside the drive's
 * MediaGuard (retention locks, read-only initiators, audit). MODE SELECT is not among them: it changes the drive's
 * settings for the mount, never what is on the cartridge, and a read-only host needs it to set its block size.
 */
export const sscCommands: CommandTable<TapeDrive> = [
  rewind,
  readBlockLimits,
  read6,
  guarded(write6, 'write', { changes: (c) => c.length > 0, writes: true }),
  guarded(setCapacity, 'set-capacity', { changes: (c) => c.proportion > 0 }),
  guarded(writeFilemarks6, 'write-filemarks', { changes: (c) => c.count > 0, writes: true }),
  space6,
  verify6,
  guarded(erase, 'erase', { changes: () => true }),
  guarded(formatMedium, 'format-medium', { changes: () => true }),
  loadUnload,
  locate10,
  ...readPositionCommands,
  reportDensitySupport,
  ...readAttributeCommands,
  guarded(writeAttribute, 'write-attribute', { changes: (c) => c.lengthBytes > 0 }),
  guarded(writeFilemarks16, 'write-filemarks', { changes: (c) => c.count > 0, writes: true }),
  allowOverwrite,
  read16,
  guarded(write16, 'write', { changes: (c) => c.length > 0, writes: true }),
  verify16,
  space16,
  locate16,
  securityProtocolIn,
  securityProtocolOut,
];

/** What a tape drive logical unit executes: SPC-4 plus SSC-4. */
export const driveCommandTable: CommandTable<TapeDrive> = extendTable(spcCommands, sscCommands);
