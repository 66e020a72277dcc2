// FORMAT.md "Deduplication / Recipes": a block of a deduplicated cartridge's recipe, put together from the chunks its
// stream bytes lie in. The last chunk read is kept, since consecutive blocks usually share one (a 256 KiB block is ~8
// chunks, and a chunk straddles two blocks). A chunk that fails its checks is MEDIUM ERROR on the block being read
// only: exactly the blocks that use it fail.
import type { Logger } from '../../log.js';
import { MediaFormatError } from '../tape-medium.js';
import { ChunkReader } from './chunk-reader.js';
import { ChunkDamagedError, type ChunkStore } from './chunk-store.js';
import type { ChunkRef, Recipe } from './recipe.js';

export class RecipeBlockReader {
  /** Host bytes and blocks read from recipes (statistics). */
  bytesRead = 0;
  blocksRead = 0;
  private cached: { ref: ChunkRef; data: Buffer } | undefined;
  private readonly reader: ChunkReader;

  constructor(
    chunks: ChunkStore,
    private readonly barcode: string,
    private readonly log: Logger,
  ) {
    this.reader = new ChunkReader(chunks);
  }

  /** Data block `objectNumber` of `recipe`, `start` and `length` its span of the stream; MediaFormatError when damaged. */
  async read(recipe: Recipe, objectNumber: number, start: number, length: number): Promise<Buffer> {
    const data = Buffer.allocUnsafe(length);
    try {
      for (const chunk of recipe.chunksFor(start, length)) {
        const bytes = await this.chunk(chunk.ref);
        const from = Math.max(start, chunk.start);
        const to = Math.min(start + length, chunk.start + chunk.ref.length);
        bytes.copy(data, from - start, from - chunk.start, to - chunk.start);
      }
    } catch (error) {
      if (!(error instanceof ChunkDamagedError)) throw error;
      this.log.warn({ objectNumber, err: error.message }, 'unreadable chunk');
      throw new MediaFormatError(`Cannot read object ${objectNumber} of cartridge ${this.barcode}: ${error.message}`, objectNumber);
    }
    this.bytesRead += length;
    this.blocksRead++;
    return data;
  }

  /** Forget the kept chunk (the recipe was cut: a reference may now name another chunk). */
  forget(): void {
    this.cached = undefined;
  }

  private async chunk(ref: ChunkRef): Promise<Buffer> {
    const cached = this.cached;
    if (cached !== undefined && cached.ref.container === ref.container && cached.ref.offset === ref.offset) return cached.data;
    const data = await this.reader.get(ref);
    this.cached = { ref, data };
    return data;
  }
}
