// A drive's state in a word, and its throughput between two polls of GET /drives (the bytes it reports count from
// the cartridge's load, so a rate is only computed while the same cartridge stays in).
import type { DriveView } from '../../../schemas/api-types.js';

export function driveState(drive: DriveView): string {
  if (!drive.attached) return 'starting';
  if (drive.barcode === null) return 'empty';
  if (drive.ejected) return 'ejected';
  if (!drive.mounted) return 'loading';
  return drive.removalPrevented ? 'mounted, locked' : 'mounted';
}

interface Reading {
  readonly barcode: string | null;
  readonly written: number | null;
  readonly read: number | null;
  readonly at: number;
}

export interface Throughput {
  readonly writeBytesPerSecond: number | null;
  readonly readBytesPerSecond: number | null;
}

export class ThroughputMeter {
  private readonly last = new Map<string, Reading>();

  /** The rates since the previous reading of this drive (null when there is none to compare with). */
  update(drive: DriveView, at: number): Throughput {
    const key = `${drive.library}/${drive.index}`;
    const before = this.last.get(key);
    const now: Reading = { barcode: drive.barcode, written: drive.bytesWritten, read: drive.bytesRead, at };
    this.last.set(key, now);
    if (before === undefined || before.barcode !== now.barcode || now.at <= before.at) return { writeBytesPerSecond: null, readBytesPerSecond: null };
    const seconds = (now.at - before.at) / 1000;
    const rate = (a: number | null, b: number | null): number | null => (a === null || b === null || b < a ? null : (b - a) / seconds);
    return { writeBytesPerSecond: rate(before.written, now.written), readBytesPerSecond: rate(before.read, now.read) };
  }
}
