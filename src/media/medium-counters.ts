// The statistics a mounted cartridge keeps: per load (since open) and for its lifetime (saved in the metadata).
import type { LifetimeCounters } from './cartridge-metadata.js';
import type { MediumStatistics } from './tape-medium.js';

export type Counter = keyof LifetimeCounters;

export class MediumCounters {
  private readonly session: LifetimeCounters = {
    hostBytesWritten: 0,
    hostBytesRead: 0,
    storedBytesWritten: 0,
    storedBytesRead: 0,
    blocksWritten: 0,
    blocksRead: 0,
    filemarksWritten: 0,
    readErrors: 0,
    writeErrors: 0,
  };
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

  statistics(): MediumStatistics {
    return {
      ...this.session,
      lifetimeHostBytesWritten: this.lifetime.hostBytesWritten,
      lifetimeHostBytesRead: this.lifetime.hostBytesRead,
      loadCount: this.loadCount,
    };
  }
}
