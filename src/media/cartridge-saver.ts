// Saving a cartridge's small files (FORMAT.md "Index checkpoint", "Metadata file"): each replaced atomically.
import type { Storage } from '../storage/storage.js';
import { encodeMetadata, type CartridgeMetadata } from './cartridge-metadata.js';
import { CartridgeFile, cartridgePath } from './cartridge-files.js';
import { encodeCheckpoint } from './index-checkpoint.js';
import type { ObjectIndex } from './object-index.js';

export class CartridgeSaver {
  constructor(
    private readonly storage: Storage,
    private readonly barcode: string,
  ) {}

  async saveCheckpoint(index: ObjectIndex, pass: number): Promise<void> {
    await this.storage.writeFileAtomic(cartridgePath(this.barcode, CartridgeFile.INDEX), encodeCheckpoint({ ...index.snapshot(), pass }));
  }

  async saveMetadata(metadata: CartridgeMetadata): Promise<void> {
    await this.storage.writeFileAtomic(cartridgePath(this.barcode, CartridgeFile.METADATA), encodeMetadata(metadata));
  }
}
