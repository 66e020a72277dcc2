// The cache's journal of one file (FORMAT.md "Object store"): `files/<path>/journal.json` in the cache folder,
// replaced atomically at every sync. It names the file's length and the local files of its segments not yet in the
// store; start-up uploads them (and cuts the store's copy to the length) before any cartridge can be loaded.
import { z } from 'zod';

export const JOURNAL_NAME = 'journal.json';

const journalSchema = z.object({
  path: z.string().min(1),
  length: z.number().int().nonnegative(),
  trim: z.boolean(),
  segments: z.array(z.object({ index: z.number().int().nonnegative(), file: z.string().regex(/^[0-9a-z.-]+$/) })),
});

export type Journal = z.infer<typeof journalSchema>;

export function encodeJournal(journal: Journal): Buffer {
  return Buffer.from(JSON.stringify(journal), 'utf8');
}

/** The journal, or a string saying why the bytes are not one. */
export function decodeJournal(bytes: Buffer): Journal | string {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return `not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  const parsed = journalSchema.safeParse(value);
  return parsed.success ? parsed.data : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}
