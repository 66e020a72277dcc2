// FORMAT.md "Deduplication / Scope": the chunk stores of a data directory. `global` (in `.dedup/`) is shared by every
// library with scope global; a library with scope library has its own in `.dedup/<library>/` (library names are
// lower-case letters, digits and dashes, so they never look like container files). Each recipe names its store by
// id, so a cartridge keeps reading its chunks from where they are even when it moves to a library of another scope.
import { crc32c } from '../../crc32c.js';
import type { Logger } from '../../log.js';
import type { Storage } from '../../storage/storage.js';
import { MediaFormatError } from '../tape-medium.js';
import type { MasterKey } from '../crypto/master-key.js';
import { ChunkSealer } from './chunk-sealer.js';
import type { ChunkCompression } from './chunk-compression.js';
import { ChunkStore, type ChunkStoreStats } from './chunk-store.js';

export const CHUNK_FOLDER = '.dedup';
export const GLOBAL_CHUNK_STORE = 'global';

/** The folder of a chunk store. */
export function chunkFolder(name: string): string {
  return name === GLOBAL_CHUNK_STORE ? CHUNK_FOLDER : `${CHUNK_FOLDER}/${name}`;
}

/** What a recipe records to name its chunk store: 0 for global (recipes written before scopes say 0 too). */
export function chunkStoreId(name: string): number {
  return name === GLOBAL_CHUNK_STORE ? 0 : crc32c(Buffer.from(`library:${name}`, 'utf8')) || 1;
}

export class ChunkStores {
  private readonly opened = new Map<string, Promise<ChunkStore>>();
  private readonly ready = new Map<string, ChunkStore>();
  private readonly names: readonly string[];

  constructor(
    private readonly storage: Storage,
    private readonly log: Logger,
    /** Every store this data directory may hold (global always included: recipes from before scopes name it). */
    names: readonly string[] = [],
    preset?: ChunkStore,
    /** With encryption at rest: every store's new containers are sealed (chunk-sealer.ts). */
    private readonly masterKey?: MasterKey,
    /** How each store compresses new chunks (`dedup.compression`); default: chunk-compression.ts's. */
    private readonly compressionOf: (name: string) => ChunkCompression | undefined = () => undefined,
  ) {
    this.names = [...new Set([GLOBAL_CHUNK_STORE, ...names])];
    if (preset) {
      this.opened.set(GLOBAL_CHUNK_STORE, Promise.resolve(preset));
      this.ready.set(GLOBAL_CHUNK_STORE, preset);
    }
  }

  /** Every store's name. */
  get all(): readonly string[] {
    return this.names;
  }

  /** The store `name`, opened (and its index rebuilt from its containers) on first use. */
  get(name: string = GLOBAL_CHUNK_STORE): Promise<ChunkStore> {
    let store = this.opened.get(name);
    if (store === undefined) {
      store = this.openStore(name);
      this.opened.set(name, store);
      store.then((s) => this.ready.set(name, s), () => this.opened.delete(name)); // a failed open is tried again next time
    }
    return store;
  }

  private async openStore(name: string): Promise<ChunkStore> {
    const folder = chunkFolder(name);
    await this.storage.makeFolder(folder);
    const sealer = this.masterKey && (await ChunkSealer.open(this.storage, folder, this.masterKey));
    const compression = this.compressionOf(name);
    return ChunkStore.open(this.storage, folder, this.log.child({ component: 'chunk-store', store: name }), undefined, chunkStoreId(name), sealer, compression ? { compression } : {});
  }

  /** The store a recipe's chunks are in; MediaFormatError when it names none of this directory's stores. */
  nameOf(id: number, barcode: string): string {
    const name = this.names.find((n) => chunkStoreId(n) === id);
    if (name === undefined) throw new MediaFormatError(`Cannot open cartridge "${barcode}": its recipe's chunks are in a chunk store (id ${id}) no library of this configuration has`, 0);
    return name;
  }

  /** The stores opened so far and their figures (no I/O). */
  stats(): { readonly name: string; readonly stats: ChunkStoreStats }[] {
    return [...this.ready].map(([name, store]) => ({ name, stats: store.stats() }));
  }
}
