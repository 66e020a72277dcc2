// A MediaStore whose cartridges deduplicate (FORMAT.md "Deduplication"): each cartridge is its folder as ever (data
// file, index, metadata) plus, once the background pass has run, a recipe of its deduplicated prefix; the chunks live
// in one chunk store under `.dedup/` (a folder no barcode can name). open() finishes a switch a crash interrupted.
import type { Logger } from '../../log.js';
import { LocalStorage } from '../../storage/local-storage.js';
import type { Storage } from '../../storage/storage.js';
import { CartridgeFile, cartridgePath } from '../cartridge-files.js';
import { FILE_HEADER_BYTES } from '../file-header.js';
import { FileMediaStore } from '../file-media-store.js';
import type { FileTapeMedium, IngestCompression } from '../file-tape-medium.js';
import { MediaFormatError, type CartridgeDescriptor, type MediaStore, type TapeMedium } from '../tape-medium.js';
import { ChunkStore } from './chunk-store.js';
import { DedupTapeMedium } from './dedup-tape-medium.js';
import { decodeRecipe, Recipe, RECIPE_FILE } from './recipe.js';

export const CHUNK_FOLDER = '.dedup';

/** What a cartridge holds and what it costs (for `vtl tape list`, the API and the metrics). */
export interface CartridgeDedupUsage {
  /** Data bytes as the host wrote them: the recipe's blocks and the data file's records. */
  readonly logicalBytes: number;
  /** The chunks its moves added to the chunk store, and its data file: an upper bound of what it holds alone. */
  readonly storedBytes: number;
  /** logical / stored (1 when nothing is stored). */
  readonly ratio: number;
  /** Data file bytes not moved into the recipe yet: the background pass's backlog for this cartridge. */
  readonly backlogBytes: number;
}

export interface DedupMediaStoreOptions {
  readonly directory: string;
  readonly log: Logger;
  readonly storage?: Storage;
  /** 'deferred' (the default here): blocks are stored as they come and compressed by the background pass. */
  readonly ingestCompression?: IngestCompression;
  /** The chunk store to use (scope global: one shared by several libraries); by default one in `.dedup/`. */
  readonly chunks?: ChunkStore;
  /**
   * Whether a cartridge belongs to a library that deduplicates (default: every one). The others keep inline
   * compression: the background pass never moves them, so their compression must not wait for it.
   */
  readonly deduplicates?: (barcode: string) => boolean;
}

export class DedupMediaStore implements MediaStore {
  readonly storage: Storage;
  private readonly files: FileMediaStore;
  /** The same folder opened with inline compression, for the cartridges of libraries that do not deduplicate. */
  private readonly plainFiles: FileMediaStore;
  private readonly deduplicates: (barcode: string) => boolean;
  private readonly log: Logger;
  private chunkStore: ChunkStore | undefined;
  private readonly mounted = new Set<string>();
  /** Cartridges the background pass has open, with how to make it give way to a mount. */
  private readonly held = new Map<string, { readonly giveWay: AbortController; readonly released: Promise<void> }>();

  constructor(options: DedupMediaStoreOptions) {
    this.storage = options.storage ?? new LocalStorage(options.directory);
    this.log = options.log;
    this.files = new FileMediaStore({ directory: options.directory, log: options.log, storage: this.storage, ingestCompression: options.ingestCompression ?? 'deferred' });
    this.plainFiles = new FileMediaStore({ directory: options.directory, log: options.log, storage: this.storage, ingestCompression: 'inline' });
    this.deduplicates = options.deduplicates ?? ((): boolean => true);
    this.chunkStore = options.chunks;
  }

  /** The chunk store, opened (and its index rebuilt) on first use. */
  async chunks(): Promise<ChunkStore> {
    this.chunkStore ??= await ChunkStore.open(this.storage, CHUNK_FOLDER, this.log.child({ component: 'chunk-store' }));
    return this.chunkStore;
  }

  create(cartridge: CartridgeDescriptor): Promise<void> {
    return this.files.create(cartridge);
  }

  async open(cartridge: CartridgeDescriptor): Promise<TapeMedium> {
    await this.passGivesWay(cartridge.barcode);
    const { tail, recipe } = await this.openParts(cartridge);
    this.mounted.add(cartridge.barcode);
    return new DedupTapeMedium({
      tail, recipe, chunks: await this.chunks(), storage: this.storage, log: this.log.child({ barcode: cartridge.barcode }),
      closed: () => this.mounted.delete(cartridge.barcode),
    });
  }

  /**
   * Run `body` with the cartridge held by the background pass: a mount meanwhile aborts `signal` and waits for
   * `body` to end (the pass then stops before its switch, so the mount sees the cartridge as it was).
   */
  async holdForPass<T>(barcode: string, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const giveWay = new AbortController();
    let release = (): void => undefined;
    this.held.set(barcode, { giveWay, released: new Promise<void>((resolve) => (release = resolve)) });
    try {
      return await body(giveWay.signal);
    } finally {
      this.held.delete(barcode);
      release();
    }
  }

  /** The cartridge is mounted (the background pass leaves it alone). */
  isMounted(barcode: string): boolean {
    return this.mounted.has(barcode);
  }

  /**
   * The data file (recovered) and the recipe of a cartridge. A data file still holding the records its recipe says
   * it absorbed (same pass; a crash came between the recipe switch and the erase) is erased now: the switch ends.
   */
  async openParts(cartridge: CartridgeDescriptor): Promise<{ tail: FileTapeMedium; recipe: Recipe }> {
    const files = this.deduplicates(cartridge.barcode) ? this.files : this.plainFiles;
    const tail = await files.openStream(cartridge);
    try {
      const recipe = await this.readRecipe(cartridge.barcode);
      if (recipe.absorbedObjects > 0 && tail.writePass === recipe.absorbedPass) {
        if (tail.endOfData !== recipe.absorbedObjects) {
          throw new MediaFormatError(`Cannot open cartridge "${cartridge.barcode}": its data file holds ${tail.endOfData} objects of pass ${tail.writePass}, its recipe says it absorbed ${recipe.absorbedObjects}`, 0);
        }
        await tail.erase();
        await tail.flush();
        this.log.warn({ barcode: cartridge.barcode, objects: recipe.absorbedObjects }, 'finished a recipe switch a crash interrupted: erased the absorbed data file');
      }
      return { tail, recipe };
    } catch (error) {
      await tail.close().catch(() => undefined);
      throw error;
    }
  }

  async readRecipe(barcode: string): Promise<Recipe> {
    const bytes = await this.storage.readFile(`${barcode}/${RECIPE_FILE}`);
    if (bytes === undefined) return new Recipe();
    const recipe = decodeRecipe(bytes);
    if (typeof recipe === 'string') throw new MediaFormatError(`Cannot open cartridge "${barcode}": its recipe is unusable: ${recipe}`, 0);
    return recipe;
  }

  /** A cartridge's usage, from its recipe and the length of its data file (nothing is opened for a mount). */
  async usage(barcode: string): Promise<CartridgeDedupUsage> {
    const recipe = await this.readRecipe(barcode);
    const file = await this.storage.open(cartridgePath(barcode, CartridgeFile.DATA), { create: false });
    let backlogBytes: number;
    try {
      backlogBytes = Math.max(0, (await file.length()) - FILE_HEADER_BYTES);
    } finally {
      await file.close();
    }
    const logicalBytes = recipe.logicalBytes + backlogBytes;
    const storedBytes = recipe.addedStoredBytes + backlogBytes;
    return { logicalBytes, storedBytes, ratio: storedBytes === 0 ? 1 : logicalBytes / storedBytes, backlogBytes };
  }

  exists(barcode: string): Promise<boolean> {
    return this.files.exists(barcode);
  }

  /** The recipe goes with the folder; its chunks stay until the next collection finds them unreferenced. */
  async delete(barcode: string): Promise<void> {
    await this.passGivesWay(barcode);
    await this.files.delete(barcode);
  }

  /** A mount or a delete is never kept waiting for a whole pass: the pass stops before its switch and closes the cartridge. */
  private async passGivesWay(barcode: string): Promise<void> {
    const holding = this.held.get(barcode);
    if (holding === undefined) return;
    holding.giveWay.abort();
    await holding.released;
  }

  list(): Promise<string[]> {
    return this.files.list();
  }
}
