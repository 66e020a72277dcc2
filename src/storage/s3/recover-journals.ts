// Start-up (FORMAT.md "Object store", durability rule): every journal in the cache names flushed data that may not
// be in the store yet. Its segments are uploaded in ascending order and the store's copy cut to the journal's
// length, before any cartridge can be loaded; then the cache is emptied (clean segments are fetched again).
import { StorageError } from '../storage.js';
import { withBackoff } from './backoff.js';
import type { CachedFileContext } from './cached-file.js';
import { JOURNAL_NAME, decodeJournal, type Journal } from './journal.js';
import { parseSegmentName, segmentCount, segmentKey } from './segment-layout.js';

async function findJournals(ctx: CachedFileContext, folder: string, found: string[]): Promise<void> {
  let names: string[];
  try {
    names = await ctx.local.list(folder);
  } catch (error) {
    // A file, not a folder: a segment, or the temporary file of a journal replacement a crash interrupted.
    if (error instanceof StorageError && error.code === 'ENOTDIR') return;
    throw error;
  }
  for (const name of names) {
    const child = `${folder}/${name}`;
    if (name === JOURNAL_NAME) found.push(child);
    else await findJournals(ctx, child, found);
  }
}

async function replay(ctx: CachedFileContext, folder: string, journal: Journal, attempts: number): Promise<void> {
  const key = ctx.keyOf(journal.path);
  const S = ctx.segmentBytes;
  const count = segmentCount(journal.length, S);
  for (const { index, file } of [...journal.segments].sort((a, b) => a.index - b.index)) {
    if (index >= count) continue;
    const bytes = await ctx.local.readFile(`${folder}/${file}`);
    if (bytes === undefined) {
      // Uploaded and then evicted after this journal was written (only clean segments are evicted): the store has it.
      ctx.log.debug({ path: journal.path, segment: index, file }, 'segment named by the journal was uploaded already');
      continue;
    }
    const body = bytes.subarray(0, Math.min(bytes.length, Math.max(0, journal.length - index * S)));
    await withBackoff(() => ctx.store.put(segmentKey(key, index), body, ctx.retention(journal.path)), { attempts });
  }
  const objects = await withBackoff(() => ctx.store.listAll(`${key}/`), { attempts });
  const doomed = objects
    .map((o) => parseSegmentName(o.key.slice(key.length + 1)))
    .filter((i): i is number => i !== undefined && i >= count)
    .sort((a, b) => b - a);
  for (const index of doomed) await withBackoff(() => ctx.store.delete(segmentKey(key, index)), { attempts });
  ctx.log.info({ path: journal.path, length: journal.length, segments: journal.segments.length, removed: doomed.length }, 'uploaded the cache journal of a file');
}

export async function recoverJournals(ctx: CachedFileContext, attempts: number): Promise<void> {
  const journals: string[] = [];
  await findJournals(ctx, 'files', journals);
  for (const journalPath of journals) {
    const folder = journalPath.slice(0, -JOURNAL_NAME.length - 1);
    const bytes = await ctx.local.readFile(journalPath);
    const journal = bytes === undefined ? 'missing' : decodeJournal(bytes);
    if (typeof journal === 'string') {
      // Written atomically, so this is damage from outside: say so, and leave the store's copy as it is.
      ctx.log.error({ journal: journalPath, problem: journal }, 'cache journal unusable; its file keeps the copy in the store');
      continue;
    }
    await replay(ctx, folder, journal, attempts);
  }
  await ctx.local.removeFolder('files');
  await ctx.local.makeFolder('files');
}
