// A drive's byte, block and filemark counters since vtl started. The cartridge keeps its counters only from its
// load to its unload, so this adds up the cartridges the drive has held: it keeps the one in the drive and, when
// another (or none) is seen, takes the old one's final counts. The caller shows it the drive's cartridge at every
// scrape and at every move into or out of the drive, so a cartridge loaded and unloaded between two scrapes counts.
import type { MediumCounters, MediumHandle } from './metrics-sources.js';

export const MEDIUM_COUNTERS = ['hostBytesWritten', 'hostBytesRead', 'storedBytesWritten', 'storedBytesRead', 'blocksWritten', 'blocksRead', 'filemarksWritten'] as const;

type Totals = Record<keyof MediumCounters, number>;

function zero(): Totals {
  return { hostBytesWritten: 0, hostBytesRead: 0, storedBytesWritten: 0, storedBytesRead: 0, blocksWritten: 0, blocksRead: 0, filemarksWritten: 0 };
}

export class MediumTotals {
  private readonly finished = zero();
  private current: MediumHandle | undefined;

  /** The cartridge the drive holds now (undefined for none). */
  see(medium: MediumHandle | undefined): void {
    if (medium === this.current) return;
    if (this.current !== undefined) {
      const last = this.current.statistics();
      for (const field of MEDIUM_COUNTERS) this.finished[field] += last[field];
    }
    this.current = medium;
  }

  totals(): Readonly<Totals> {
    const now = this.current?.statistics();
    if (now === undefined) return { ...this.finished };
    const sum = zero();
    for (const field of MEDIUM_COUNTERS) sum[field] = this.finished[field] + now[field];
    return sum;
  }
}
