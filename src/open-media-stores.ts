// Part of the composition root (main.ts): where each library's cartridges live. Local files under the data
// directory (deduplicated for the libraries with `dedup.enabled`, docs/FORMAT.md "Deduplication"), and one S3 store
// per library with `storage: {kind: s3}` (each checked and its cache journal uploaded before anything loads).
import { join } from 'node:path';
import { ConfigError } from './config/load-config.js';
import type { VtlConfig } from './config/schema.js';
import type { Logger } from './log.js';
import type { MasterKey } from './media/crypto/master-key.js';
import { createDedupMedia, DEDUP_ROUND_INTERVAL_MS } from './media/dedup/create-dedup-media.js';
import type { DedupMediaStore } from './media/dedup/dedup-media-store.js';
import type { DedupScheduler } from './media/dedup/dedup-scheduler.js';
import { FileMediaStore } from './media/file-media-store.js';
import { LibraryMediaStores } from './media/library-media-stores.js';
import type { CartridgeDescriptor, MediaStore } from './media/tape-medium.js';
import { generationOfBarcode } from './library/lto.js';
import type { ObjectStore } from './storage/s3/object-store.js';
import type { S3Storage } from './storage/s3/s3-storage.js';

export interface MediaStoreLinks {
  /** The library a cartridge is in (undefined: unknown to the catalog). */
  readonly libraryOf: (barcode: string) => string | undefined;
  /** The cartridge as the media layer opens it (undefined: unknown). */
  readonly describe: (barcode: string) => CartridgeDescriptor | undefined;
  /** No host moved data through any drive since the last look (the deduplication pass runs then). */
  readonly idle: () => boolean;
}

export interface OpenedMediaStores {
  readonly mediaStore: MediaStore;
  /** The chunk store and its pass, when a library deduplicates (for `GET /dedup`). */
  readonly dedup: { readonly store: DedupMediaStore; readonly scheduler: DedupScheduler } | undefined;
  /** Starts the background deduplication pass, when a library deduplicates. */
  startBackground(): void;
  /** Stops it (at shutdown, before the drives and the catalog close: a round reads both). */
  stopBackground(): Promise<void>;
  /** Closes the S3 stores (last: the drives flush their cartridges into them first). */
  close(): Promise<void>;
  /** The object store of a library kept in S3 (a cluster node fences it by the library's lease: serve-libraries.ts). */
  objectStoreOf(library: string): ObjectStore | undefined;
}

/** A folder of an S3 library that holds a WORM cartridge: its barcode has a WORM suffix (its objects get Object Lock). */
export function isWormBarcode(name: string): boolean {
  return /^[A-Z0-9]{8}$/.test(name) && generationOfBarcode(name)?.worm === true;
}

function configError(path: string, message: string): ConfigError {
  return new ConfigError([{ file: 'config', line: undefined, column: undefined, path, message }]);
}

/** Combinations not built yet are refused at start, naming the field, rather than half-honoured. */
function checkCombinations(config: VtlConfig): void {
  for (const library of config.libraries) {
    if (!library.dedup.enabled) continue;
    if (library.storage.kind === 's3') throw configError(`libraries.${library.name}.dedup`, 'deduplication of a library stored in S3 is not supported yet');
  }
}

export async function openMediaStores(
  config: VtlConfig, dataDir: string, log: Logger, masterKey: MasterKey | undefined, links: MediaStoreLinks,
): Promise<OpenedMediaStores> {
  checkCombinations(config);
  const mediaLog = log.child({ component: 'media' });
  const directory = join(dataDir, 'cartridges');
  let local: MediaStore;
  let scheduler: DedupScheduler | undefined;
  let dedupStore: DedupMediaStore | undefined;
  if (config.libraries.some((l) => l.dedup.enabled)) {
    ({ store: local, scheduler, dedupStore } = createDedupMedia({ directory, log: mediaLog, libraries: config.libraries, ...links, ...(masterKey ? { masterKey } : {}) }));
  } else {
    local = new FileMediaStore({ directory, log: mediaLog, ...(masterKey ? { masterKey } : {}) });
  }
  const s3: S3Storage[] = [];
  const closeS3 = async (): Promise<void> => {
    for (const storage of s3) await storage.close();
  };
  const stores = new Map<string, MediaStore>();
  const objectStores = new Map<string, ObjectStore>();
  for (const library of config.libraries) {
    if (library.storage.kind !== 's3') continue;
    try {
      // Loaded only when a library is in S3: the SDK costs a process ~20 MiB of memory.
      const { openLibraryS3Storage } = await import('./storage/s3/open-library-storage.js');
      s3.push(await openLibraryS3Storage(library, library.storage, dataDir, log, isWormBarcode));
    } catch (error) {
      await closeS3();
      throw configError(`libraries.${library.name}.storage`, error instanceof Error ? error.message : String(error));
    }
    const storage = s3[s3.length - 1];
    objectStores.set(library.name, storage.store);
    // One partition per cartridge on an object store (docs/CONFORMANCE.md "Partitions").
    stores.set(library.name, new FileMediaStore({ directory: '.', log: log.child({ component: 'media', library: library.name }), storage, partitions: false, ...(masterKey ? { masterKey } : {}) }));
  }
  const mediaStore = stores.size === 0 ? local : new LibraryMediaStores([...stores.values(), local], (barcode) => stores.get(links.libraryOf(barcode) ?? '') ?? local);
  return {
    mediaStore,
    dedup: dedupStore && scheduler ? { store: dedupStore, scheduler } : undefined,
    startBackground: () => scheduler?.start(DEDUP_ROUND_INTERVAL_MS),
    stopBackground: async () => {
      await scheduler?.stop();
    },
    close: async () => {
      await scheduler?.stop();
      await closeS3();
    },
    objectStoreOf: (library) => objectStores.get(library),
  };
}
