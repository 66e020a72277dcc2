// LTO generations: capacities, barcode suffixes and the SCSI codes a drive reports for them.
// Sources: SCSI-NOTES.md table; density codes per SSC-4 Annex / LTO drive SCSI references.
// The medium type codes are the values LTO drives report in the mode parameter header / REPORT DENSITY
// SUPPORT MEDIUM TYPE; verify against the drive references before relying on them in new code.

export const LtoGeneration = { LTO5: 5, LTO6: 6, LTO7: 7, LTO8: 8, LTO9: 9, LTO10: 10 } as const;
export type LtoGeneration = (typeof LtoGeneration)[keyof typeof LtoGeneration];

export interface LtoGenerationInfo {
  readonly generation: LtoGeneration;
  readonly name: string;
  /** Native (uncompressed) capacity in bytes, decimal units as the LTO consortium states them. */
  readonly nativeCapacityBytes: number;
  /** Native transfer rate in bytes per second. */
  readonly nativeRateBytesPerSecond: number;
  readonly densityCode: number;
  readonly dataMediumType: number;
  /** Undefined where the generation has no WORM media. */
  readonly wormMediumType: number | undefined;
  readonly dataBarcodeSuffix: string;
  readonly wormBarcodeSuffix: string | undefined;
}

const TB = 1_000_000_000_000;
const MB = 1_000_000;

export const LTO_GENERATIONS: Readonly<Record<LtoGeneration, LtoGenerationInfo>> = {
  5: { generation: 5, name: 'LTO-5', nativeCapacityBytes: 1.5 * TB, nativeRateBytesPerSecond: 140 * MB, densityCode: 0x58, dataMediumType: 0x58, wormMediumType: 0x5c, dataBarcodeSuffix: 'L5', wormBarcodeSuffix: 'LV' },
  6: { generation: 6, name: 'LTO-6', nativeCapacityBytes: 2.5 * TB, nativeRateBytesPerSecond: 160 * MB, densityCode: 0x5a, dataMediumType: 0x68, wormMediumType: 0x6c, dataBarcodeSuffix: 'L6', wormBarcodeSuffix: 'LW' },
  7: { generation: 7, name: 'LTO-7', nativeCapacityBytes: 6 * TB, nativeRateBytesPerSecond: 300 * MB, densityCode: 0x5c, dataMediumType: 0x78, wormMediumType: 0x7c, dataBarcodeSuffix: 'L7', wormBarcodeSuffix: 'LX' },
  8: { generation: 8, name: 'LTO-8', nativeCapacityBytes: 12 * TB, nativeRateBytesPerSecond: 360 * MB, densityCode: 0x5e, dataMediumType: 0x88, wormMediumType: 0x8c, dataBarcodeSuffix: 'L8', wormBarcodeSuffix: 'LY' },
  9: { generation: 9, name: 'LTO-9', nativeCapacityBytes: 18 * TB, nativeRateBytesPerSecond: 400 * MB, densityCode: 0x60, dataMediumType: 0x98, wormMediumType: 0x9c, dataBarcodeSuffix: 'L9', wormBarcodeSuffix: 'LZ' },
  10: { generation: 10, name: 'LTO-10', nativeCapacityBytes: 30 * TB, nativeRateBytesPerSecond: 400 * MB, densityCode: 0x62, dataMediumType: 0xa8, wormMediumType: undefined, dataBarcodeSuffix: 'LA', wormBarcodeSuffix: undefined },
};

export const ALL_GENERATIONS: readonly LtoGeneration[] = [5, 6, 7, 8, 9, 10];

/** What an LTO-N drive can do with generation-M media (LTO-8 does not read LTO-6; LTO-10 only LTO-10). */
export function mediaAccess(drive: LtoGeneration, medium: LtoGeneration): 'read-write' | 'read-only' | 'none' {
  if (medium === drive) return 'read-write';
  if (drive === 10) return 'none';
  if (drive <= 7) return medium === drive - 1 ? 'read-write' : medium === drive - 2 ? 'read-only' : 'none';
  // LTO-8 reads and writes LTO-7; LTO-9 reads and writes LTO-8.
  if (medium === drive - 1) return 'read-write';
  return 'none';
}

/** A cartridge's generation and WORM flag from its barcode suffix (e.g. "A00001L8"). */
export function generationOfBarcode(barcode: string): { generation: LtoGeneration; worm: boolean } | undefined {
  const suffix = barcode.slice(-2).toUpperCase();
  for (const g of ALL_GENERATIONS) {
    const info = LTO_GENERATIONS[g];
    if (info.dataBarcodeSuffix === suffix) return { generation: g, worm: false };
    if (info.wormBarcodeSuffix === suffix) return { generation: g, worm: true };
  }
  return undefined;
}

export function isCleaningBarcode(barcode: string): boolean {
  return barcode.toUpperCase().startsWith('CLN');
}
