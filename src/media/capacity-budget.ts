// FORMAT.md "Capacity" and "Set capacity": the stored bytes of one record stream never pass its capacity. The capacity
// is the partition's on a cartridge of several, else the cartridge's (its metadata, which SET CAPACITY changes); the
// bytes held before the data file (a deduplicated prefix: dedup/dedup-tape-medium.ts) count against it.
import { mediumCapacity } from './capacity.js';
import type { CartridgeMetadata } from './cartridge-metadata.js';
import { MediumFullError } from './media-errors.js';
import type { MediumCapacity } from './tape-medium.js';

export class CapacityBudget {
  /** The cartridge's full capacity as created, which SET CAPACITY may not exceed. */
  readonly nativeCapacityBytes: number;
  /** Bytes of the cartridge held before this data file (the deduplicated prefix, at its logical size). */
  private reservedBytes = 0;

  /** `partitionCapacityBytes`: this partition's capacity when the cartridge has several; undefined: the cartridge's. */
  constructor(
    private readonly metadata: CartridgeMetadata,
    private readonly partitionCapacityBytes: number | undefined,
  ) {
    this.nativeCapacityBytes = metadata.nativeCapacityBytes ?? metadata.capacityBytes;
  }

  get capacityBytes(): number {
    return this.partitionCapacityBytes ?? this.metadata.capacityBytes;
  }

  /** Count `bytes` held before the data file in the capacity. */
  reserve(bytes: number): void {
    this.reservedBytes = bytes;
  }

  /** The report for a data file whose records (as stored, past its header) take `dataBytes`. */
  report(dataBytes: number): MediumCapacity {
    return mediumCapacity(this.capacityBytes, this.reservedBytes + dataBytes);
  }

  /** A record of `recordBytes` after `dataBytes` of records stays within the capacity. */
  fits(dataBytes: number, recordBytes: number): boolean {
    return this.reservedBytes + dataBytes + recordBytes <= this.capacityBytes;
  }

  /** Refuse a record of `recordBytes` after `dataBytes` of records unless it fits: nothing of it is written then. */
  checkRoom(dataBytes: number, recordBytes: number, barcode: string): void {
    const remaining = this.capacityBytes - this.reservedBytes - dataBytes;
    if (recordBytes > remaining) throw new MediumFullError(`Cannot write ${recordBytes} bytes to cartridge ${barcode}: ${remaining} bytes remain before the physical end`);
  }

  /** SET CAPACITY's range: 1 to the native capacity, checked before anything is erased. */
  checkSetting(capacityBytes: number, barcode: string): void {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1 || capacityBytes > this.nativeCapacityBytes) {
      throw new RangeError(`Cannot set the capacity of cartridge ${barcode} to ${capacityBytes} bytes: it must be 1 to ${this.nativeCapacityBytes}`);
    }
  }

  /** Record a new capacity (and the native one, which an older cartridge did not) in the metadata; the caller saves it. */
  set(capacityBytes: number): void {
    this.metadata.capacityBytes = capacityBytes;
    this.metadata.nativeCapacityBytes = this.nativeCapacityBytes;
  }
}
