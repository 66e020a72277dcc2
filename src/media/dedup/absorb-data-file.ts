// FORMAT.md "Deduplication / The background pass", the move itself: a data file's objects into a new recipe. Used by
// the pass on an unmounted cartridge (dedup-pass.ts) and by a mounted one while its drive is idle (dedup-tape-medium.ts).
import type { Storage } from '../../storage/storage.js';
import type { FileTapeMedium } from '../file-tape-medium.js';
import type { ChunkStore } from './chunk-store.js';
import { ContentChunker, DEFAULT_CHUNK_SIZES, type ChunkSizes } from './content-chunker.js';
import { RECIPE_FILE, type Recipe } from './recipe.js';

export interface AbsorbResult {
  readonly objects: number;
  readonly logicalBytes: number;
  readonly chunks: number;
}

/** Chunks handed to ChunkStore.storeBatch() at once (~1 MiB at 32 KiB chunks). */
const STORE_BATCH_CHUNKS = 32;

/** Test seam: called at each named step of a pass, so crash tests can stop the process there. */
export type StepHook = (step: 'chunked' | 'synced' | 'switched' | 'erased') => void | Promise<void>;

export interface AbsorbParts {
  readonly tail: FileTapeMedium;
  readonly recipe: Recipe;
  readonly chunks: ChunkStore;
  readonly storage: Storage;
  readonly sizes?: ChunkSizes;
  readonly step?: StepHook;
  /** Aborted when a mount wants the cartridge: the move stops before its switch (nothing changed for the host). */
  readonly signal?: AbortSignal;
}

/** The data file holds a record the host encrypted (drive encryption): such a cartridge is not deduplicated. */
export class HostEncryptedDataError extends Error {
  constructor(barcode: string, objectNumber: number) {
    super(`cartridge ${barcode} holds a record the host encrypted (object ${objectNumber}): it stays in its data file, not deduplicated`);
    this.name = 'HostEncryptedDataError';
  }
}

/**
 * A WORM cartridge is not deduplicated: the move ends by erasing the data file, which WORM media never allow (and a
 * switched recipe beside a data file that cannot be erased would leave the cartridge unopenable). Checked first.
 */
export class WormNotDeduplicatedError extends Error {
  constructor(barcode: string) {
    super(`cartridge ${barcode} is WORM: it stays in its data file, not deduplicated`);
    this.name = 'WormNotDeduplicatedError';
  }
}

/**
 * Move every object of the data file `tail` (positioned anywhere) into a new recipe after `recipe`: chunk its data
 * blocks, store the chunks, sync them, save the recipe (the switch), erase the data file. Returns the new recipe.
 */
export function absorbDataFile(parts: AbsorbParts): Promise<{ recipe: Recipe; result: AbsorbResult }> {
  return parts.chunks.exclusive(() => absorbNow(parts));
}

async function absorbNow(parts: AbsorbParts): Promise<{ recipe: Recipe; result: AbsorbResult }> {
  const { tail, recipe, chunks, storage } = parts;
  const step = parts.step ?? ((): void => undefined);
  const objects = tail.endOfData;
  if (objects === 0) return { recipe, result: { objects: 0, logicalBytes: 0, chunks: 0 } };
  if (tail.worm) throw new WormNotDeduplicatedError(tail.barcode);
  const next = recipe.extendedCopy(tail.writePass, objects);
  next.chunkStoreId = chunks.id;
  const chunker = new ContentChunker(parts.sizes ?? DEFAULT_CHUNK_SIZES);
  let open: Buffer[] = [];
  let logicalBytes = 0;
  let added = 0;
  // Chunks go to the store in batches, so their compression runs on the thread pool beside this thread's chunking.
  let batch: Buffer[] = [];
  const flush = async (): Promise<void> => {
    for (const stored of await chunks.storeBatch(batch)) {
      next.addChunk(stored.ref);
      next.addedStoredBytes += stored.addedBytes;
      added++;
    }
    batch = [];
  };
  const emit = async (pieces: Buffer[]): Promise<void> => {
    batch.push(pieces.length === 1 ? (pieces[0] ?? Buffer.alloc(0)) : Buffer.concat(pieces));
    if (batch.length >= STORE_BATCH_CHUNKS) await flush();
  };
  await tail.rewind();
  for (let n = 0; n < objects; n++) {
    parts.signal?.throwIfAborted();
    const outcome = await tail.read();
    if (outcome.kind === 'end-of-data') throw new Error(`the data file of ${tail.barcode} ended at ${n}, before ${objects}`);
    if (outcome.kind === 'filemark') {
      next.addFilemarks(1);
      continue;
    }
    if (outcome.kind === 'encrypted-block') {
      // Ciphertext does not deduplicate, and a recipe holds no envelopes: the cartridge stays in its data file.
      outcome.release?.();
      throw new HostEncryptedDataError(tail.barcode, n);
    }
    // The read buffer is lent; chunks keep slices of this copy (allocUnsafe: Buffer.from() of a lent view zero-fills first).
    const data = Buffer.allocUnsafe(outcome.data.length);
    data.set(outcome.data);
    outcome.release?.();
    next.addBlock(data.length);
    logicalBytes += data.length;
    let from = 0;
    for (const cut of chunker.push(data)) {
      open.push(data.subarray(from, cut));
      await emit(open);
      open = [];
      from = cut;
    }
    if (from < data.length) open.push(data.subarray(from));
  }
  if (open.length > 0) await emit(open);
  await flush();
  await step('chunked');
  await chunks.sync();
  await step('synced');
  parts.signal?.throwIfAborted();
  await storage.writeFileAtomic(`${tail.barcode}/${RECIPE_FILE}`, next.encode());
  await step('switched');
  await tail.rewind();
  await tail.erase();
  await tail.flush();
  await step('erased');
  return { recipe: next, result: { objects, logicalBytes, chunks: added } };
}
