// Where cartridges live, and what the media layer needs to create or open one (a folder of cartridge files:
// file-media-store.ts, a deduplicating store: dedup/, one store per library: library-media-stores.ts).
import type { StorageFence } from '../storage/fenced-storage.js';
import type { TapeMedium } from './tape-medium.js';

/** What the media layer needs to know to create or open a cartridge. */
export interface CartridgeDescriptor {
  readonly barcode: string;
  /** LTO generation 5..10 (the format records it; the drive checks compatibility). */
  readonly generation: number;
  readonly worm: boolean;
  readonly capacityBytes: number;
}

/** How a cartridge is opened for a mount. */
export interface OpenOptions {
  /**
   * Every change the medium makes to its files passes this fence first (storage/fenced-storage.ts): a cluster node's
   * lease on the drive's library. The deduplicating store ignores it: a cluster refuses deduplication (serve-cluster.ts).
   */
  readonly fence?: StorageFence;
}

/** Where cartridges live (a folder of cartridge files today; object stores later). */
export interface MediaStore {
  /** Create an empty (blank) cartridge. Thin: costs only its metadata. */
  create(cartridge: CartridgeDescriptor): Promise<void>;
  /** Open for a mount; recovers a torn tail and a stale index first. */
  open(cartridge: CartridgeDescriptor, options?: OpenOptions): Promise<TapeMedium>;
  exists(barcode: string): Promise<boolean>;
  delete(barcode: string): Promise<void>;
  /** Barcodes of every cartridge present (start-up consistency check against the catalog). */
  list(): Promise<string[]>;
}
