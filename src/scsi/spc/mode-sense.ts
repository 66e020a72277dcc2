// SPC-4 6.11 MODE SENSE(6) and 6.12 MODE SENSE(10): header, block descriptors and mode pages.
import type { ItNexus } from '../logical-unit.js';
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { ModePage } from './mode-page.js';
import { ModePageControl } from './mode-page.js';
import type { BlockDescriptorValues, SpcDevice } from './spc-device.js';

const ALL_PAGES = 0x3f;
const ALL_SUBPAGES = 0xff;
const BLOCK_DESCRIPTOR_LENGTH = 8;
const PS = 0x80;

/** Short (general) mode parameter block descriptor: density, 24-bit block count, reserved, 24-bit block length. */
export function encodeBlockDescriptor(d: BlockDescriptorValues): Buffer {
  const b = Buffer.alloc(BLOCK_DESCRIPTOR_LENGTH);
  b[0] = d.densityCode;
  b.writeUIntBE(Math.min(d.blockCount, 0xffffff), 1, 3);
  b.writeUIntBE(d.blockLength & 0xffffff, 5, 3);
  return b;
}

/** The pages a (page code, subpage code) request selects; throws INVALID FIELD IN CDB for unsupported ones. */
export function selectModePages(device: SpcDevice, pageCode: number, subpageCode: number): readonly ModePage[] {
  const all = device.modePages.list();
  if (pageCode === ALL_PAGES) {
    if (subpageCode === 0) return all.filter((p) => p.subpageCode === 0);
    if (subpageCode === ALL_SUBPAGES) return all;
    throw Sense.invalidFieldInCdb(3);
  }
  const ofPage = all.filter((p) => p.pageCode === pageCode);
  if (ofPage.length === 0) throw Sense.invalidFieldInCdb(2, 5);
  if (subpageCode === ALL_SUBPAGES) return ofPage;
  const page = ofPage.find((p) => p.subpageCode === subpageCode);
  if (!page) throw Sense.invalidFieldInCdb(3);
  return [page];
}

function pageBytes(page: ModePage, pc: ModePageControl): Buffer {
  const b = pc === ModePageControl.CHANGEABLE ? page.changeable() : pc === ModePageControl.DEFAULT ? page.default() : page.current();
  const out = Buffer.from(b);
  out[0] &= ~PS; // nothing is saveable
  return out;
}

export interface ModeSenseRequest {
  readonly long: boolean;
  readonly dbd: boolean;
  readonly pc: ModePageControl;
  readonly pageCode: number;
  readonly subpageCode: number;
}

export interface ModeSenseCdb extends DecodedCdb, ModeSenseRequest {}

/** MODE SENSE(6): ALLOCATION LENGTH is byte 4. */
export function decodeModeSense6(cdb: Buffer): ModeSenseCdb {
  return { direction: DataDirection.IN, lengthBytes: cdb[4], long: false, dbd: (cdb[1] & 0x08) !== 0, pc: (cdb[2] >> 6) as ModePageControl, pageCode: cdb[2] & 0x3f, subpageCode: cdb[3] };
}

/** MODE SENSE(10): ALLOCATION LENGTH is bytes 7-8; LLBAA changes nothing (short descriptors only). */
export function decodeModeSense10(cdb: Buffer): ModeSenseCdb {
  return { direction: DataDirection.IN, lengthBytes: cdb.readUInt16BE(7), long: true, dbd: (cdb[1] & 0x08) !== 0, pc: (cdb[2] >> 6) as ModePageControl, pageCode: cdb[2] & 0x3f, subpageCode: cdb[3] };
}

/** Mode parameter data for MODE SENSE(6) (`long` false) or MODE SENSE(10). */
export function encodeModeSense(device: SpcDevice, request: ModeSenseRequest, nexus: ItNexus): Buffer {
  if (request.pc === ModePageControl.SAVED) {
    // Saved values are not implemented (SPC-4 MODE SENSE, saved values).
    throw Sense.of('SAVING_PARAMETERS_NOT_SUPPORTED', { fieldPointer: { inCdb: true, byte: 2, bit: 7 } });
  }
  const pages = selectModePages(device, request.pageCode, request.subpageCode).map((p) => pageBytes(p, request.pc));
  const bd = device.blockDescriptors;
  // PC does not apply to the header and block descriptors: they always carry current values (SPC-4 MODE SENSE, page control).
  const descriptors = !request.dbd && bd ? bd.descriptors().map(encodeBlockDescriptor) : [];
  const headerLength = request.long ? 8 : 4;
  const descriptorBytes = descriptors.length * BLOCK_DESCRIPTOR_LENGTH;
  const body = Buffer.concat([...descriptors, ...pages]);
  const b = Buffer.alloc(headerLength + body.length);
  const mediumType = bd?.mediumType() ?? 0;
  const deviceSpecific = bd?.deviceSpecificParameter(nexus) ?? 0;
  if (request.long) {
    b.writeUInt16BE(Math.min(b.length - 2, 0xffff), 0);
    b[2] = mediumType;
    b[3] = deviceSpecific;
    // Byte 4 LONGLBA stays 0: sequential-access and changer devices use short descriptors even with LLBAA=1.
    b.writeUInt16BE(descriptorBytes, 6);
  } else {
    b[0] = Math.min(b.length - 1, 0xff);
    b[1] = mediumType;
    b[2] = deviceSpecific;
    b[3] = descriptorBytes;
  }
  body.copy(b, headerLength);
  return b;
}

/** MODE SENSE(6) and (10), from their decoded CDB. */
export function modeSense(ctx: CommandContext<SpcDevice, ModeSenseCdb>): CommandResult {
  return { dataIn: encodeModeSense(ctx.device, ctx.decoded, ctx.nexus) };
}
