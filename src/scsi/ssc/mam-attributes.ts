// SPC-4 7.4 medium auxiliary memory (MAM) attributes of an LTO cartridge. Device and medium attributes are
// read-only and computed from the drive and cartridge; host attributes are stored in the cartridge metadata
// through TapeMedium.readAttributes/writeAttributes, as are the medium attributes set at its first load.
import { LTO_GENERATIONS } from '../../library/lto.js';
import type { LtoGeneration } from '../../library/lto.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import type { Mount } from './mount.js';
import type { TapeDrive } from './tape-drive.js';

export const AttributeFormat = { BINARY: 0, ASCII: 1, TEXT: 2 } as const;
export type AttributeFormat = (typeof AttributeFormat)[keyof typeof AttributeFormat];

export interface AttributeDefinition {
  readonly format: AttributeFormat;
  /** Defined length in bytes; undefined for variable-length attributes. */
  readonly length: number | undefined;
}

export const Mam = {
  REMAINING_CAPACITY_IN_PARTITION: 0x0000,
  MAXIMUM_CAPACITY_IN_PARTITION: 0x0001,
  TAPEALERT_FLAGS: 0x0002,
  LOAD_COUNT: 0x0003,
  MAM_SPACE_REMAINING: 0x0004,
  ASSIGNING_ORGANIZATION: 0x0005,
  FORMATTED_DENSITY_CODE: 0x0006,
  DEVICE_VENDOR_SERIAL_AT_LAST_LOAD: 0x020a,
  TOTAL_MIB_WRITTEN_IN_MEDIUM_LIFE: 0x0220,
  TOTAL_MIB_READ_IN_MEDIUM_LIFE: 0x0221,
  TOTAL_MIB_WRITTEN_IN_CURRENT_LOAD: 0x0222,
  TOTAL_MIB_READ_IN_CURRENT_LOAD: 0x0223,
  MEDIUM_MANUFACTURER: 0x0400,
  MEDIUM_SERIAL_NUMBER: 0x0401,
  MEDIUM_LENGTH: 0x0402,
  MEDIUM_WIDTH: 0x0403,
  MEDIUM_ASSIGNING_ORGANIZATION: 0x0404,
  MEDIUM_DENSITY_CODE: 0x0405,
  MEDIUM_MANUFACTURE_DATE: 0x0406,
  MAM_CAPACITY: 0x0407,
  MEDIUM_TYPE: 0x0408,
  MEDIUM_TYPE_INFORMATION: 0x0409,
  BARCODE: 0x0806,
} as const;

/** Standard host-type attributes (SPC-4 table "Host type attributes") with their formats and lengths. */
export const HOST_ATTRIBUTES: ReadonlyMap<number, AttributeDefinition> = new Map<number, AttributeDefinition>([
  [0x0800, { format: AttributeFormat.ASCII, length: 8 }], // APPLICATION VENDOR
  [0x0801, { format: AttributeFormat.ASCII, length: 32 }], // APPLICATION NAME
  [0x0802, { format: AttributeFormat.ASCII, length: 8 }], // APPLICATION VERSION
  [0x0803, { format: AttributeFormat.TEXT, length: 160 }], // USER MEDIUM TEXT LABEL
  [0x0804, { format: AttributeFormat.ASCII, length: 12 }], // DATE AND TIME LAST WRITTEN
  [0x0805, { format: AttributeFormat.BINARY, length: 1 }], // TEXT LOCALIZATION IDENTIFIER
  [0x0806, { format: AttributeFormat.ASCII, length: 32 }], // BARCODE
  [0x0807, { format: AttributeFormat.TEXT, length: 80 }], // OWNING HOST TEXTUAL NAME
  [0x0808, { format: AttributeFormat.TEXT, length: 160 }], // MEDIA POOL
  [0x0809, { format: AttributeFormat.ASCII, length: 16 }], // PARTITION USER TEXT LABEL
  [0x080a, { format: AttributeFormat.BINARY, length: 1 }], // LOAD/UNLOAD AT PARTITION
  [0x080b, { format: AttributeFormat.ASCII, length: 16 }], // APPLICATION FORMAT VERSION
  [0x080c, { format: AttributeFormat.BINARY, length: undefined }], // VOLUME COHERENCY INFORMATION
  [0x0820, { format: AttributeFormat.BINARY, length: 36 }], // MEDIUM GLOBALLY UNIQUE IDENTIFIER
  [0x0821, { format: AttributeFormat.BINARY, length: 36 }], // MEDIA POOL GLOBALLY UNIQUE IDENTIFIER
]);

/** Host-writable ranges: host type attributes 0800h-0BFFh and host vendor-specific 1400h-17FFh. */
export function isHostAttribute(id: number): boolean {
  return (id >= 0x0800 && id <= 0x0bff) || (id >= 0x1400 && id <= 0x17ff);
}

/** Total room for host attributes in the virtual cartridge memory. */
export const MAM_HOST_CAPACITY_BYTES = 16 * 1024;
const MIB = 1024 * 1024;

export interface AttributeValue {
  readonly id: number;
  readonly format: AttributeFormat;
  readonly readOnly: boolean;
  readonly value: Buffer;
}

function binary(value: number | bigint, length: number): Buffer {
  const b = Buffer.alloc(length);
  if (length === 8) b.writeBigUInt64BE(BigInt(value));
  else b.writeUIntBE(Number(value), 0, length);
  return b;
}

export function asciiValue(text: string, length: number): Buffer {
  const b = Buffer.alloc(length, 0x20);
  b.write(text.slice(0, length), 'ascii');
  return b;
}

export function hostBytesUsed(stored: ReadonlyMap<number, Buffer>): number {
  let used = 0;
  for (const [id, v] of stored) if (isHostAttribute(id) && v.length > 0) used += 5 + v.length;
  return used;
}

/** Every attribute of the mounted cartridge, ascending by identifier; the capacities are those of `partition`. */
export function attributeValues(drive: TapeDrive, mount: Mount, medium: TapeMedium, partition = 0): AttributeValue[] {
  const stored = medium.readAttributes();
  const info = LTO_GENERATIONS[mount.request.generation as LtoGeneration];
  const c = medium.partitionCapacities()[partition] ?? medium.capacity();
  const s = medium.statistics();
  const out = new Map<number, AttributeValue>();
  const ro = (id: number, format: AttributeFormat, value: Buffer): void => {
    out.set(id, { id, format, readOnly: true, value });
  };
  ro(Mam.REMAINING_CAPACITY_IN_PARTITION, AttributeFormat.BINARY, binary(Math.floor(c.remainingBytes / MIB), 8));
  ro(Mam.MAXIMUM_CAPACITY_IN_PARTITION, AttributeFormat.BINARY, binary(Math.floor(c.capacityBytes / MIB), 8));
  ro(Mam.TAPEALERT_FLAGS, AttributeFormat.BINARY, binary(drive.tapeAlert.asUint64(), 8));
  ro(Mam.LOAD_COUNT, AttributeFormat.BINARY, binary(s.loadCount, 8));
  ro(Mam.MAM_SPACE_REMAINING, AttributeFormat.BINARY, binary(Math.max(0, MAM_HOST_CAPACITY_BYTES - hostBytesUsed(stored)), 8));
  ro(Mam.ASSIGNING_ORGANIZATION, AttributeFormat.ASCII, asciiValue('LTO-CVE', 8));
  ro(Mam.FORMATTED_DENSITY_CODE, AttributeFormat.BINARY, binary(info.densityCode, 1));
  ro(Mam.TOTAL_MIB_WRITTEN_IN_MEDIUM_LIFE, AttributeFormat.BINARY, binary(Math.floor(s.lifetimeHostBytesWritten / MIB), 8));
  ro(Mam.TOTAL_MIB_READ_IN_MEDIUM_LIFE, AttributeFormat.BINARY, binary(Math.floor(s.lifetimeHostBytesRead / MIB), 8));
  ro(Mam.TOTAL_MIB_WRITTEN_IN_CURRENT_LOAD, AttributeFormat.BINARY, binary(Math.floor(s.hostBytesWritten / MIB), 8));
  ro(Mam.TOTAL_MIB_READ_IN_CURRENT_LOAD, AttributeFormat.BINARY, binary(Math.floor(s.hostBytesRead / MIB), 8));
  ro(Mam.MEDIUM_ASSIGNING_ORGANIZATION, AttributeFormat.ASCII, asciiValue('LTO-CVE', 8));
  ro(Mam.MEDIUM_DENSITY_CODE, AttributeFormat.BINARY, binary(info.densityCode, 1));
  ro(Mam.MAM_CAPACITY, AttributeFormat.BINARY, binary(MAM_HOST_CAPACITY_BYTES, 8));
  ro(Mam.MEDIUM_TYPE, AttributeFormat.BINARY, binary(mount.request.cleaning ? 0x01 : mount.request.worm ? 0x80 : 0x00, 1));
  ro(Mam.MEDIUM_TYPE_INFORMATION, AttributeFormat.BINARY, binary(0, 2));
  ro(Mam.MEDIUM_WIDTH, AttributeFormat.BINARY, binary(127, 4));
  // Stored attributes: the medium ones recorded at first load are read-only, host ones writable.
  for (const [id, value] of stored) {
    // WRITE ATTRIBUTE deletes with a zero-length value; a store may keep it as an empty entry.
    if (value.length === 0) continue;
    if (isHostAttribute(id)) {
      out.set(id, { id, format: HOST_ATTRIBUTES.get(id)?.format ?? AttributeFormat.BINARY, readOnly: false, value });
    } else if (!out.has(id)) {
      const format = id === Mam.MEDIUM_LENGTH || id === Mam.MEDIUM_WIDTH ? AttributeFormat.BINARY : AttributeFormat.ASCII;
      ro(id, format, value);
    }
  }
  if (!out.has(Mam.BARCODE)) {
    out.set(Mam.BARCODE, { id: Mam.BARCODE, format: AttributeFormat.ASCII, readOnly: false, value: asciiValue(mount.request.barcode, 32) });
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}

/**
 * At every load: give a new cartridge its medium attributes (manufacturer, serial, manufacture date), and shift
 * the DEVICE VENDOR/SERIAL NUMBER AT LAST LOAD history (020Ah..020Dh) by one, as an LTO drive does.
 */
export async function recordLoad(drive: TapeDrive, medium: TapeMedium, now: Date): Promise<void> {
  const stored = medium.readAttributes();
  const updates = new Map<number, Buffer>();
  if (!stored.has(Mam.MEDIUM_MANUFACTURER)) {
    updates.set(Mam.MEDIUM_MANUFACTURER, asciiValue('VTL', 8));
    updates.set(Mam.MEDIUM_SERIAL_NUMBER, asciiValue(`VTL${medium.barcode}`, 32));
    updates.set(Mam.MEDIUM_MANUFACTURE_DATE, asciiValue(now.toISOString().slice(0, 10).replaceAll('-', ''), 8));
  }
  for (let id = Mam.DEVICE_VENDOR_SERIAL_AT_LAST_LOAD + 3; id > Mam.DEVICE_VENDOR_SERIAL_AT_LAST_LOAD; id--) {
    const previous = stored.get(id - 1);
    if (previous) updates.set(id, previous);
  }
  const me = Buffer.concat([asciiValue(drive.identity.vendor, 8), asciiValue(drive.identity.serial, 32)]);
  updates.set(Mam.DEVICE_VENDOR_SERIAL_AT_LAST_LOAD, me);
  await medium.writeAttributes(updates);
}
