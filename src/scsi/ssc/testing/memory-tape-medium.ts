// An in-memory TapeMedium for SSC unit tests: the contract of media/tape-medium.ts, without a disk.
// Capacity counts stored bytes (one object = its length, a filemark = 0) so early warning and overflow are
// easy to provoke; `badObjects` makes chosen objects unreadable.
import {
  MediaFormatError,
  MediaWriteError,
  MediumFullError,
  WormViolationError,
} from '../../../media/tape-medium.js';
import type {
  MediumCapacity,
  MediumPosition,
  MediumStatistics,
  ReadOutcome,
  SpaceOutcome,
  TapeMedium,
  WriteOptions,
  WriteOutcome,
} from '../../../media/tape-medium.js';

type MemoryObject = { readonly kind: 'block'; readonly data: Buffer; readonly compressed: boolean } | { readonly kind: 'filemark' };

export interface MemoryTapeMediumOptions {
  readonly barcode?: string;
  readonly worm?: boolean;
  readonly capacityBytes?: number;
  readonly earlyWarningBytes?: number;
}

export class MemoryTapeMedium implements TapeMedium {
  readonly barcode: string;
  readonly worm: boolean;
  readonly nativeCapacityBytes: number;
  readonly objects: MemoryObject[] = [];
  /** Object numbers whose read throws MediaFormatError. */
  readonly badObjects = new Set<number>();
  /** When set, the next write or writeFilemarks throws it (once). */
  failNextWrite: Error | undefined;
  flushCount = 0;
  closed = false;
  readonly attributes = new Map<number, Buffer>();
  private pos = 0;
  /** The capacity made available (SET CAPACITY changes it; `nativeCapacityBytes` never changes). */
  private capacityBytes: number;
  private readonly earlyWarningBytes: number;
  private hostWritten = 0;
  private hostRead = 0;
  private blocksWritten = 0;
  private blocksRead = 0;
  private filemarksWritten = 0;
  loadCount = 1;

  constructor(options: MemoryTapeMediumOptions = {}) {
    this.barcode = options.barcode ?? 'A00001L8';
    this.worm = options.worm ?? false;
    this.capacityBytes = options.capacityBytes ?? 1 << 30;
    this.nativeCapacityBytes = this.capacityBytes;
    this.earlyWarningBytes = options.earlyWarningBytes ?? 0;
  }

  position(): MediumPosition {
    let files = 0;
    for (let i = 0; i < this.pos; i++) if (this.objects[i].kind === 'filemark') files++;
    return { objectNumber: this.pos, fileNumber: files, atEndOfData: this.pos === this.objects.length };
  }

  capacity(): MediumCapacity {
    const used = this.usedBytes(this.objects.length);
    return {
      capacityBytes: this.capacityBytes,
      usedBytes: used,
      remainingBytes: this.capacityBytes - used,
      earlyWarningBytes: this.earlyWarningBytes,
    };
  }

  statistics(): MediumStatistics {
    return {
      hostBytesWritten: this.hostWritten,
      hostBytesRead: this.hostRead,
      storedBytesWritten: this.hostWritten,
      storedBytesRead: this.hostRead,
      lifetimeHostBytesWritten: this.hostWritten,
      lifetimeHostBytesRead: this.hostRead,
      blocksWritten: this.blocksWritten,
      blocksRead: this.blocksRead,
      filemarksWritten: this.filemarksWritten,
      readErrors: 0,
      writeErrors: 0,
      loadCount: this.loadCount,
    };
  }

  read(): Promise<ReadOutcome> {
    if (this.pos >= this.objects.length) return Promise.resolve({ kind: 'end-of-data' });
    if (this.badObjects.has(this.pos)) return Promise.reject(new MediaFormatError(`object ${this.pos} is corrupt`, this.pos));
    const o = this.objects[this.pos++];
    if (o.kind === 'filemark') return Promise.resolve({ kind: 'filemark' });
    this.blocksRead++;
    this.hostRead += o.data.length;
    return Promise.resolve({ kind: 'block', data: Buffer.from(o.data) });
  }

  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    return this.append({ kind: 'block', data: Buffer.from(block), compressed: options.compress }, block.length);
  }

  async writeFilemarks(count: number): Promise<WriteOutcome> {
    let outcome: WriteOutcome = { earlyWarning: this.inEarlyWarning(this.usedBytes(this.pos)) };
    for (let i = 0; i < count; i++) outcome = await this.append({ kind: 'filemark' }, 0);
    if (count === 0) this.truncateCheck();
    return outcome;
  }

  spaceBlocks(count: number): Promise<SpaceOutcome> {
    let counted = 0;
    if (count > 0) {
      while (counted < count) {
        if (this.pos >= this.objects.length) return Promise.resolve({ counted, stoppedBy: 'end-of-data' });
        const o = this.objects[this.pos++];
        if (o.kind === 'filemark') return Promise.resolve({ counted, stoppedBy: 'filemark' });
        counted++;
      }
    } else {
      while (counted < -count) {
        if (this.pos === 0) return Promise.resolve({ counted, stoppedBy: 'beginning-of-partition' });
        const o = this.objects[--this.pos];
        if (o.kind === 'filemark') return Promise.resolve({ counted, stoppedBy: 'filemark' });
        counted++;
      }
    }
    return Promise.resolve({ counted });
  }

  spaceFilemarks(count: number): Promise<SpaceOutcome> {
    let counted = 0;
    if (count > 0) {
      while (counted < count) {
        if (this.pos >= this.objects.length) return Promise.resolve({ counted, stoppedBy: 'end-of-data' });
        if (this.objects[this.pos++].kind === 'filemark') counted++;
      }
    } else {
      while (counted < -count) {
        if (this.pos === 0) return Promise.resolve({ counted, stoppedBy: 'beginning-of-partition' });
        if (this.objects[--this.pos].kind === 'filemark') counted++;
      }
    }
    return Promise.resolve({ counted });
  }

  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome> {
    const n = Math.abs(count);
    const runEndsAt = (i: number): boolean => {
      if (i < n) return false;
      for (let k = i - n; k < i; k++) if (this.objects[k].kind !== 'filemark') return false;
      return true;
    };
    if (count > 0) {
      // Forward: stop just after the first run of n filemarks that ends after the position.
      for (let i = this.pos + 1; i <= this.objects.length; i++) {
        if (i - n >= this.pos && runEndsAt(i)) {
          this.pos = i;
          return Promise.resolve({ counted: 1 });
        }
      }
      this.pos = this.objects.length;
      return Promise.resolve({ counted: 0, stoppedBy: 'end-of-data' });
    }
    // Backward: stop on the BOP side of the run (before its first filemark).
    for (let i = this.pos; i >= n; i--) {
      if (runEndsAt(i) && i <= this.pos) {
        this.pos = i - n;
        return Promise.resolve({ counted: 1 });
      }
    }
    this.pos = 0;
    return Promise.resolve({ counted: 0, stoppedBy: 'beginning-of-partition' });
  }

  spaceToEndOfData(): Promise<void> {
    this.pos = this.objects.length;
    return Promise.resolve();
  }

  locate(objectNumber: number): Promise<SpaceOutcome> {
    if (objectNumber > this.objects.length) {
      this.pos = this.objects.length;
      return Promise.resolve({ counted: this.pos, stoppedBy: 'end-of-data' });
    }
    this.pos = objectNumber;
    return Promise.resolve({ counted: objectNumber });
  }

  rewind(): Promise<void> {
    this.pos = 0;
    return Promise.resolve();
  }

  erase(): Promise<void> {
    if (this.worm) return Promise.reject(new WormViolationError('WORM medium cannot be erased'));
    this.objects.length = this.pos;
    return Promise.resolve();
  }

  setCapacity(capacityBytes: number): Promise<void> {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1 || capacityBytes > this.nativeCapacityBytes) {
      return Promise.reject(new RangeError(`capacity ${capacityBytes} out of range`));
    }
    if (this.worm) return Promise.reject(new WormViolationError('WORM medium cannot be reformatted'));
    this.objects.length = 0;
    this.pos = 0;
    this.capacityBytes = capacityBytes;
    return Promise.resolve();
  }

  flush(): Promise<void> {
    this.flushCount++;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  readAttributes(): ReadonlyMap<number, Buffer> {
    return this.attributes;
  }

  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void> {
    for (const [id, value] of attributes) {
      if (value.length === 0) this.attributes.delete(id);
      else this.attributes.set(id, Buffer.from(value));
    }
    return Promise.resolve();
  }

  private usedBytes(upTo: number): number {
    let used = 0;
    for (let i = 0; i < upTo; i++) {
      const o = this.objects[i];
      if (o.kind === 'block') used += o.data.length;
    }
    return used;
  }

  private inEarlyWarning(used: number): boolean {
    return this.capacityBytes - used <= this.earlyWarningBytes;
  }

  private truncateCheck(): void {
    if (this.worm && this.pos < this.objects.length) throw new WormViolationError('WORM overwrite');
  }

  private append(object: MemoryObject, lengthBytes: number): Promise<WriteOutcome> {
    if (this.failNextWrite) {
      const err = this.failNextWrite;
      this.failNextWrite = undefined;
      return Promise.reject(err);
    }
    if (this.worm && this.pos < this.objects.length) {
      return Promise.reject(new WormViolationError(`WORM medium ${this.barcode}: overwrite at object ${this.pos}`));
    }
    const usedBefore = this.usedBytes(this.pos);
    if (usedBefore + lengthBytes > this.capacityBytes) {
      return Promise.reject(new MediumFullError(`medium ${this.barcode} is full`));
    }
    this.objects.length = this.pos;
    this.objects.push(object);
    this.pos++;
    if (object.kind === 'block') {
      this.blocksWritten++;
      this.hostWritten += lengthBytes;
    } else {
      this.filemarksWritten++;
    }
    return Promise.resolve({ earlyWarning: this.inEarlyWarning(usedBefore + lengthBytes) });
  }
}

/** A MediaWriteError as the file store would throw it for a full disk. */
export function diskFullError(): MediaWriteError {
  return new MediaWriteError('no space left on device', 'ENOSPC');
}
