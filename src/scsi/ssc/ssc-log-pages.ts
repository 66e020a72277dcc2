// SSC-4 8.2 log pages of the drive: 02h/03h error counters, 0Ch sequential-access device, 17h volume statistics,
// 2Eh TapeAlert, and 31h tape capacity (the LTO vendor page LTFS reads). All values are cumulative counters
// computed from the drive and the mounted cartridge; none have thresholds and none are resettable.
import type { LogPage, LogParameter } from '../spc/log-page.js';
import { LogPageControl, LogParameterControl } from '../spc/log-page.js';
import type { LogPageSet } from '../spc/log-page-set.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import type { TapeDrive } from './tape-drive.js';

const MB = 1_000_000;

function counter(code: number, value: number, bytes = 8): LogParameter {
  const v = Buffer.alloc(bytes);
  const n = Math.max(0, Math.floor(value));
  if (bytes === 8) v.writeBigUInt64BE(BigInt(n));
  else v.writeUIntBE(Math.min(n, 2 ** (8 * bytes) - 1), 0, bytes);
  return { code, control: LogParameterControl.BOUNDED_COUNTER, value: v };
}

function ascii(code: number, text: string, length: number): LogParameter {
  const v = Buffer.alloc(length, 0x20);
  v.write(text.slice(0, length), 'ascii');
  return { code, control: LogParameterControl.ASCII_LIST, value: v };
}

/** A page of counters; the default cumulative values (PC 11b) are all zero. */
function counterPage(pageCode: number, build: () => readonly LogParameter[]): LogPage {
  return {
    pageCode,
    subpageCode: 0,
    parameters: (pc) => {
      if (pc === LogPageControl.CURRENT_CUMULATIVE) return build();
      if (pc === LogPageControl.DEFAULT_CUMULATIVE) return build().map((p) => ({ ...p, value: Buffer.alloc(p.value.length) }));
      return undefined;
    },
  };
}

function errorCounters(bytesProcessed: number, uncorrected: number): LogParameter[] {
  // 0000h-0004h: corrected errors and retries (none happen on a virtual medium), 0005h bytes, 0006h uncorrected.
  return [counter(0, 0, 4), counter(1, 0, 4), counter(2, 0, 4), counter(3, 0, 4), counter(4, 0, 4), counter(5, bytesProcessed), counter(6, uncorrected, 4)];
}

/**
 * A volume statistics partition record parameter (0202h..0204h): per partition a descriptor of DESCRIPTOR LENGTH
 * (the bytes after it, 7), a reserved byte, PARTITION NUMBER (2 bytes) and a 4-byte value in 10^6 bytes.
 */
function partitionRecord(code: number, values: readonly number[]): LogParameter {
  const v = Buffer.alloc(8 * values.length);
  values.forEach((value, partition) => {
    v[8 * partition] = 7;
    v.writeUInt16BE(partition, 8 * partition + 2);
    v.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.floor(value / MB))), 8 * partition + 4);
  });
  return { code, control: LogParameterControl.BINARY_LIST, value: v };
}

function medium(drive: TapeDrive): TapeMedium | undefined {
  return drive.mounted()?.medium;
}

export function registerSscLogPages(drive: TapeDrive, pages: LogPageSet): void {
  pages.add(counterPage(0x02, () => errorCounters(medium(drive)?.statistics().hostBytesWritten ?? 0, drive.errors.counters.writeErrors)));
  pages.add(counterPage(0x03, () => errorCounters(medium(drive)?.statistics().hostBytesRead ?? 0, drive.errors.counters.readErrors)));
  pages.add(
    counterPage(0x0c, () => {
      const m = medium(drive);
      const s = m?.statistics();
      const c = m?.capacity();
      return [
        counter(0x0000, s?.hostBytesWritten ?? 0),
        counter(0x0001, s?.storedBytesWritten ?? 0),
        counter(0x0002, s?.storedBytesRead ?? 0),
        counter(0x0003, s?.hostBytesRead ?? 0),
        counter(0x0004, (c?.usedBytes ?? 0) / MB, 4),
        counter(0x0005, ((c?.capacityBytes ?? 0) - (c?.earlyWarningBytes ?? 0)) / MB, 4),
        counter(0x0006, (c?.earlyWarningBytes ?? 0) / MB, 4),
        // 0100h CLEANING REQUIRED: the virtual head never gets dirty unless TapeAlert says so.
        counter(0x0100, drive.tapeAlert.isSet(20) ? 1 : 0, 1),
      ];
    }),
  );
  pages.add(
    counterPage(0x17, () => {
      const mount = drive.mounted();
      const m = mount?.medium;
      const s = m?.statistics();
      const barcode = mount?.request.barcode ?? '';
      const partitions = m?.partitionCapacities() ?? [];
      return [
        counter(0x0000, m ? 1 : 0, 1), // page valid
        counter(0x0001, s?.loadCount ?? 0, 4), // thread count
        counter(0x0002, s?.blocksWritten ?? 0, 4),
        counter(0x0003, 0, 4),
        counter(0x0004, s?.writeErrors ?? 0, 2),
        counter(0x0007, s?.blocksRead ?? 0, 4),
        counter(0x0008, 0, 4),
        counter(0x0009, s?.readErrors ?? 0, 2),
        counter(0x000e, (s?.hostBytesWritten ?? 0) / MB, 4),
        counter(0x000f, (s?.hostBytesRead ?? 0) / MB, 4),
        counter(0x0010, (s?.lifetimeHostBytesWritten ?? 0) / MB, 4),
        counter(0x0011, (s?.lifetimeHostBytesRead ?? 0) / MB, 4),
        ascii(0x0040, barcode, 32), // volume serial number
        ascii(0x0042, barcode, 32), // volume barcode
        // Per partition: approximate native capacity, used capacity, remaining capacity (to early warning).
        ...(m === undefined ? [] : [
          partitionRecord(0x0202, partitions.map((c) => c.capacityBytes)),
          partitionRecord(0x0203, partitions.map((c) => c.usedBytes)),
          partitionRecord(0x0204, partitions.map((c) => c.remainingBytes - c.earlyWarningBytes)),
        ]),
      ];
    }),
  );
  pages.add({
    pageCode: 0x2e,
    subpageCode: 0,
    parameters: (pc) => {
      if (pc === LogPageControl.DEFAULT_CUMULATIVE) {
        return Array.from({ length: 64 }, (_, i) => ({ code: i + 1, control: LogParameterControl.BINARY_LIST, value: Buffer.from([0]) }));
      }
      if (pc !== LogPageControl.CURRENT_CUMULATIVE) return undefined;
      return drive.tapeAlert.takeAll().map((set, i) => ({ code: i + 1, control: LogParameterControl.BINARY_LIST, value: Buffer.from([set ? 1 : 0]) }));
    },
  });
  pages.add(
    counterPage(0x31, () => {
      const [p0, p1] = medium(drive)?.partitionCapacities() ?? [];
      // 1 partition 0 remaining, 2 partition 1 remaining, 3 partition 0 maximum, 4 partition 1 maximum; in 10^6 bytes.
      return [counter(1, (p0?.remainingBytes ?? 0) / MB, 4), counter(2, (p1?.remainingBytes ?? 0) / MB, 4), counter(3, (p0?.capacityBytes ?? 0) / MB, 4), counter(4, (p1?.capacityBytes ?? 0) / MB, 4)];
    }),
  );
}
