// SSC-4 REPORT DENSITY SUPPORT: density support descriptors (MEDIUM TYPE=0) or medium type descriptors
// (MEDIUM TYPE=1), for every density the drive supports (MEDIA=0) or for the mounted cartridge (MEDIA=1).
import { DataDirection } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
import { ALL_GENERATIONS, LTO_GENERATIONS, mediaAccess } from '../../library/lto.js';
import type { LtoGeneration } from '../../library/lto.js';
import type { TapeDrive } from './tape-drive.js';
import { ReservationAccess } from '../reservation.js';

const MEDIA = 0x01;
const MEDIUM_TYPE = 0x02;
const WRTOK = 0x80;
const DEFLT = 0x20;
const DLV = 0x01;
const DENSITY_DESCRIPTOR_LENGTH = 52;
const MEDIUM_TYPE_DESCRIPTOR_LENGTH = 56;
/** Half-inch tape, in tenths of a millimetre. */
const MEDIA_WIDTH = 127;

/** Per generation: bits per mm, tracks, nominal tape length in metres (LTO Ultrium format figures). */
const PHYSICAL: Readonly<Record<LtoGeneration, { bpmm: number; tracks: number; lengthM: number }>> = {
  5: { bpmm: 15142, tracks: 1280, lengthM: 846 },
  6: { bpmm: 15142, tracks: 2176, lengthM: 846 },
  7: { bpmm: 19107, tracks: 3584, lengthM: 960 },
  8: { bpmm: 20668, tracks: 6656, lengthM: 960 },
  9: { bpmm: 21800, tracks: 8960, lengthM: 1035 },
  10: { bpmm: 21800, tracks: 14336, lengthM: 1337 },
};

function ascii(b: Buffer, at: number, length: number, text: string): void {
  b.fill(0x20, at, at + length);
  b.write(text.slice(0, length), at, 'ascii');
}

function densityDescriptor(drive: TapeDrive, g: LtoGeneration, writable: boolean): Buffer {
  const info = LTO_GENERATIONS[g];
  const p = PHYSICAL[g];
  const b = Buffer.alloc(DENSITY_DESCRIPTOR_LENGTH);
  b[0] = info.densityCode;
  b[1] = info.densityCode;
  b[2] = (writable ? WRTOK : 0) | (g === drive.generation ? DEFLT : 0) | DLV;
  b.writeUInt16BE(DENSITY_DESCRIPTOR_LENGTH - 5, 3);
  b.writeUIntBE(p.bpmm, 5, 3);
  b.writeUInt16BE(MEDIA_WIDTH, 8);
  b.writeUInt16BE(p.tracks, 10);
  b.writeUInt32BE(info.nativeCapacityBytes / 1e6, 12);
  ascii(b, 16, 8, 'LTO-CVE');
  ascii(b, 24, 8, `U-${g === 10 ? 'A' : g}16`);
  ascii(b, 32, 20, `Ultrium ${g}`);
  return b;
}

function mediumTypeDescriptor(g: LtoGeneration, worm: boolean): Buffer {
  const info = LTO_GENERATIONS[g];
  const b = Buffer.alloc(MEDIUM_TYPE_DESCRIPTOR_LENGTH);
  b[0] = worm ? (info.wormMediumType ?? 0) : info.dataMediumType;
  b.writeUInt16BE(MEDIUM_TYPE_DESCRIPTOR_LENGTH - 4, 2);
  b[4] = 1;
  b[5] = info.densityCode;
  b.writeUInt16BE(MEDIA_WIDTH, 14);
  b.writeUInt16BE(PHYSICAL[g].lengthM, 16);
  ascii(b, 20, 8, 'LTO-CVE');
  ascii(b, 28, 8, `LTO-${g}${worm ? 'W' : ''}`);
  ascii(b, 36, 20, `Ultrium ${g}${worm ? ' WORM' : ''}`);
  return b;
}

export function encodeDensitySupport(drive: TapeDrive, media: boolean, mediumType: boolean): Buffer {
  const mount = drive.mounted();
  const gens = media && mount ? [mount.request.generation as LtoGeneration] : ALL_GENERATIONS.filter((g) => mediaAccess(drive.generation, g) !== 'none');
  const parts: Buffer[] = [];
  for (const g of gens) {
    const access = mediaAccess(drive.generation, g);
    if (mediumType) {
      const worms = media && mount ? [mount.request.worm] : [false, true];
      for (const worm of worms) if (!worm || LTO_GENERATIONS[g].wormMediumType !== undefined) parts.push(mediumTypeDescriptor(g, worm));
    } else {
      // With MEDIA=1, WRTOK also says whether this cartridge can be written now.
      const writable = access === 'read-write' && !(media && drive.writeProtected());
      parts.push(densityDescriptor(drive, g, writable));
    }
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(body.length + 2, 0);
  return Buffer.concat([header, body]);
}

export interface ReportDensitySupportCdb extends DecodedCdb {
  /** MEDIA=1: the mounted cartridge only. */
  readonly media: boolean;
  /** MEDIUM TYPE=1: medium type descriptors instead of density descriptors. */
  readonly mediumType: boolean;
}

export function decodeReportDensitySupport(cdb: Buffer): ReportDensitySupportCdb {
  return { direction: DataDirection.IN, lengthBytes: cdb.readUInt16BE(7), media: (cdb[1] & MEDIA) !== 0, mediumType: (cdb[1] & MEDIUM_TYPE) !== 0 };
}

export const reportDensitySupport: CommandDescriptor<TapeDrive, ReportDensitySupportCdb> = {
  opcode: 0x44,
  name: 'REPORT DENSITY SUPPORT',
  // Reports without changing state: write exclusive persistent reservations let it through (SPC-4 5.13.1).
  flags: { reservationAccess: ReservationAccess.READ },
  cdbUsage: [0x44, MEDIUM_TYPE | MEDIA, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
  decode: decodeReportDensitySupport,
  timeoutSeconds: 10,
  async execute({ decoded: { media, mediumType }, device }) {
    // MEDIA=1 describes the mounted cartridge: NOT READY without one (cleaning/incompatible included).
    if (media) await device.withMedium(() => Promise.resolve());
    return { dataIn: encodeDensitySupport(device, media, mediumType) };
  },
};
