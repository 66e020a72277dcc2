// Test support: the partition layout of a MemoryTapeMedium. Each partition's objects and capacity, which one is
// active, what the active one's objects say (filemarks, the WORM view), and the layouts FORMAT MEDIUM accepts
// (TapeMedium.format's rules). Capacity counts stored bytes: a block its length, a filemark nothing, so early warning
// and overflow are easy to provoke.
import { MAX_PARTITIONS, PartitionsUnsupportedError } from '../../../media/tape-medium.js';
import type { MediumCapacity } from '../../../media/tape-medium.js';
import type { WormView } from '../../../media/worm-rule.js';
import type { MemoryObject } from './naive-space.js';

interface MemoryPartition {
  readonly objects: MemoryObject[];
  /** undefined: the cartridge's capacity (a cartridge of one partition). */
  readonly capacityBytes: number | undefined;
}

export class MemoryPartitions {
  private partitions: MemoryPartition[] = [{ objects: [], capacityBytes: undefined }];
  private activePartition = 0;

  /** `cartridgeCapacityBytes`: the capacity made available now (SET CAPACITY changes it). */
  constructor(
    private readonly cartridgeCapacityBytes: () => number,
    private readonly earlyWarningBytes: number,
  ) {}

  get active(): number {
    return this.activePartition;
  }

  /** The objects of the active partition. */
  get objects(): MemoryObject[] {
    return this.partitions[this.activePartition].objects;
  }

  /** Make `partition` the active one; a partition the cartridge does not have is a RangeError. */
  select(partition: number): void {
    if (this.partitions[partition] === undefined) throw new RangeError(`no partition ${partition}`);
    this.activePartition = partition;
  }

  /** Throw what format() answers for a layout this cartridge cannot take. */
  checkLayout(partitionBytes: readonly number[]): void {
    const total = partitionBytes.reduce((sum, bytes) => sum + bytes, 0);
    if (partitionBytes.length > MAX_PARTITIONS) throw new PartitionsUnsupportedError(`at most ${MAX_PARTITIONS} partitions`);
    if (partitionBytes.length === 1 || partitionBytes.some((b) => !Number.isSafeInteger(b) || b < 1) || total > this.cartridgeCapacityBytes()) {
      throw new RangeError(`bad partition sizes ${partitionBytes.join(', ')}`);
    }
  }

  /** Every partition blank, laid out as `partitionBytes` (empty: one partition of the whole capacity); 0 active. */
  layOut(partitionBytes: readonly number[]): void {
    this.partitions = partitionBytes.length === 0 ? [{ objects: [], capacityBytes: undefined }] : partitionBytes.map((capacityBytes) => ({ objects: [], capacityBytes }));
    this.activePartition = 0;
  }

  capacityOf(partition: number): MediumCapacity {
    const { objects, capacityBytes = this.cartridgeCapacityBytes() } = this.partitions[partition];
    const used = this.usedBytes(objects.length, objects);
    return { capacityBytes, usedBytes: used, remainingBytes: capacityBytes - used, earlyWarningBytes: this.earlyWarningBytes };
  }

  capacities(): MediumCapacity[] {
    return this.partitions.map((_, p) => this.capacityOf(p));
  }

  /** Stored bytes of the first `upTo` objects (of the active partition by default). */
  usedBytes(upTo: number, objects = this.objects): number {
    let used = 0;
    for (let i = 0; i < upTo; i++) {
      const o = objects[i];
      if (o.kind === 'block') used += o.data.length;
    }
    return used;
  }

  /** Filemarks before `objectNumber` in the active partition. */
  filemarksBefore(objectNumber: number): number {
    let files = 0;
    for (let i = 0; i < objectNumber; i++) if (this.objects[i].kind === 'filemark') files++;
    return files;
  }

  /** The active partition as the WORM rule sees it. */
  wormView(): WormView {
    return {
      objectCount: this.objects.length,
      filemarkCount: this.filemarksBefore(this.objects.length),
      filemarksBefore: (n) => this.filemarksBefore(n),
      isFilemark: (n) => this.objects[n]?.kind === 'filemark',
    };
  }
}
