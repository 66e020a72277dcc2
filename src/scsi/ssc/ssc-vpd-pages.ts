// SSC-4 VPD pages of the drive (bodies after the 4-byte header; the SPC framework adds it and lists them in 00h).
import type { TapeDrive } from './tape-drive.js';
import { LTO_GENERATIONS } from '../../library/lto.js';
import { encodeFirmwareRevisionLevels, encodeHpeSequentialAccessCapabilities, FIRMWARE_REVISION_LEVELS_PAGE, presentsHpeUltrium } from './hpe-vpd-pages.js';

/** B0h sequential-access device capabilities: WORM (byte 4 bit 0) when the generation has WORM media. */
export function encodeSequentialAccessCapabilities(drive: TapeDrive): Buffer {
  return Buffer.from([LTO_GENERATIONS[drive.generation].wormMediumType === undefined ? 0x00 : 0x01, 0x00]);
}

/** B1h manufacturer-assigned serial number: the drive serial, ASCII. */
export function encodeManufacturerSerial(drive: TapeDrive): Buffer {
  return Buffer.from(drive.identity.serial, 'ascii');
}

/**
 * 86h Extended INQUIRY Data (SPC-4; page length 3Ch): SPT 001b, what a tape drive that supports logical block
 * protection reports (IBM LTO SCSI Reference 4.9.1.1); SIMPSUP=1 (simple task attribute). No GRD/APP/REF checks
 * (those are the block-device protection types), no other task attributes, no microcode activation.
 */
export function encodeExtendedInquiryData(): Buffer {
  const b = Buffer.alloc(0x3c);
  b[0] = 0b001 << 3; // SPT
  b[1] = 0x01; // SIMPSUP
  return b;
}

/** The drive's pages; an HPE Ultrium personality adds its firmware revision page and its form of B0h. */
export function sscVpdPages(drive: TapeDrive): ReadonlyMap<number, () => Buffer> {
  const pages = new Map([
    [0x86, encodeExtendedInquiryData],
    [0xb0, () => encodeSequentialAccessCapabilities(drive)],
    [0xb1, () => encodeManufacturerSerial(drive)],
  ]);
  if (presentsHpeUltrium(drive.identity)) {
    pages.set(0xb0, () => encodeHpeSequentialAccessCapabilities(LTO_GENERATIONS[drive.generation].wormMediumType !== undefined));
    pages.set(FIRMWARE_REVISION_LEVELS_PAGE, () => encodeFirmwareRevisionLevels(drive.identity));
  }
  return pages;
}
