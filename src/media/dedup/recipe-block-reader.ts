// FORMAT.md "Deduplication / Recipes": a block of a deduplicated cartridge's recipe, put together from the chunks its
// stream bytes lie in. A chunk inside the block is checked and decompressed straight into the block, a buffer lent to
// the caller and reused once released; a chunk the block shares with the next one (a chunk straddles two blocks) is
// decoded whole into a buffer kept for that next block. The chunks of a block are found in one pass (the next
// block's first chunk is the last one's successor, O(1)); the container windows the next blocks need are read ahead
// while the caller takes this one, each only as far as the chunks the recipe wants from it (windowLength()). A chunk
// that fails its checks is MEDIUM ERROR on the block being read only: exactly the blocks that use it fail.
import type { Logger } from '../../log.js';
import { SlabLender } from '../slab-lender.js';
import { MediaFormatError } from '../tape-medium.js';
import { ChunkReader, entryBound, WINDOW_BYTES } from './chunk-reader.js';
import { ChunkDamagedError, type ChunkStore } from './chunk-store.js';
import type { ChunkRef, Recipe } from './recipe.js';

/** Stream bytes past a block whose chunks are checked for windows to read ahead (four 256 KiB blocks: a window is read well before it is needed). */
export const READ_AHEAD_BYTES = 1024 * 1024;

/** Chunks past the one a window is read for that windowLength() looks at (a 1 MiB window holds ~30 average ones). */
export const WINDOW_SCAN = 96;

/** A block of a recipe; `release` gives its buffer back once nothing reads it (ReadOutcome.release). */
export interface RecipeBlock {
  readonly data: Buffer;
  readonly release: () => void;
}

export class RecipeBlockReader {
  /** Host bytes and blocks read from recipes (statistics). */
  bytesRead = 0;
  blocksRead = 0;
  private readonly reader: ChunkReader;
  private readonly slabs = new SlabLender();
  /** The last chunk decoded whole (the one the last block shares with the next), in `kept`. */
  private keptRef: ChunkRef | undefined;
  private kept = Buffer.alloc(0);
  /** The recipe and chunk the last block ended in: where the next block's lookup starts. */
  private lastRecipe: Recipe | undefined;
  private lastChunk = -1;
  private lastEnd = -1;
  /** Chunks up to this one (of lastRecipe) were checked for read-ahead. */
  private aheadChecked = -1;

  constructor(
    chunks: ChunkStore,
    private readonly barcode: string,
    private readonly log: Logger,
  ) {
    this.reader = new ChunkReader(chunks);
  }

  /** Data block `objectNumber` of `recipe`, `start` and `length` its span of the stream; MediaFormatError when damaged. */
  async read(recipe: Recipe, objectNumber: number, start: number, length: number): Promise<RecipeBlock> {
    const data = this.slabs.lend(length);
    const release = this.slabs.releaser(data.buffer);
    try {
      await this.fill(recipe, start, data);
    } catch (error) {
      release();
      if (!(error instanceof ChunkDamagedError)) throw error;
      this.log.warn({ objectNumber, err: error.message }, 'unreadable chunk');
      throw new MediaFormatError(`Cannot read object ${objectNumber} of cartridge ${this.barcode}: ${error.message}`, objectNumber);
    }
    this.bytesRead += length;
    this.blocksRead++;
    return { data, release };
  }

  /** Forget the kept chunk and where the last block ended (the recipe was cut: a reference may now name another chunk). */
  forget(): void {
    this.keptRef = undefined;
    this.lastRecipe = undefined;
    this.lastChunk = -1;
    this.lastEnd = -1;
    this.aheadChecked = -1;
  }

  /** Close: the reads ahead end (whatever their outcome), the buffers kept for reuse are freed. */
  async close(): Promise<void> {
    this.slabs.close();
    await this.reader.close();
  }

  /** Stream bytes [start, start + data.length) of `recipe` into `data`. */
  private async fill(recipe: Recipe, start: number, data: Buffer): Promise<void> {
    if (recipe !== this.lastRecipe) this.forget();
    const length = data.length;
    if (start !== this.lastEnd) {
      // Not where the last block ended (a LOCATE or SPACE): what was read ahead was for a stream not taken.
      this.reader.dropAhead();
      this.aheadChecked = -1;
    } else {
      this.reader.dropAhead(start); // read ahead for chunks this stream has passed (a window read since covered them)
    }
    this.lastEnd = start + length;
    let k = recipe.chunkIndexAt(start, this.lastChunk);
    for (let filled = 0; filled < length; k++) {
      const ref = recipe.chunkAt(k);
      const from = start + filled - recipe.chunkStartAt(k);
      const count = Math.min(ref.length - from, length - filled);
      if (from === 0 && count === ref.length) {
        this.reader.decodeInto(this.reader.held(ref) ?? (await this.reader.windowFor(ref, windowLength(recipe, k))), ref, data.subarray(filled, filled + count));
      } else {
        const whole = await this.whole(recipe, k);
        whole.copy(data, filled, from, from + count);
      }
      filled += count;
    }
    this.lastRecipe = recipe;
    this.lastChunk = Math.max(0, k - 1);
    this.readAhead(recipe, k, start + length + READ_AHEAD_BYTES);
  }

  /** Chunk `k` decoded whole into `kept` (a block uses part of it, the next block likely the rest). */
  private async whole(recipe: Recipe, k: number): Promise<Buffer> {
    const ref = recipe.chunkAt(k);
    const keptRef = this.keptRef;
    if (keptRef !== undefined && keptRef.container === ref.container && keptRef.offset === ref.offset) return this.kept.subarray(0, ref.length);
    const window = this.reader.held(ref) ?? (await this.reader.windowFor(ref, windowLength(recipe, k)));
    if (this.kept.length < ref.length) this.kept = Buffer.allocUnsafe(ref.length);
    this.keptRef = undefined; // decoding into it: valid again only once checked
    this.reader.decodeInto(window, ref, this.kept);
    this.keptRef = ref;
    return this.kept.subarray(0, ref.length);
  }

  /** Read ahead the windows that chunks `k`.. up to stream byte `end` need and no window covers, as many as the chunk reader allows. */
  private readAhead(recipe: Recipe, k: number, end: number): void {
    const checked = this.aheadChecked;
    // Past a LOCATE the chunks checked before say nothing about these.
    const first = checked >= k && checked < recipe.chunkCount && recipe.chunkStartAt(checked) < end ? checked + 1 : k;
    for (let j = first; j < recipe.chunkCount && recipe.chunkStartAt(j) < end; j++) {
      const ref = recipe.chunkAt(j);
      if (!this.reader.covered(ref)) {
        if (this.reader.readingAhead) return; // as many windows ahead as allowed: this chunk is checked again later
        this.reader.readAhead(ref, windowLength(recipe, j), recipe.chunkStartAt(j) + ref.length);
      }
      this.aheadChecked = j;
    }
  }
}

/**
 * Bytes to read from chunk `k`'s entry on: up to the end of the last of the next chunks (WINDOW_SCAN of them) that lie
 * in the same container within WINDOW_BYTES after it. A stream that steps aside into a changed file's few chunks
 * reads those, not a whole window; the main run, whose chunks follow one another, reads whole windows.
 */
export function windowLength(recipe: Recipe, k: number): number {
  const first = recipe.chunkAt(k);
  let end = first.offset + entryBound(first);
  for (let j = k + 1; j < recipe.chunkCount && j <= k + WINDOW_SCAN; j++) {
    const ref = recipe.chunkAt(j);
    const refEnd = ref.offset + entryBound(ref);
    if (ref.container === first.container && ref.offset >= first.offset && refEnd <= first.offset + WINDOW_BYTES && refEnd > end) end = refEnd;
  }
  return end - first.offset;
}
