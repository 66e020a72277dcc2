// One media store per storage backend, chosen per library in the config (docs/FORMAT.md "Object store"). A
// cartridge is created in its library's store and found afterwards wherever its bytes are: a cartridge moved to
// another library (through the shelf) keeps them where they were written.
import { CartridgeNotFoundError } from './file-media-store.js';
import type { CartridgeDescriptor, MediaStore, OpenOptions } from './media-store.js';
import type { TapeMedium } from './tape-medium.js';

export class LibraryMediaStores implements MediaStore {
  constructor(
    private readonly stores: readonly MediaStore[],
    /** The store a new cartridge with this barcode is created in (its library's). */
    private readonly storeFor: (barcode: string) => MediaStore,
  ) {}

  create(cartridge: CartridgeDescriptor): Promise<void> {
    return this.storeFor(cartridge.barcode).create(cartridge);
  }

  async open(cartridge: CartridgeDescriptor, options?: OpenOptions): Promise<TapeMedium> {
    return ((await this.holder(cartridge.barcode)) ?? this.storeFor(cartridge.barcode)).open(cartridge, options);
  }

  async exists(barcode: string): Promise<boolean> {
    return (await this.holder(barcode)) !== undefined;
  }

  async delete(barcode: string): Promise<void> {
    const holder = await this.holder(barcode);
    if (holder === undefined) throw new CartridgeNotFoundError(barcode);
    await holder.delete(barcode);
  }

  async list(): Promise<string[]> {
    const all = new Set<string>();
    for (const store of this.stores) for (const barcode of await store.list()) all.add(barcode);
    return [...all].sort();
  }

  private async holder(barcode: string): Promise<MediaStore | undefined> {
    for (const store of this.stores) if (await store.exists(barcode)) return store;
    return undefined;
  }
}
