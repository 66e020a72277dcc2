// The JSON of GET /dedup and POST /dedup/pass (issue 17), and the deduplication figures in the cartridge and status
// views: what the chunk stores save, per cartridge, library, store and in all, and the background pass (dedup-status.ts).
import { z } from 'zod';
import { component, count } from './schema-kit.js';

/** The fields every figure has (one shape, so each schema below is its own object, not an extension of a component). */
const figures = {
    logicalBytes: count.describe('Data bytes as the host wrote them'),
    storedBytes: count.describe(
      'Per cartridge: its recipe, what it added to its chunk store and what is still in its data file (an upper bound of what it holds alone); per chunk store: its containers and its cartridges\' data files',
    ),
    ratio: z.number().min(0).describe('logical / stored; 1 when nothing is stored'),
    backlogBytes: count.describe('Bytes the background pass has not moved into chunks yet'),
};

export const DedupFiguresSchema = component('DedupFigures', z.strictObject(figures));

export const CartridgeDedupSchema = component('CartridgeDedup', z.strictObject({ barcode: z.string(), library: z.string(), ...figures }));

export const DedupStoreSchema = component(
  'DedupStore',
  z.strictObject({
    ...figures,
    name: z.string().describe('`global` (shared by the libraries with scope global) or the name of a library with scope library'),
    libraries: z.array(z.string()),
    uniqueChunks: count,
    containers: count,
    containerBytes: count.describe('Bytes of its container files'),
    indexMemoryBytes: count.describe('Memory its index holds (1.1-2.1 GiB per TiB of unique data at 32 KiB chunks)'),
  }),
);

export const DedupPassSchema = component(
  'DedupPass',
  z
    .strictObject({
      movedBytes: count,
      busySeconds: z.number().min(0),
      rounds: count,
      containersCollected: count,
      running: z.boolean(),
      cartridge: z.strictObject({ barcode: z.string(), backlogBytes: count }).nullable().describe('The cartridge it is moving now; null between cartridges'),
      lastRoundAt: z.string().nullable(),
    })
    .describe('The background pass: bytes moved into chunks, seconds it worked, rounds run, containers collected since the start, and what it does now'),
);

export const DedupSummarySchema = component('DedupSummary', z.strictObject({ pass: DedupPassSchema, stores: z.array(DedupStoreSchema) }));

export const DedupStatusSchema = component(
  'DedupStatus',
  z.strictObject({ ...figures, pass: DedupPassSchema, stores: z.array(DedupStoreSchema), cartridges: z.array(CartridgeDedupSchema) }),
);

export type DedupFigures = z.infer<typeof DedupFiguresSchema>;
export type CartridgeDedupView = z.infer<typeof CartridgeDedupSchema>;
export type DedupStoreView = z.infer<typeof DedupStoreSchema>;
export type DedupPassView = z.infer<typeof DedupPassSchema>;
export type DedupSummaryView = z.infer<typeof DedupSummarySchema>;
export type DedupStatusView = z.infer<typeof DedupStatusSchema>;
