// FORMAT.md "Capacity": what the medium reports as used, remaining and early warning.
import type { MediumCapacity } from './tape-medium.js';

const MiB = 1024 * 1024;

/**
 * Remaining bytes at which early warning starts: 2 % of the capacity, at least 4 MiB (a few large records, so a
 * host that writes 1 MiB blocks sees the warning before the end), at most 64 MiB (a real LTO drive warns a few
 * tens of MB before the end), and never more than a quarter of a small test cartridge.
 */
export function earlyWarningBytes(capacityBytes: number): number {
  return Math.floor(Math.min(Math.max(capacityBytes * 0.02, 4 * MiB), 64 * MiB, capacityBytes / 4));
}

/** The capacity report of a medium of `capacityBytes` with `usedBytes` stored. */
export function mediumCapacity(capacityBytes: number, usedBytes: number): MediumCapacity {
  return { capacityBytes, usedBytes, remainingBytes: Math.max(0, capacityBytes - usedBytes), earlyWarningBytes: earlyWarningBytes(capacityBytes) };
}

export function inEarlyWarning(capacity: MediumCapacity): boolean {
  return capacity.remainingBytes <= capacity.earlyWarningBytes;
}
