// The statistics a mounted cartridge keeps: per load (since open) and for its lifetime (saved in the metadata).
import { emptyLifetime } from './cartridge-metadata.js';
import type { LifetimeCounters } from './cartridge-metadata.js';
import type { MediumStatistics } from './tape-medium.js';

export type Counter = keyof LifetimeCounters;

export class MediumCounters {
  private readonly session: LifetimeCounters = emptyLifetime();
  /** Set when the lifetime counters changed since the metadata was last saved. */
  dirty = false;

  constructor(
    private readonly lifetime: LifetimeCounters,
    private readonly loadCount: number,
  ) {}

  add(counter: Counter, amount: number): void {
    this.session[counter] += amount;
    this.lifetime[counter] += amount;
    this.dirty = true;
  }

  /** A data record of `logicalLength` host bytes took `recordBytes` on the medium. */
  dataWritten(logicalLength: number, recordBytes: number): void {
    this.add('blocksWritten', 1);
    this.add('hostBytesWritten', logicalLength);
    this.add('storedBytesWritten', recordBytes);
  }

  /** A data block of `logicalLength` bytes was read from a payload of `storedBytes`. */
  dataRead(logicalLength: number, storedBytes: number): void {
    this.add('blocksRead', 1);
    this.add('hostBytesRead', logicalLength);
    this.add('storedBytesRead', storedBytes);
  }

  statistics(): MediumStatistics {
    return {
      ...this.session,
      lifetimeHostBytesWritten: this.lifetime.hostBytesWritten,
      lifetimeHostBytesRead: this.lifetime.hostBytesRead,
      loadCount: this.loadCount,
    };
  }
}
