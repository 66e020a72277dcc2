// The composition of deduplication for main.ts (issue 17): which media store, and the background scheduler, from the
// libraries' `dedup` settings. The media layer does not know libraries: the composition root passes what it needs
// as functions (which library a cartridge is in, its descriptor, whether the drives are idle).
import type { Logger } from '../../log.js';
import type { MasterKey } from '../crypto/master-key.js';
import { FileMediaStore } from '../file-media-store.js';
import type { CartridgeDescriptor, MediaStore } from '../tape-medium.js';
import { parseChunkCompression } from './chunk-compression.js';
import { GLOBAL_CHUNK_STORE } from './chunk-stores.js';
import { DedupMediaStore } from './dedup-media-store.js';
import { DedupPass } from './dedup-pass.js';
import { DedupScheduler } from './dedup-scheduler.js';

export interface LibraryDedupPolicy {
  readonly name: string;
  readonly dedup: { readonly enabled: boolean; readonly scope: 'library' | 'global'; readonly compression?: string };
}

export interface DedupMediaParts {
  readonly directory: string;
  readonly log: Logger;
  readonly libraries: readonly LibraryDedupPolicy[];
  /** The library a cartridge is in (undefined: unknown to the catalog). */
  readonly libraryOf: (barcode: string) => string | undefined;
  readonly describe: (barcode: string) => CartridgeDescriptor | undefined;
  /** No drive is streaming. */
  readonly idle: () => boolean;
  /** Encryption at rest: data files and chunk containers sealed. */
  readonly masterKey?: MasterKey;
}

/** How often the scheduler looks for idle drives and a backlog. */
export const DEDUP_ROUND_INTERVAL_MS = 30_000;

/** The chunk store a library's new chunks go to: its own (scope library) or the shared one (chunk-stores.ts). */
export function chunkStoreOf(library: LibraryDedupPolicy): string {
  return library.dedup.scope === 'global' ? GLOBAL_CHUNK_STORE : library.name;
}

/**
 * A plain FileMediaStore when no library deduplicates (nothing changes); otherwise a DedupMediaStore over the same
 * folder (plain cartridges read as ever) and a scheduler to start. Scope: a chunk store per library with scope
 * library, one shared by those with scope global.
 */
export function createDedupMedia(parts: DedupMediaParts): { store: MediaStore; scheduler: DedupScheduler | undefined; dedupStore: DedupMediaStore | undefined } {
  const enabled = new Set(parts.libraries.filter((l) => l.dedup.enabled).map((l) => l.name));
  const sealed = parts.masterKey ? { masterKey: parts.masterKey } : {};
  if (enabled.size === 0) return { store: new FileMediaStore({ directory: parts.directory, log: parts.log, ...sealed }), scheduler: undefined, dedupStore: undefined };
  // WORM cartridges are not deduplicated (absorb-data-file.ts WormNotDeduplicatedError): they compress inline.
  const deduplicates = (barcode: string): boolean => enabled.has(parts.libraryOf(barcode) ?? '') && parts.describe(barcode)?.worm !== true;
  const storeOfLibrary = new Map(parts.libraries.filter((l) => l.dedup.enabled).map((l) => [l.name, chunkStoreOf(l)]));
  const store = new DedupMediaStore({
    directory: parts.directory, log: parts.log, deduplicates,
    storeOf: (barcode) => storeOfLibrary.get(parts.libraryOf(barcode) ?? '') ?? GLOBAL_CHUNK_STORE,
    storeNames: [...storeOfLibrary.values()],
    // Libraries sharing the global store agree on its compression (the configuration checks it).
    compressionOf: (name) => {
      const text = parts.libraries.find((l) => l.dedup.enabled && chunkStoreOf(l) === name)?.dedup.compression;
      return text === undefined ? undefined : parseChunkCompression(text);
    },
    ...sealed,
  });
  const scheduler = new DedupScheduler({
    store, pass: new DedupPass(store, parts.log.child({ component: 'dedup' })), idle: parts.idle, log: parts.log.child({ component: 'dedup' }),
    describe: (barcode) => (deduplicates(barcode) ? parts.describe(barcode) : undefined),
  });
  return { store, scheduler, dedupStore: store };
}
