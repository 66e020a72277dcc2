// The HPE (HP) Ultrium drive personality's vendor VPD pages, as HP's public "LTO Ultrium tape drives technical
// reference manual, volume 3: the SCSI interface" lays them out (Drive Component Revision Levels pages): C0h, the
// firmware's entry. Each field is a null-terminated ASCII string in a fixed slot: component name (bytes 4-29),
// version "RRR.VVV" (30-48), date "YYYY/MM/DD hh:mm" (49-72), variant (73-95). The values are vtl's own (no HP
// firmware exists behind them); the other component pages (C1h-C7h: hardware, PCA, mechanism, head...) describe
// hardware a virtual drive does not have and are not reported. B0h is four bytes long on these drives (WORM bit in
// byte 4) where the SSC-4 minimum is shorter.
import type { SpcIdentity } from '../spc/spc-device.js';

export const FIRMWARE_REVISION_LEVELS_PAGE = 0xc0;
const PAGE_BODY_LENGTH = 92;
/** [offset in the body (page offset - 4), slot length]. */
const COMPONENT = [0, 26] as const;
const VERSION = [26, 19] as const;
const DATE = [45, 24] as const;
const VARIANT = [69, 23] as const;

/** vtl's firmware entry: a version and build date of its own, fixed so nothing changes between restarts. */
const VTL_FIRMWARE_VERSION = '001.000';
const VTL_FIRMWARE_DATE = '2026/01/01 00:00';

/** Whether an identity presents an HP/HPE Ultrium drive (vendor HP or HPE, product "Ultrium ..."). */
export function presentsHpeUltrium(identity: Pick<SpcIdentity, 'vendor' | 'product'>): boolean {
  const vendor = identity.vendor.trim();
  return (vendor === 'HP' || vendor === 'HPE') && identity.product.startsWith('Ultrium');
}

/** C0h Firmware Revision Levels body (after the 4-byte header). */
export function encodeFirmwareRevisionLevels(identity: Pick<SpcIdentity, 'product'>): Buffer {
  const b = Buffer.alloc(PAGE_BODY_LENGTH);
  const put = ([offset, length]: readonly [number, number], text: string): void => {
    // Null-terminated: at most length - 1 characters; the rest of the slot stays 00h.
    b.write(text.slice(0, length - 1), offset, 'ascii');
  };
  put(COMPONENT, 'Firmware');
  put(VERSION, VTL_FIRMWARE_VERSION);
  put(DATE, VTL_FIRMWARE_DATE);
  put(VARIANT, identity.product.trim());
  return b;
}

/** B0h in the HPE length: byte 4 bit 0 WORM, bytes 5-7 reserved. */
export function encodeHpeSequentialAccessCapabilities(worm: boolean): Buffer {
  return Buffer.from([worm ? 0x01 : 0x00, 0x00, 0x00, 0x00]);
}
