// Identities of the library's devices (INQUIRY vendor/product/revision, unit serial number). The drive's own
// INQUIRY/VPD and the changer's DVCID must report the same serial, so both take it from here.
import type { LibraryConfig, VtlConfig } from '../config/schema.js';
import type { LtoGeneration } from './lto.js';

export interface DeviceIdentity {
  /** T10 vendor identification, at most 8 characters. */
  readonly vendor: string;
  /** At most 16 characters. */
  readonly product: string;
  /** At most 4 characters. */
  readonly revision: string;
  /** Unit serial number (VPD 80h), printable ASCII without spaces. */
  readonly serial: string;
  /** NAA designator of the logical unit (VPD 83h), when the device has one. */
  readonly naa?: Buffer;
}

export interface DriveIdentity extends DeviceIdentity {
  readonly generation: LtoGeneration;
}

// Drives look like a current IBM full-height LTO drive (what backup software's device lists expect);
// the changer identifies itself as what it is. The drive defaults are also those of a drive built on its own
// (scsi/ssc/drive-spc-identity.ts completes a partial identity with them).
export const DEFAULT_DRIVE_VENDOR = 'IBM';
export const DEFAULT_DRIVE_REVISION = 'Q3F1';
const DEFAULT_VENDOR = 'VTL';
const DEFAULT_REVISION = '0100';

/** Product identification of an IBM full-height LTO drive by generation (ULT3580-TD5 ... TD9; TD10 by analogy). */
export function defaultDriveProduct(generation: LtoGeneration): string {
  return `ULT3580-TD${generation}`;
}

/** FNV-1a, for serials that stay the same across restarts and differ between libraries. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).toUpperCase().padStart(8, '0');
}

/** The identity of drive `driveIndex` (0-based) of a library: its config entry, then driveDefaults, then defaults. */
export function resolveDriveIdentity(config: VtlConfig, library: LibraryConfig, driveIndex: number): DriveIdentity {
  const own = library.drives?.[driveIndex] ?? {};
  const defaults = library.driveDefaults;
  const generation = (own.generation ?? defaults.generation ?? config.defaults.generation);
  return {
    vendor: own.vendor ?? defaults.vendor ?? DEFAULT_DRIVE_VENDOR,
    product: own.product ?? defaults.product ?? defaultDriveProduct(generation),
    revision: own.revision ?? defaults.revision ?? DEFAULT_DRIVE_REVISION,
    // driveDefaults.serial would give every drive the same serial; a per-drive suffix keeps them apart.
    serial: own.serial ?? (defaults.serial !== undefined ? `${defaults.serial}${driveIndex + 1}` : `VTL${fnv1a(library.name)}D${String(driveIndex + 1).padStart(2, '0')}`),
    generation,
  };
}

/** The identity of the library's changer (LUN 0). */
export function resolveChangerIdentity(library: LibraryConfig): DeviceIdentity {
  const c = library.changer;
  return {
    vendor: c.vendor ?? DEFAULT_VENDOR,
    product: c.product ?? 'MEDIUM CHANGER',
    revision: c.revision ?? DEFAULT_REVISION,
    serial: c.serial ?? `VTL${fnv1a(library.name)}L00`,
  };
}
