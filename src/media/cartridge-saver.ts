// Saving a cartridge's small files (FORMAT.md "Index checkpoint", "Metadata file"): each replaced atomically.
import type { Storage } from '../storage/storage.js';
import { encodeMetadata, type CartridgeMetadata } from './cartridge-metadata.js';
import { CartridgeFile, cartridgePath } from './cartridge-files.js';
import { encodeCheckpoint, type RewrittenRecord } from './index-checkpoint.js';
import type { ObjectIndex } from './object-index.js';

export class CartridgeSaver {
  constructor(
    private readonly storage: Storage,
    private readonly barcode: string,
    /** The index checkpoint's file name: a partition of a partitioned cartridge has its own (FORMAT.md "Partitions"). */
    private readonly indexFile: string = CartridgeFile.INDEX,
  ) {}

  async saveCheckpoint(index: ObjectIndex, pass: number, rewritten?: RewrittenRecord): Promise<void> {
    const checkpoint = rewritten === undefined ? { ...index.snapshot(), pass } : { ...index.snapshot(), pass, rewritten };
    await this.storage.writeFileAtomic(cartridgePath(this.barcode, this.indexFile), encodeCheckpoint(checkpoint));
  }

  async saveMetadata(metadata: CartridgeMetadata): Promise<void> {
    await this.storage.writeFileAtomic(cartridgePath(this.barcode, CartridgeFile.METADATA), encodeMetadata(metadata));
  }
}
