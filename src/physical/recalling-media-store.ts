// The media store the drives see when physical libraries are configured: a released cartridge (a stub, no disk
// copy) is recalled from its physical cartridge when it is opened, i.e. when a host loads it: the drive answers
// NOT READY, LOGICAL UNIT IS IN PROCESS OF BECOMING READY while its medium opens (ssc/tape-drive.ts), and the load,
// so the host's MOVE MEDIUM, completes once the data is back. A recall that fails deletes what it wrote and keeps
// the stub; the load fails with the reason (the cartridge's loadError). Releases and recalls of one cartridge are
// ordered by its own queue, and a cartridge open in a drive or a copy is never released.
import type { CartridgeDescriptor, MediaStore, OpenOptions, TapeMedium } from '../media/tape-medium.js';
import { SerialQueue } from '../serial-queue.js';
import type { ReleasedStore, ReleasedStub } from './released-store.js';

/** Fills `medium` (blank, opened from the inner store) with the stub's data from physical tape. */
export type Recall = (stub: ReleasedStub, medium: TapeMedium) => Promise<void>;

export class CartridgeInUseError extends Error {
  constructor(barcode: string) {
    super(`cartridge ${barcode} is open (in a drive or a copy): its disk copy is not released`);
    this.name = 'CartridgeInUseError';
  }
}

export class RecallingMediaStore implements MediaStore {
  private readonly queues = new Map<string, SerialQueue>();
  private readonly opened = new Map<string, number>();
  private recall: Recall | undefined;
  /** The library's view of released cartridges (LibraryManager.releasedTo). */
  private releasedTo = new Map<string, string>();

  constructor(
    readonly inner: MediaStore,
    readonly stubs: ReleasedStore,
  ) {}

  /** Once the library and the copy engine exist (they are built over this store). */
  bind(releasedTo: Map<string, string>, recall: Recall): void {
    this.releasedTo = releasedTo;
    this.recall = recall;
    for (const s of this.stubs.all()) releasedTo.set(s.barcode, s.physicalLibrary);
  }

  create(cartridge: CartridgeDescriptor): Promise<void> {
    return this.inner.create(cartridge);
  }

  open(cartridge: CartridgeDescriptor, options?: OpenOptions): Promise<TapeMedium> {
    return this.queue(cartridge.barcode).run(async () => {
      const stub = this.stubs.get(cartridge.barcode);
      if (stub) await this.recallNow(stub, cartridge);
      return this.tracked(cartridge.barcode, await this.inner.open(cartridge, options));
    });
  }

  async exists(barcode: string): Promise<boolean> {
    return this.stubs.get(barcode) !== undefined || this.inner.exists(barcode);
  }

  delete(barcode: string): Promise<void> {
    return this.queue(barcode).run(async () => {
      await this.stubs.remove(barcode);
      this.releasedTo.delete(barcode);
      if (await this.inner.exists(barcode)) await this.inner.delete(barcode);
    });
  }

  async list(): Promise<string[]> {
    return [...new Set([...(await this.inner.list()), ...this.stubs.all().map((s) => s.barcode)])];
  }

  /**
   * Releases the disk copy of a cartridge the physical cartridge holds (verified): the stub is saved first, so a
   * crash between the two leaves a stub whose load recalls (and replaces whatever was left of the disk copy).
   */
  release(stub: ReleasedStub): Promise<void> {
    return this.queue(stub.barcode).run(async () => {
      if ((this.opened.get(stub.barcode) ?? 0) > 0) throw new CartridgeInUseError(stub.barcode);
      await this.stubs.add(stub);
      this.releasedTo.set(stub.barcode, stub.physicalLibrary);
      await this.inner.delete(stub.barcode);
    });
  }

  private async recallNow(stub: ReleasedStub, cartridge: CartridgeDescriptor): Promise<void> {
    if (!this.recall) throw new Error(`cartridge ${stub.barcode} was released to the physical library "${stub.physicalLibrary}", and staging is not running to recall it`);
    // What a failed recall or an unfinished release left behind goes first: the physical cartridge is the copy.
    if (await this.inner.exists(stub.barcode)) await this.inner.delete(stub.barcode);
    await this.inner.create(cartridge);
    try {
      const medium = await this.inner.open(cartridge);
      try {
        await this.recall(stub, medium);
      } finally {
        await medium.close();
      }
    } catch (err) {
      await this.inner.delete(stub.barcode).catch(() => undefined);
      throw err;
    }
    await this.stubs.remove(stub.barcode);
    this.releasedTo.delete(stub.barcode);
  }

  /** The medium, counted open until its close(). */
  private tracked(barcode: string, medium: TapeMedium): TapeMedium {
    this.opened.set(barcode, (this.opened.get(barcode) ?? 0) + 1);
    let closed = false;
    const close = async (): Promise<void> => {
      try {
        await medium.close();
      } finally {
        if (!closed) {
          closed = true;
          this.opened.set(barcode, (this.opened.get(barcode) ?? 1) - 1);
        }
      }
    };
    return new Proxy(medium, {
      get(target, key, receiver) {
        if (key === 'close') return close;
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private queue(barcode: string): SerialQueue {
    let q = this.queues.get(barcode);
    if (!q) this.queues.set(barcode, (q = new SerialQueue()));
    return q;
  }
}
