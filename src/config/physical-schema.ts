// The physical tape libraries vtl stages cartridges to (issue 15): any SCSI media changer with tape drives that the
// host reaches over iSCSI. A cartridge exported from a virtual library is copied to the physical cartridge with the
// same barcode in the first library listed here that holds one.
import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 lower-case letters, digits or dashes');
const chapSecret = z.string().min(12, 'CHAP secrets must be 12 to 255 characters').max(255);

export const physicalLibrarySchema = z.strictObject({
  name,
  /** HOST[:PORT] of the library's iSCSI portal (port 3260 when absent). */
  portal: z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+)(:\d{1,5})?$/, 'must be HOST or HOST:PORT, e.g. 192.0.2.10:3260'),
  iqn: z.string().regex(/^(iqn\.\d{4}-\d{2}\.[^\s]+|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$/, 'must be an iSCSI name').max(223),
  /** CHAP towards the library (what the library's target asks for); `mutual` makes the library prove itself too. */
  chap: z
    .strictObject({
      username: z.string().min(1).max(255),
      secret: chapSecret,
      mutual: z.strictObject({ username: z.string().min(1).max(255), secret: chapSecret }).optional(),
    })
    .optional(),
  /** The changer's LUN when the target has several changers; otherwise the first medium changer LUN found. */
  changerLun: z.number().int().min(0).max(16383).optional(),
});

export const copySchema = z
  .strictObject({
    /** Copy a cartridge a host or an operator exports to a mail slot. */
    onExport: z.boolean().default(true),
    /** Tries of a job that fails for a transient reason (connection, unit attention, not ready) before it fails. */
    maxAttempts: z.number().int().min(1).max(100).default(5),
    retryDelaySeconds: z.number().int().min(1).max(86400).default(30),
    /** Data copied between checkpoints (a restart resumes from the last one). */
    checkpointMiB: z.number().int().min(1).max(65536).default(64),
    /**
     * Idle copy (tape caching): a cartridge written since its last verified copy is copied once no host has done I/O
     * on its virtual library for this long (fractions allowed: 0.05 is 3 seconds); absent: no idle copies.
     */
    idleMinutes: z.number().positive().max(10080).optional(),
    /**
     * After a verified copy: keep the disk copy, or release its space and keep a stub (the cartridge stays in the
     * catalog with its retention lock; a host's load recalls it from the physical cartridge). `vtl copy start
     * --release` asks for it for one copy.
     */
    release: z.enum(['keep', 'release']).default('keep'),
    /** Drives of one physical library the copies use at once. */
    maxDrives: z.number().int().min(1).max(64).default(1),
    /** Our iSCSI initiator name towards the physical libraries (default `<targetPrefix>:stager`). */
    initiatorName: z.string().max(223).optional(),
  })
  .prefault({});

export type PhysicalLibraryConfig = z.infer<typeof physicalLibrarySchema>;
export type CopyConfig = z.infer<typeof copySchema>;
