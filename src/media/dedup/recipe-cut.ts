// FORMAT.md "Deduplication / Writes inside the recipe": a write, erase or SET CAPACITY inside a deduplicated
// cartridge's recipe makes a shorter recipe. The data file is erased (and synced) first, then the shorter recipe
// saved: a crash in between leaves the whole recipe and an empty data file, the cut not yet made. When the cut ends
// inside its last chunk, the used prefix is stored (and synced) as a chunk of its own before the recipe refers to it.
import type { Storage } from '../../storage/storage.js';
import { MediaFormatError } from '../tape-medium.js';
import { ChunkDamagedError, type ChunkStore } from './chunk-store.js';
import { RECIPE_FILE, type Recipe } from './recipe.js';

export interface RecipeCutParts {
  readonly barcode: string;
  readonly recipe: Recipe;
  readonly chunks: ChunkStore;
  readonly storage: Storage;
  /** The data file's pass after its erase (the new recipe's absorbed pass). */
  readonly tailPass: () => number;
  /** Erase the whole data file and make that durable. */
  readonly eraseTail: () => Promise<void>;
}

/** Make object `objectNumber` (< R) the end of data: the saved, shorter recipe. */
export async function cutRecipe(parts: RecipeCutParts, objectNumber: number): Promise<Recipe> {
  await parts.eraseTail();
  const cut = parts.recipe.cutAt(objectNumber, parts.tailPass());
  if (cut.overhang > 0) await trimLastChunk(parts, cut, objectNumber);
  await parts.storage.writeFileAtomic(`${parts.barcode}/${RECIPE_FILE}`, cut.encode());
  return cut;
}

async function trimLastChunk(parts: RecipeCutParts, cut: Recipe, objectNumber: number): Promise<void> {
  const last = cut.chunks.at(-1);
  if (last === undefined) return;
  const { chunks } = parts;
  try {
    await chunks.exclusive(async () => {
      const data = await chunks.get(last);
      const prefix = await chunks.store(data.subarray(0, last.length - cut.overhang));
      cut.replaceLastChunk(prefix.ref);
      cut.addedStoredBytes += prefix.addedBytes;
      await chunks.sync();
    });
  } catch (error) {
    if (!(error instanceof ChunkDamagedError)) throw error;
    throw new MediaFormatError(`Cannot write at object ${objectNumber} of cartridge ${parts.barcode}: the block before it is unreadable: ${error.message}`, objectNumber - 1);
  }
}
