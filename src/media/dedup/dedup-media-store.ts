// A MediaStore whose cartridges deduplicate (FORMAT.md "Deduplication"): each cartridge is its folder as ever (data
// file, index, metadata) plus, once the background pass has run, a recipe of its deduplicated prefix; the chunks live
// in chunk stores under `.dedup/` (a folder no barcode can name; chunk-stores.ts: one per scope). open() finishes a
// switch a crash interrupted.
import type { Logger } from '../../log.js';
import type { MasterKey } from '../crypto/master-key.js';
import { LocalStorage } from '../../storage/local-storage.js';
import type { Storage } from '../../storage/storage.js';
import { CartridgeFile, cartridgePath } from '../cartridge-files.js';
import { FILE_HEADER_BYTES } from '../file-header.js';
import { FileMediaStore } from '../file-media-store.js';
import type { FileTapeMedium, IngestCompression } from '../file-tape-medium.js';
import { MediaFormatError, type CartridgeDescriptor, type MediaStore, type OpenOptions, type TapeMedium } from '../tape-medium.js';
import type { ChunkCompression } from './chunk-compression.js';
import type { ChunkStore } from './chunk-store.js';
import { ChunkStores, GLOBAL_CHUNK_STORE } from './chunk-stores.js';
import { DedupTapeMedium } from './dedup-tape-medium.js';
import { decodeRecipe, Recipe, RECIPE_FILE } from './recipe.js';
import { usageOf, type CartridgeDedupUsage } from './dedup-usage.js';

export type { CartridgeDedupUsage } from './dedup-usage.js';

export { CHUNK_FOLDER } from './chunk-stores.js';

export interface DedupMediaStoreOptions {
  readonly directory: string;
  readonly log: Logger;
  readonly storage?: Storage;
  /** 'deferred' (the default here): blocks are stored as they come and compressed by the background pass. */
  readonly ingestCompression?: IngestCompression;
  /** The global chunk store to use; by default the one in `.dedup/`. */
  readonly chunks?: ChunkStore;
  /** The chunk store a cartridge's new chunks go to (its library's scope); default: global. */
  readonly storeOf?: (barcode: string) => string;
  /** Every chunk store name storeOf() may answer besides global (the libraries with scope library). */
  readonly storeNames?: readonly string[];
  /** Encryption at rest: data files sealed as ever, chunk containers sealed too (chunk-sealer.ts). */
  readonly masterKey?: MasterKey;
  /** How each chunk store (by name) compresses new chunks; default: chunk-compression.ts's. */
  readonly compressionOf?: (store: string) => ChunkCompression | undefined;
  /**
   * Whether a cartridge belongs to a library that deduplicates (default: every one). The others keep inline
   * compression: the background pass never moves them, so their compression must not wait for it.
   */
  readonly deduplicates?: (barcode: string) => boolean;
}

/** A recipe with no object and nothing absorbed: the cartridge's data file is all of it. */
function holdsNothing(recipe: Recipe): boolean {
  return recipe.objectCount === 0 && recipe.absorbedObjects === 0;
}

export class DedupMediaStore implements MediaStore {
  readonly storage: Storage;
  private readonly files: FileMediaStore;
  /** The same folder opened with inline compression, for the cartridges of libraries that do not deduplicate. */
  private readonly plainFiles: FileMediaStore;
  private readonly deduplicates: (barcode: string) => boolean;
  private readonly log: Logger;
  readonly stores: ChunkStores;
  private readonly storeOf: (barcode: string) => string;
  /** Mounted cartridges: their usage is read from the medium in hand. */
  private readonly mounted = new Map<string, DedupTapeMedium>();
  /** The usage of cartridges not mounted, as last measured; dropped when a mount, the pass or a delete changes it. */
  private readonly measured = new Map<string, CartridgeDedupUsage>();
  /** Counts forget()s: a measurement that saw one happen while it read is not kept (it may mix old and new). */
  private changes = 0;
  /** Cartridges the background pass has open, with how to make it give way to a mount. */
  private readonly held = new Map<string, { readonly giveWay: AbortController; readonly released: Promise<void> }>();

  constructor(options: DedupMediaStoreOptions) {
    this.storage = options.storage ?? new LocalStorage(options.directory);
    this.log = options.log;
    const sealed = options.masterKey ? { masterKey: options.masterKey } : {};
    this.files = new FileMediaStore({ directory: options.directory, log: options.log, storage: this.storage, ingestCompression: options.ingestCompression ?? 'deferred', ...sealed });
    this.plainFiles = new FileMediaStore({ directory: options.directory, log: options.log, storage: this.storage, ingestCompression: 'inline', ...sealed });
    this.deduplicates = options.deduplicates ?? ((): boolean => true);
    this.stores = new ChunkStores(this.storage, this.log, options.storeNames, options.chunks, options.masterKey, options.compressionOf);
    this.storeOf = options.storeOf ?? ((): string => GLOBAL_CHUNK_STORE);
  }

  /** A chunk store (global by default), opened (and its index rebuilt) on first use. */
  chunks(name: string = GLOBAL_CHUNK_STORE): Promise<ChunkStore> {
    return this.stores.get(name);
  }

  /** The chunk store of a cartridge: the one its recipe names, or, while it has no chunks, its library's. */
  chunksFor(barcode: string, recipe: Recipe): Promise<ChunkStore> {
    return this.stores.get(recipe.chunks.length > 0 ? this.stores.nameOf(recipe.chunkStoreId, barcode) : this.storeOf(barcode));
  }

  async create(cartridge: CartridgeDescriptor): Promise<void> {
    this.forget(cartridge.barcode);
    await this.files.create(cartridge);
    this.measured.set(cartridge.barcode, usageOf(new Recipe(), 0));
  }

  async open(cartridge: CartridgeDescriptor, options: OpenOptions = {}): Promise<TapeMedium> {
    await this.passGivesWay(cartridge.barcode);
    // A cartridge of a library that does not deduplicate, with nothing in chunks: the plain medium, partitions and
    // all (FORMAT MEDIUM). One with chunks (it was deduplicated in another library) is read through its recipe.
    if (!this.deduplicates(cartridge.barcode) && holdsNothing(await this.readRecipe(cartridge.barcode))) {
      this.forget(cartridge.barcode);
      return this.plainFiles.open(cartridge, options);
    }
    const { tail, recipe } = await this.openParts(cartridge);
    this.forget(cartridge.barcode);
    let chunks: ChunkStore;
    try {
      chunks = await this.chunksFor(cartridge.barcode, recipe);
    } catch (error) {
      await tail.close().catch(() => undefined);
      throw error;
    }
    const medium: DedupTapeMedium = new DedupTapeMedium({
      tail, recipe, chunks, storage: this.storage, log: this.log.child({ barcode: cartridge.barcode }),
      closed: (usage) => {
        this.mounted.delete(cartridge.barcode);
        this.forget(cartridge.barcode);
        // Measured as it closed; after a failed close, measured again from its files when next asked.
        if (usage !== undefined) this.measured.set(cartridge.barcode, usage);
      },
    });
    this.mounted.set(cartridge.barcode, medium);
    return medium;
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
      this.forget(barcode);
      release();
    }
  }

  /** Make the pass give way on every cartridge it holds (at shutdown: it stops before its switch). */
  interruptPass(): void {
    for (const holding of this.held.values()) holding.giveWay.abort();
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

  /** A cartridge's usage: from the medium when it is mounted, else from its recipe and the length of its data file. */
  async usage(barcode: string): Promise<CartridgeDedupUsage> {
    const known = this.usageNow(barcode);
    if (known !== undefined) return known;
    const changes = this.changes;
    const recipe = await this.readRecipe(barcode);
    const file = await this.storage.open(cartridgePath(barcode, CartridgeFile.DATA), { create: false });
    let dataBytes: number;
    try {
      dataBytes = Math.max(0, (await file.length()) - FILE_HEADER_BYTES);
    } finally {
      await file.close();
    }
    const usage = usageOf(recipe, dataBytes);
    if (changes === this.changes && !this.mounted.has(barcode) && !this.held.has(barcode)) this.measured.set(barcode, usage);
    return usage;
  }

  /** The usage without I/O: undefined when the cartridge was not measured since it last changed (usage() measures). */
  usageNow(barcode: string): CartridgeDedupUsage | undefined {
    return this.mounted.get(barcode)?.usage() ?? this.measured.get(barcode);
  }

  exists(barcode: string): Promise<boolean> {
    return this.files.exists(barcode);
  }

  /** The recipe goes with the folder; its chunks stay until the next collection finds them unreferenced. */
  async delete(barcode: string): Promise<void> {
    await this.passGivesWay(barcode);
    this.forget(barcode);
    await this.files.delete(barcode);
  }

  private forget(barcode: string): void {
    this.measured.delete(barcode);
    this.changes++;
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
