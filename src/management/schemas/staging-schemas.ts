// The JSON of the staging routes (issue 15, docs/STAGING.md): physical libraries and copy jobs.
import { z } from 'zod';
import { component, count, instant } from './schema-kit.js';

export const PhysicalLibrarySchema = component(
  'PhysicalLibrary',
  z.strictObject({
    name: z.string(),
    portal: z.string(),
    iqn: z.string(),
    chap: z.boolean(),
    connected: z.boolean(),
    reconnects: count,
    lastError: z.string().optional(),
  }),
);

const PhysicalElementSchema = z.strictObject({ address: count, full: z.boolean(), barcode: z.string().optional() });

export const PhysicalLibraryDetailSchema = component(
  'PhysicalLibraryDetail',
  PhysicalLibrarySchema.extend({
    vendor: z.string(),
    product: z.string(),
    changerLun: count,
    drives: z.array(PhysicalElementSchema.extend({ lun: count.optional(), identifier: z.string().optional() })),
    slots: z.array(PhysicalElementSchema),
    mailSlots: z.array(PhysicalElementSchema),
  }),
);

export const CopyJobSchema = component(
  'CopyJob',
  z.strictObject({
    id: z.string(),
    barcode: z.string(),
    library: z.string().describe('The virtual library it was exported from'),
    physicalLibrary: z.string().optional().describe('The physical library chosen, once a cartridge with the barcode was found'),
    trigger: z
      .enum(['export', 'operator', 'idle', 'import'])
      .optional()
      .describe('What made the job: an export to a mail slot, vtl copy start, the idle copier (its jobs pause for hosts) or an import; absent in jobs saved before idle copies'),
    sourceLastWriteAt: instant.nullable().optional().describe("The virtual cartridge's last host write when the copy started (null: never written)"),
    state: z.enum(['waiting', 'queued', 'running', 'paused', 'done', 'failed', 'cancelled']),
    release: z.boolean().optional().describe('Release the disk copy once this copy is verified'),
    releasedAt: instant.optional().describe('When the disk copy was released after this job (the cartridge is a stub since)'),
    phase: z.enum(['copy', 'verify']),
    reason: z.string().optional().describe('Why it waits, or why it failed (the device\'s sense in words)'),
    attempts: count,
    totalBytes: count,
    totalObjects: count,
    objectsCopied: count.describe('While the copy phase runs, the objects the physical drive acknowledged; otherwise the checkpoint (flushed to tape), where the next run starts. The job list saves only the checkpoint'),
    bytesCopied: count.describe('As objectsCopied, in bytes'),
    objectsVerified: count,
    resumedFromObjects: count.optional().describe('The checkpoint the last run of the copy phase started from'),
    bytesVerified: count,
    createdAt: instant,
    updatedAt: instant,
    startedAt: instant.optional(),
    copiedAt: instant.optional().describe('When the copy phase of the last run ended (verify begins)'),
    finishedAt: instant.optional(),
    percent: z.number().min(0).max(100).describe('Over both phases: copy counts for half, verify for the other half'),
    bytesPerSecond: z.number().min(0).optional(),
    etaSeconds: count.optional(),
  }),
);

// Requests.
export const CopyBodySchema = z.strictObject({ release: z.boolean().optional().describe('Release the disk copy (keep a stub) once the copy is verified') });
export const ImportBodySchema = z.strictObject({
  barcode: z.string().min(1).max(16).describe('The physical cartridge to import'),
  library: z.string().min(1).optional().describe('The virtual library to put it in (default: the first)'),
});

export type CopyBody = z.input<typeof CopyBodySchema>;
export type ImportBody = z.input<typeof ImportBodySchema>;
export type PhysicalLibraryView = z.infer<typeof PhysicalLibrarySchema>;
export type PhysicalLibraryDetailView = z.infer<typeof PhysicalLibraryDetailSchema>;
export type CopyJobView = z.infer<typeof CopyJobSchema>;
