// What a tape drive logical unit reports as itself (INQUIRY, VPD 80h/83h): the identity the library resolved for it
// (library/drive-identity.ts, the one home of identities), completed with defaults for a drive built on its own, and
// the stable NAA designator derived from its serial.
import { crc32c } from '../../crc32c.js';
import { DEFAULT_DRIVE_REVISION, DEFAULT_DRIVE_VENDOR, defaultDriveProduct } from '../../library/drive-identity.js';
import type { DeviceIdentity } from '../../library/drive-identity.js';
import type { LtoGeneration } from '../../library/lto.js';
import type { SpcIdentity } from '../spc/spc-device.js';
import { VersionDescriptor } from '../spc/version-descriptor.js';

/** The INQUIRY fields of a drive; the NAA is derived from the serial when the library gives none. */
export type DriveInquiryIdentity = Omit<DeviceIdentity, 'naa'>;

/**
 * A 10-digit serial derived from the target and drive names, so it is stable across restarts and different for
 * every drive of every library. Only for a drive built without an identity (a library gives each of its drives one,
 * library/drive-identity.ts).
 */
export function defaultSerial(targetName: string, driveName: string): string {
  const key = Buffer.from(`${targetName}/${driveName}`, 'utf8');
  const n = (BigInt(crc32c(key)) << 8n) | BigInt(crc32c(key, 0x5a5a5a5a) & 0xff);
  return (10n ** 9n + (n % (9n * 10n ** 9n))).toString();
}

/** `given` (what the library resolved, possibly nothing) with the LTO defaults for whatever it leaves out. */
export function completeDriveIdentity(
  generation: LtoGeneration,
  targetName: string,
  driveName: string,
  given: Partial<DeviceIdentity> = {},
): DriveInquiryIdentity {
  return {
    vendor: given.vendor ?? DEFAULT_DRIVE_VENDOR,
    product: given.product ?? defaultDriveProduct(generation),
    revision: given.revision ?? DEFAULT_DRIVE_REVISION,
    serial: given.serial ?? defaultSerial(targetName, driveName),
  };
}

/**
 * An 8-byte NAA designator for VPD 83h. NAA 3h (locally assigned) rather than NAA 5h: we hold no IEEE company ID,
 * and borrowing a vendor's would claim its namespace. 60 bits from two CRC32C of the serial keep it stable.
 */
export function naaOfSerial(serial: string): Buffer {
  const key = Buffer.from(serial, 'utf8');
  const hi = crc32c(key) >>> 4; // 28 bits
  const lo = crc32c(key, 0x1edc6f41); // 32 bits
  const b = Buffer.alloc(8);
  b.writeUInt32BE(((0x3 << 28) | hi) >>> 0, 0);
  b.writeUInt32BE(lo, 4);
  return b;
}

/** INQUIRY / VPD identity of a sequential-access logical unit with removable media. */
export function driveSpcIdentity(identity: DriveInquiryIdentity, naa?: Buffer): SpcIdentity {
  return {
    peripheralDeviceType: 0x01,
    removable: true,
    vendor: identity.vendor,
    product: identity.product,
    revision: identity.revision,
    serial: identity.serial,
    // Logical block protection (mode page 0Ah/F0h): IBM's LTO SCSI Reference 4.9.1.1 (after SSC-4) asks for PROTECT=1
    // and SPT 001b in the Extended INQUIRY Data VPD page (ssc-vpd-pages.ts).
    protect: true,
    versionDescriptors: [VersionDescriptor.SAM_5, VersionDescriptor.ISCSI, VersionDescriptor.SPC_4, VersionDescriptor.SSC_4],
    naa: naa ?? naaOfSerial(identity.serial),
  };
}
