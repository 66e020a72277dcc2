// What a deduplicated cartridge holds and what it costs (issue 17, visibility), as `vtl tape list`, `vtl status`,
// `GET /dedup` and the metrics show it. Measured from the recipe and the data file, never from a mount.
import type { Recipe } from './recipe.js';

export interface CartridgeDedupUsage {
  /** Data bytes as the host wrote them: the recipe's blocks and the data file's records. */
  readonly logicalBytes: number;
  /**
   * Its recipe, the chunks its moves added to the chunk store, and its data file: an upper bound of what it holds
   * alone (a cartridge whose every chunk was stored before costs its recipe: a 12-byte reference per chunk).
   */
  readonly storedBytes: number;
  /** logical / stored (1 when nothing is stored). */
  readonly ratio: number;
  /** Data file bytes not moved into the recipe yet: the background pass's backlog for this cartridge. */
  readonly backlogBytes: number;
}

/** The usage of a cartridge whose recipe is `recipe` and whose data file holds `dataBytes` after its header. */
export function usageOf(recipe: Recipe, dataBytes: number): CartridgeDedupUsage {
  const logicalBytes = recipe.logicalBytes + dataBytes;
  const storedBytes = recipe.encodedBytes + recipe.addedStoredBytes + dataBytes;
  return { logicalBytes, storedBytes, ratio: storedBytes === 0 ? 1 : logicalBytes / storedBytes, backlogBytes: dataBytes };
}
