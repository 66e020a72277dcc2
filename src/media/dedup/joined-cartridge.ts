// FORMAT.md "Deduplication / A deduplicated cartridge": one cartridge joined from its recipe (objects 0..R-1) and its
// data file (objects R.., numbered from 0 there). This part owns that join: the position over both, the data file's
// position kept behind it, the data file's errors moved by R, reads and peeks from whichever side holds the object,
// and writes inside the recipe, which cut it (recipe-cut.ts). The guard and the TapeMedium surface are
// dedup-tape-medium.ts's.
import type { Logger } from '../../log.js';
import type { Storage } from '../../storage/storage.js';
import type { FileTapeMedium } from '../file-tape-medium.js';
import { RECORD_HEADER_BYTES } from '../record-header.js';
import { WormViolationError, type MediumPosition, type NextObject, type ReadOutcome } from '../tape-medium.js';
import { wormAllowsWrite } from '../worm-rule.js';
import type { ChunkStore } from './chunk-store.js';
import { JoinedMarks } from './joined-marks.js';
import type { Recipe } from './recipe.js';
import { RecipeBlockReader } from './recipe-block-reader.js';
import { cutRecipe } from './recipe-cut.js';
import { shiftTailError } from './tail-errors.js';

/** Bytes a recipe counts for in the capacity: its records as the data file would hold them uncompressed. */
export function recipeUsedBytes(recipe: Recipe): number {
  return recipe.logicalBytes + recipe.entryCount * RECORD_HEADER_BYTES;
}

export class JoinedCartridge {
  /** The cartridge's position: an object number over recipe and data file. */
  current = 0;
  private recipeNow: Recipe;
  readonly blocks: RecipeBlockReader;
  private readonly barcode: string;

  constructor(
    readonly tail: FileTapeMedium,
    recipe: Recipe,
    private readonly chunks: ChunkStore,
    private readonly storage: Storage,
    private readonly log: Logger,
  ) {
    this.barcode = tail.barcode;
    this.recipeNow = recipe;
    this.blocks = new RecipeBlockReader(chunks, this.barcode, log);
    this.tail.reserveBytes(recipeUsedBytes(recipe));
  }

  get recipe(): Recipe {
    return this.recipeNow;
  }

  /** A new recipe (a move into it, or a cut): the data file keeps room for it. */
  set recipe(recipe: Recipe) {
    this.recipeNow = recipe;
    this.tail.reserveBytes(recipeUsedBytes(recipe));
  }

  position(): MediumPosition {
    const end = this.recipe.objectCount + this.tail.endOfData;
    return { objectNumber: this.current, fileNumber: this.view().filemarksBefore(this.current), atEndOfData: this.current >= end };
  }

  /** The object at the position without moving: the recipe holds blocks and filemarks only (never host-encrypted). */
  async peekObject(): Promise<NextObject> {
    if (this.current >= this.recipe.objectCount) {
      await this.alignTail();
      return this.shifted(() => this.tail.peek());
    }
    return { kind: this.recipe.span(this.current).kind === 'filemark' ? 'filemark' : 'block' };
  }

  async readObject(): Promise<ReadOutcome> {
    const r = this.recipe.objectCount;
    if (this.current >= r) {
      await this.alignTail();
      const outcome = await this.shifted(() => this.tail.read());
      if (outcome.kind !== 'end-of-data') this.current++;
      return outcome;
    }
    const span = this.recipe.span(this.current);
    if (span.kind === 'filemark') {
      this.current++;
      return { kind: 'filemark' };
    }
    const { data, release } = await this.blocks.read(this.recipe, this.current, span.start, span.length);
    this.current++;
    return { kind: 'block', data, release };
  }

  view(): JoinedMarks {
    return new JoinedMarks(this.recipe.marks, this.tail.marks, this.tail.endOfData);
  }

  /** The WORM rule over recipe and data file, then the cut of the recipe when the write lands inside it. */
  async beforeWrite(): Promise<void> {
    await this.settleTail();
    if (this.tail.worm && !wormAllowsWrite(this.view(), this.current)) {
      throw new WormViolationError(`Cannot overwrite object ${this.current} of WORM cartridge ${this.barcode}`);
    }
    if (this.current < this.recipe.objectCount) await this.cutRecipe(this.current);
    await this.alignTail();
  }

  /** Make object `objectNumber` (< R) the end of data (recipe-cut.ts). */
  async cutRecipe(objectNumber: number): Promise<void> {
    const eraseTail = (): Promise<void> => this.shifted(async () => {
      await this.tail.rewind();
      await this.tail.erase();
      await this.tail.flush();
    });
    const cut = await cutRecipe({ barcode: this.barcode, recipe: this.recipe, chunks: this.chunks, storage: this.storage, tailPass: () => this.tail.writePass, eraseTail }, objectNumber);
    this.recipe = cut;
    this.blocks.forget();
    this.log.info({ objectNumber }, 'deduplicated prefix cut');
  }

  /** Put the data file's position where the medium's is (it is at or after the recipe's end). */
  async alignTail(): Promise<void> {
    const want = this.current - this.recipe.objectCount;
    if (this.tail.position().objectNumber !== want) await this.shifted(() => this.tail.locate(want));
  }

  /** Let the data file's write pipeline store what it holds (a locate where it stands), so its marks are current. */
  async settleTail(): Promise<void> {
    await this.shifted(() => this.tail.locate(this.tail.position().objectNumber));
  }

  /** Run a data file operation; its errors name objects of the data file, so they are moved by R. */
  async shifted<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw shiftTailError(error, this.recipe.objectCount);
    } finally {
      this.current = Math.min(this.current, this.recipe.objectCount + this.tail.endOfData);
    }
  }
}
