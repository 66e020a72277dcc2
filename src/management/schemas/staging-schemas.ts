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
    state: z.enum(['waiting', 'queued', 'running', 'done', 'failed', 'cancelled']),
    phase: z.enum(['copy', 'verify']),
    reason: z.string().optional().describe('Why it waits, or why it failed (the device\'s sense in words)'),
    attempts: count,
    totalBytes: count,
    totalObjects: count,
    objectsCopied: count,
    bytesCopied: count,
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

export type PhysicalLibraryView = z.infer<typeof PhysicalLibrarySchema>;
export type PhysicalLibraryDetailView = z.infer<typeof PhysicalLibraryDetailSchema>;
export type CopyJobView = z.infer<typeof CopyJobSchema>;
