// An in-memory TapeMedium for SSC unit tests: the contract of media/tape-medium.ts, without a disk. It runs the
// same behavioural suite as FileTapeMedium (test/media/tape-medium-contract.ts), so it cannot drift from it.
// Its partitions and capacity are memory-partitions.ts; `badObjects` makes chosen objects unreadable.
import { randomBytes } from 'node:crypto';
import { sealRecord, SALT_BYTES, type RecordPlace } from '../../../media/crypto/record-envelope.js';
import { OperationGuard } from '../../../media/operation-guard.js';
import { MAX_FILEMARK_RUN } from '../../../media/record-header.js';
import { wormAllowsWrite } from '../../../media/worm-rule.js';
import { MemoryPartitions } from './memory-partitions.js';
import { naiveSpace, naiveSpaceSequentialFilemarks, type MemoryObject } from './naive-space.js';
import { MAX_PARTITIONS, MediaFormatError, MediumFullError, WormViolationError } from '../../../media/tape-medium.js';
import type {
  MediumRetentionLock,
  MediumCapacity,
  MediumPosition,
  MediumStatistics,
  NextObject,
  ReadOutcome,
  SpaceOutcome,
  TapeMedium,
  WriteOptions,
  WriteOutcome,
} from '../../../media/tape-medium.js';

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
  readonly partitionLimit = MAX_PARTITIONS;
  private readonly partitions: MemoryPartitions;
  /** Object numbers whose read throws MediaFormatError. */
  readonly badObjects = new Set<number>();
  /** When set, the next write or writeFilemarks throws it (once). */
  failNextWrite: Error | undefined;
  flushCount = 0;
  closed = false;
  readonly attributes = new Map<number, Buffer>();
  /** The lock kept in the cartridge's own metadata (survives reload, as the metadata file does). */
  retention: MediumRetentionLock | undefined;
  loadCount = 1;
  private pos = 0;
  /** Sealing identity: a salt of its own and a generation per encrypted write, so no nonce repeats for a key. */
  private readonly salt = randomBytes(SALT_BYTES);
  private sealGeneration = 0;
  /** The capacity made available (SET CAPACITY changes it; `nativeCapacityBytes` never changes). */
  private capacityBytes: number;
  private readonly stats = { hostWritten: 0, hostRead: 0, blocksWritten: 0, blocksRead: 0, filemarksWritten: 0 };
  private guard: OperationGuard;

  constructor(options: MemoryTapeMediumOptions = {}) {
    this.barcode = options.barcode ?? 'A00001L8';
    this.worm = options.worm ?? false;
    this.capacityBytes = options.capacityBytes ?? 1 << 30;
    this.nativeCapacityBytes = this.capacityBytes;
    this.partitions = new MemoryPartitions(() => this.capacityBytes, options.earlyWarningBytes ?? 0);
    this.guard = new OperationGuard(this.barcode);
  }

  /** The objects of the partition the position is in. */
  get objects(): MemoryObject[] {
    return this.partitions.objects;
  }

  get partition(): number {
    return this.partitions.active;
  }

  /** The cartridge is loaded again (MemoryMediaStore.open): open, at the beginning of partition 0. */
  reload(): void {
    this.closed = false;
    this.pos = 0;
    this.partitions.select(0);
    this.guard = new OperationGuard(this.barcode);
  }

  position(): MediumPosition {
    return { objectNumber: this.pos, fileNumber: this.partitions.filemarksBefore(this.pos), atEndOfData: this.pos === this.objects.length };
  }

  capacity(): MediumCapacity {
    return this.partitions.capacityOf(this.partitions.active);
  }

  partitionCapacities(): readonly MediumCapacity[] {
    return this.partitions.capacities();
  }

  changePartition(partition: number): Promise<void> {
    return this.run('changePartition', () => {
      this.partitions.select(partition);
      this.pos = 0;
    });
  }

  format(partitionBytes: readonly number[]): Promise<void> {
    return this.run('format', () => {
      this.partitions.checkLayout(partitionBytes);
      if (this.worm) throw new WormViolationError('WORM medium cannot be formatted');
      this.partitions.layOut(partitionBytes);
      this.pos = 0;
    });
  }

  statistics(): MediumStatistics {
    const { hostWritten, hostRead, blocksWritten, blocksRead, filemarksWritten } = this.stats;
    return {
      hostBytesWritten: hostWritten, hostBytesRead: hostRead, storedBytesWritten: hostWritten, storedBytesRead: hostRead,
      lifetimeHostBytesWritten: hostWritten, lifetimeHostBytesRead: hostRead,
      blocksWritten, blocksRead, filemarksWritten, readErrors: 0, writeErrors: 0, loadCount: this.loadCount,
    };
  }

  read(): Promise<ReadOutcome> {
    return this.run('read', (): ReadOutcome => {
      if (this.pos >= this.objects.length) return { kind: 'end-of-data' };
      if (this.badObjects.has(this.pos)) throw new MediaFormatError(`object ${this.pos} is corrupt`, this.pos);
      const o = this.objects[this.pos++];
      if (o.kind === 'filemark') return { kind: 'filemark' };
      this.stats.blocksRead++;
      this.stats.hostRead += o.data.length;
      if (o.sealed) return { kind: 'encrypted-block', envelope: Buffer.from(o.sealed.envelope), place: o.sealed.place };
      return { kind: 'block', data: Buffer.from(o.data) };
    });
  }

  peek(): Promise<NextObject> {
    return this.run('peek', (): NextObject => {
      if (this.pos >= this.objects.length) return { kind: 'end-of-data' };
      if (this.badObjects.has(this.pos)) throw new MediaFormatError(`object ${this.pos} is corrupt`, this.pos);
      const o = this.objects[this.pos];
      if (o.kind === 'filemark') return { kind: 'filemark' };
      return o.sealed ? { kind: 'encrypted-block', envelope: Buffer.from(o.sealed.envelope) } : { kind: 'block' };
    });
  }

  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    return this.run('write', () => {
      const key = options.encrypt;
      let sealed: { envelope: Buffer; place: RecordPlace } | undefined;
      if (key !== undefined) {
        const place: RecordPlace = { objectNumber: this.pos, pass: 0, logicalLength: block.length, compressed: false };
        sealed = { envelope: sealRecord(key, block, place, { salt: this.salt, generation: ++this.sealGeneration }), place };
      }
      return this.append([{ kind: 'block', data: Buffer.from(block), compressed: options.compress, ...(sealed ? { sealed } : {}) }], block.length);
    });
  }

  writeFilemarks(count: number): Promise<WriteOutcome> {
    return this.run('writeFilemarks', () => {
      if (!Number.isInteger(count) || count < 0 || count > MAX_FILEMARK_RUN) throw new RangeError(`Cannot write ${count} filemarks`);
      if (count === 0) return { earlyWarning: this.inEarlyWarning(this.partitions.usedBytes(this.objects.length)) };
      return this.append(Array.from({ length: count }, (): MemoryObject => ({ kind: 'filemark' })), 0);
    });
  }

  spaceBlocks(count: number): Promise<SpaceOutcome> {
    return this.run('spaceBlocks', () => this.moved(naiveSpace(this.objects, this.pos, count, 'blocks')));
  }

  spaceFilemarks(count: number): Promise<SpaceOutcome> {
    return this.run('spaceFilemarks', () => this.moved(naiveSpace(this.objects, this.pos, count, 'filemarks')));
  }

  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome> {
    return this.run('spaceSequentialFilemarks', () => this.moved(naiveSpaceSequentialFilemarks(this.objects, this.pos, count)));
  }

  private moved(result: { readonly position: number; readonly outcome: SpaceOutcome }): SpaceOutcome {
    this.pos = result.position;
    return result.outcome;
  }

  spaceToEndOfData(): Promise<void> {
    return this.run('spaceToEndOfData', () => void (this.pos = this.objects.length));
  }

  locate(objectNumber: number): Promise<SpaceOutcome> {
    return this.run('locate', (): SpaceOutcome => {
      const from = this.pos;
      this.pos = Math.min(objectNumber, this.objects.length);
      const counted = Math.abs(this.pos - from);
      return objectNumber > this.objects.length ? { counted, stoppedBy: 'end-of-data' } : { counted };
    });
  }

  rewind(): Promise<void> {
    return this.run('rewind', () => {
      this.partitions.select(0);
      this.pos = 0;
    });
  }

  erase(): Promise<void> {
    return this.run('erase', () => {
      if (this.worm) throw new WormViolationError('WORM medium cannot be erased');
      this.objects.length = this.pos;
    });
  }

  setCapacity(capacityBytes: number): Promise<void> {
    return this.run('setCapacity', () => {
      if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1 || capacityBytes > this.nativeCapacityBytes) {
        throw new RangeError(`capacity ${capacityBytes} out of range`);
      }
      if (this.worm) throw new WormViolationError('WORM medium cannot be reformatted');
      this.partitions.layOut([]);
      this.pos = 0;
      this.capacityBytes = capacityBytes;
    });
  }

  flush(): Promise<void> {
    return this.run('flush', () => void this.flushCount++);
  }

  close(): Promise<void> {
    return this.run('close', () => {
      this.closed = true;
      this.guard.close();
    });
  }

  readAttributes(): ReadonlyMap<number, Buffer> {
    return new Map([...this.attributes].map(([id, value]) => [id, Buffer.from(value)]));
  }

  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void> {
    return this.run('writeAttributes', () => {
      for (const [id, value] of attributes) {
        if (value.length === 0) this.attributes.delete(id);
        else this.attributes.set(id, Buffer.from(value));
      }
    });
  }

  retentionLock(): MediumRetentionLock | undefined {
    return this.retention && { ...this.retention };
  }

  keepRetentionLock(lock: MediumRetentionLock): Promise<void> {
    return this.run('keepRetentionLock', () => {
      this.retention = { mode: lock.mode, startedAt: lock.startedAt, until: lock.until, setBy: lock.setBy };
    });
  }

  /** One operation at a time, each finishing after a turn of the event loop, as the contract says. */
  private async run<T>(operation: string, body: () => T): Promise<T> {
    this.guard.begin(operation);
    try {
      await Promise.resolve();
      return body();
    } finally {
      this.guard.end();
    }
  }

  private inEarlyWarning(used: number): boolean {
    const capacity = this.capacity();
    return capacity.capacityBytes - used <= capacity.earlyWarningBytes;
  }

  private append(objects: MemoryObject[], lengthBytes: number): WriteOutcome {
    if (this.failNextWrite) {
      const err = this.failNextWrite;
      this.failNextWrite = undefined;
      throw err;
    }
    if (this.worm && !wormAllowsWrite(this.partitions.wormView(), this.pos)) {
      throw new WormViolationError(`WORM medium ${this.barcode}: overwrite at object ${this.pos}`);
    }
    const usedBefore = this.partitions.usedBytes(this.pos);
    if (usedBefore + lengthBytes > this.capacity().capacityBytes) throw new MediumFullError(`medium ${this.barcode} is full`);
    this.objects.length = this.pos;
    this.objects.push(...objects);
    this.pos += objects.length;
    if (objects[0].kind === 'block') {
      this.stats.blocksWritten++;
      this.stats.hostWritten += lengthBytes;
    } else {
      this.stats.filemarksWritten += objects.length;
    }
    return { earlyWarning: this.inEarlyWarning(usedBefore + lengthBytes) };
  }
}
