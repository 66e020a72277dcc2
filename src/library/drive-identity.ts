// Identities of the library's devices (INQUIRY vendor/product/revision, unit serial number). The drive's own
// INQUIRY/VPD and the changer's DVCID must report the same serial, so both take it from here.
import type { CHANGER_PERSONALITIES, DRIVE_PERSONALITIES, LibraryConfig, VtlConfig } from '../config/schema.js';
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

// Vendor personalities: what a drive or the changer presents in INQUIRY, as the products backup software, LTFS and
// Windows drivers recognise. Drives default to IBM (IBM's LTFS accepts only IBM drive identities), the changer to
// the IBM 3584 (TS3500/TS4500 family). Explicit vendor/product/revision in the config override a personality field
// by field. Revisions are vtl's own except where a product's public identity string names one (AWS Tape Gateway's
// IBM-03584L32-0402); no public list ties firmware levels to behaviour, so nothing depends on them.
export type DrivePersonality = (typeof DRIVE_PERSONALITIES)[number];
export type ChangerPersonality = (typeof CHANGER_PERSONALITIES)[number];

export const DEFAULT_DRIVE_VENDOR = 'IBM';
export const DEFAULT_DRIVE_REVISION = 'Q3F1';

interface InquiryNames {
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
}

/**
 * IBM full-height LTO drives: ULT3580-TD5 .. TD9, and TDA for LTO-10 (the generation as one hexadecimal digit).
 * HPE StoreEver LTO drives: Ultrium N-SCSI, vendor HP up to LTO-7 and HPE from LTO-8 (the vendor ID changed with the
 * company; LTFS's HP backend lists both); LTO-10's "Ultrium 10-SCSI" follows the pattern, unconfirmed.
 */
export function drivePersonalityNames(personality: DrivePersonality, generation: LtoGeneration): InquiryNames {
  if (personality === 'hpe') return { vendor: generation >= 8 ? 'HPE' : 'HP', product: `Ultrium ${generation}-SCSI`, revision: 'Q3H1' };
  return { vendor: DEFAULT_DRIVE_VENDOR, product: defaultDriveProduct(generation), revision: DEFAULT_DRIVE_REVISION };
}

/** IBM 3584 (TS3500/TS4500 family) as 03584L32, the StorageTek L700: the changers AWS Tape Gateway offers. */
export const CHANGER_PERSONALITY_NAMES: Readonly<Record<ChangerPersonality, InquiryNames>> = {
  'ibm-3584': { vendor: 'IBM', product: '03584L32', revision: '0402' },
  'stk-l700': { vendor: 'STK', product: 'L700', revision: '0105' },
};

/** Product identification of an IBM full-height LTO drive by generation (ULT3580-TD5 ... TD9, TDA for LTO-10). */
export function defaultDriveProduct(generation: LtoGeneration): string {
  return `ULT3580-TD${generation.toString(16).toUpperCase()}`;
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
  const names = drivePersonalityNames(own.personality ?? defaults.personality ?? 'ibm', generation);
  return {
    vendor: own.vendor ?? defaults.vendor ?? names.vendor,
    product: own.product ?? defaults.product ?? names.product,
    revision: own.revision ?? defaults.revision ?? names.revision,
    // driveDefaults.serial would give every drive the same serial; a per-drive suffix keeps them apart.
    serial: own.serial ?? (defaults.serial !== undefined ? `${defaults.serial}${driveIndex + 1}` : `VTL${fnv1a(library.name)}D${String(driveIndex + 1).padStart(2, '0')}`),
    generation,
  };
}

/** The identity of the library's changer (LUN 0). */
export function resolveChangerIdentity(library: LibraryConfig): DeviceIdentity {
  const c = library.changer;
  const names = CHANGER_PERSONALITY_NAMES[c.personality ?? 'ibm-3584'];
  return {
    vendor: c.vendor ?? names.vendor,
    product: c.product ?? names.product,
    revision: c.revision ?? names.revision,
    serial: c.serial ?? `VTL${fnv1a(library.name)}L00`,
  };
}
