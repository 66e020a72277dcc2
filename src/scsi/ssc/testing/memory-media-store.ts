// An in-memory MediaStore of MemoryTapeMedium cartridges, for SSC unit tests.
import type { CartridgeDescriptor, MediaStore, TapeMedium } from '../../../media/tape-medium.js';
import { MemoryTapeMedium } from './memory-tape-medium.js';

export class MemoryMediaStore implements MediaStore {
  readonly media = new Map<string, MemoryTapeMedium>();
  /** When set, open() waits for this promise first (to observe a drive while it loads). */
  openGate: Promise<void> | undefined;
  /** Early-warning size given to created cartridges. */
  earlyWarningBytes = 0;

  create(c: CartridgeDescriptor): Promise<void> {
    this.media.set(c.barcode, new MemoryTapeMedium({ barcode: c.barcode, worm: c.worm, capacityBytes: c.capacityBytes, earlyWarningBytes: this.earlyWarningBytes }));
    return Promise.resolve();
  }

  async open(c: CartridgeDescriptor): Promise<TapeMedium> {
    if (this.openGate) await this.openGate;
    if (!this.media.has(c.barcode)) await this.create(c);
    const m = this.media.get(c.barcode);
    if (m === undefined) throw new Error(`no cartridge ${c.barcode}`);
    m.reload();
    return m;
  }

  exists(barcode: string): Promise<boolean> {
    return Promise.resolve(this.media.has(barcode));
  }

  delete(barcode: string): Promise<void> {
    this.media.delete(barcode);
    return Promise.resolve();
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.media.keys()]);
  }
}
