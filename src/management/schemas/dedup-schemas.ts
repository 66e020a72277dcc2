// The JSON of GET /dedup (issue 17): what the chunk store saves, per cartridge and in all (dedup-status.ts).
import { z } from 'zod';
import { component, count } from './schema-kit.js';

export const CartridgeDedupSchema = component(
  'CartridgeDedup',
  z.strictObject({
    barcode: z.string(),
    library: z.string(),
    logicalBytes: count.describe('Data bytes as the host wrote them'),
    storedBytes: count.describe('What it added to the chunk store, plus what is still in its data file'),
    ratio: z.number().min(0),
    backlogBytes: count.describe('Bytes the background pass has not moved into chunks yet'),
  }),
);

export const DedupStatusSchema = component(
  'DedupStatus',
  z.strictObject({
    logicalBytes: count,
    storedBytes: count,
    ratio: z.number().min(0),
    backlogBytes: count,
    pass: z
      .strictObject({ movedBytes: count, busySeconds: z.number().min(0), rounds: count, containersCollected: count })
      .describe('The background pass: bytes moved into chunks, seconds it worked, rounds run, containers collected'),
    cartridges: z.array(CartridgeDedupSchema),
  }),
);

export type CartridgeDedupView = z.infer<typeof CartridgeDedupSchema>;
export type DedupStatusView = z.infer<typeof DedupStatusSchema>;
