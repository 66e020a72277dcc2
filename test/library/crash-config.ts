// The library the crash test's child and parent both open.
import { configSchema } from '../../src/config/schema.js';
import type { VtlConfig } from '../../src/config/schema.js';

export function crashConfig(): VtlConfig {
  return configSchema.parse({
    libraries: [{ name: 'lib0', driveCount: 2, slots: 10, mailSlots: 3, initialCartridges: { count: 6, capacityBytes: 1 << 20 } }],
  });
}

export const CRASH_ADDRESSES = [0x0010, 0x0011, 0x0012, 0x0100, 0x0101, ...Array.from({ length: 10 }, (_, i) => 0x1000 + i)];
export const INITIAL_BARCODES = ['A00001L8', 'A00002L8', 'A00003L8', 'A00004L8', 'A00005L8', 'A00006L8'];
