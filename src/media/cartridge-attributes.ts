// The cartridge's medium auxiliary memory (MAM attributes) and its retention lock, both kept in its metadata file
// (FORMAT.md "Metadata file"). What is handed out is a copy, and what is written is saved before the promise resolves.
import { attributesToMap, attributesToRecord, updateAttributes, type CartridgeMetadata, type MediumRetentionLock } from './cartridge-metadata.js';
import type { PersistenceSchedule } from './persistence-schedule.js';

export class CartridgeAttributes {
  /** The attributes by identifier, the one copy that metadata.attributes is written from. */
  private readonly attributes: Map<number, Buffer>;

  constructor(
    private readonly metadata: CartridgeMetadata,
    private readonly persistence: Pick<PersistenceSchedule, 'saveMetadata' | 'saveRetention'>,
  ) {
    this.attributes = attributesToMap(metadata.attributes);
  }

  read(): ReadonlyMap<number, Buffer> {
    return new Map([...this.attributes].map(([id, value]) => [id, Buffer.from(value)]));
  }

  /** Apply `updates` (a zero-length value deletes the attribute) and save the metadata. */
  async write(updates: ReadonlyMap<number, Buffer>): Promise<void> {
    updateAttributes(this.attributes, updates);
    this.metadata.attributes = attributesToRecord(this.attributes);
    await this.persistence.saveMetadata();
  }

  retentionLock(): MediumRetentionLock | undefined {
    return this.metadata.retention && { ...this.metadata.retention };
  }

  keepRetentionLock(lock: MediumRetentionLock): Promise<void> {
    return this.persistence.saveRetention(lock);
  }
}
