// SPC-4 6.9 MODE SELECT(6) and 6.10 MODE SELECT(10): parse the whole parameter list, validate every page against
// the changeable mask and the page's own rules, then apply all of it or nothing.
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import type { ItNexus } from '../logical-unit.js';
import { Sense } from '../sense.js';
import { highestBit, withParameterOffset } from './field-pointer.js';
import type { ModePage } from './mode-page.js';
import type { BlockDescriptorValues, ModeSelectHeader, SpcDevice } from './spc-device.js';

const PF = 0x10;
const SP = 0x01;
const PS = 0x80;
const SPF = 0x40;
const BLOCK_DESCRIPTOR_LENGTH = 8;

interface PageUpdate {
  readonly page: ModePage;
  readonly next: Buffer;
}

function parseHeader(list: Buffer, long: boolean): ModeSelectHeader & { readonly end: number } {
  const headerLength = long ? 8 : 4;
  if (list.length < headerLength) throw Sense.parameterListLengthError();
  // MODE DATA LENGTH is reserved in MODE SELECT; initiators echo MODE SENSE data, so it is not checked.
  const mediumType = long ? 2 : 1;
  const deviceSpecificParameter = long ? 3 : 2;
  if (long && (list[4] & 0x01) !== 0) throw Sense.invalidFieldInParameterList(4, 0); // LONGLBA: short descriptors only
  if (long && (list[4] & 0xfe) !== 0) throw Sense.invalidFieldInParameterList(4, highestBit(list[4] & 0xfe));
  if (long && list[5] !== 0) throw Sense.invalidFieldInParameterList(5, highestBit(list[5]));
  const bdLengthOffset = long ? 6 : 3;
  const bdLength = long ? list.readUInt16BE(6) : list[3];
  if (bdLength % BLOCK_DESCRIPTOR_LENGTH !== 0) throw Sense.invalidFieldInParameterList(bdLengthOffset);
  if (headerLength + bdLength > list.length) throw Sense.parameterListLengthError();
  const blockDescriptors: BlockDescriptorValues[] = [];
  for (let at = headerLength; at < headerLength + bdLength; at += BLOCK_DESCRIPTOR_LENGTH) {
    if (list[at + 4] !== 0) throw Sense.invalidFieldInParameterList(at + 4, highestBit(list[at + 4]));
    blockDescriptors.push({ densityCode: list[at], blockCount: list.readUIntBE(at + 1, 3), blockLength: list.readUIntBE(at + 5, 3) });
  }
  return {
    mediumType: list[mediumType],
    deviceSpecificParameter: list[deviceSpecificParameter],
    blockDescriptors,
    offsets: { mediumType, deviceSpecificParameter, blockDescriptors: headerLength },
    end: headerLength + bdLength,
  };
}

function parsePage(device: SpcDevice, list: Buffer, at: number, nexus: ItNexus): PageUpdate & { readonly end: number } {
  if (at + 2 > list.length) throw Sense.parameterListLengthError();
  const spf = (list[at] & SPF) !== 0;
  const pageCode = list[at] & 0x3f;
  const headerLength = spf ? 4 : 2;
  if (at + headerLength > list.length) throw Sense.parameterListLengthError();
  const subpageCode = spf ? list[at + 1] : 0;
  const pageLength = spf ? list.readUInt16BE(at + 2) : list[at + 1];
  const end = at + headerLength + pageLength;
  if (end > list.length) throw Sense.parameterListLengthError();
  const page = device.modePages.get(pageCode, subpageCode);
  if (!page) {
    if (spf && device.modePages.hasPage(pageCode)) throw Sense.invalidFieldInParameterList(at + 1);
    throw Sense.invalidFieldInParameterList(at, 5);
  }
  // The PS bit is reserved in MODE SELECT; MODE SENSE data echoed back may carry it, so it is ignored.
  const next = Buffer.from(list.subarray(at, end));
  next[0] &= ~PS;
  const current = page.current();
  const mask = page.changeable();
  if (next.length !== current.length) throw Sense.invalidFieldInParameterList(at + (spf ? 2 : 1));
  for (let i = headerLength; i < next.length; i++) {
    const bad = (next[i] ^ current[i]) & ~mask[i] & 0xff;
    if (bad !== 0) throw Sense.invalidFieldInParameterList(at + i, highestBit(bad));
  }
  withParameterOffset(at, () => page.validate?.(next, nexus));
  return { page, next, end };
}

/** Decode, validate and apply a MODE SELECT parameter list. Returns true when any value changed. */
export function applyModeSelect(device: SpcDevice, list: Buffer, long: boolean, pageFormat: boolean, nexus: ItNexus): boolean {
  const header = parseHeader(list, long);
  const bd = device.blockDescriptors;
  if (bd) {
    bd.validateSelect(header, nexus);
  } else {
    if (header.mediumType !== 0) throw Sense.invalidFieldInParameterList(header.offsets.mediumType);
    if (header.deviceSpecificParameter !== 0) throw Sense.invalidFieldInParameterList(header.offsets.deviceSpecificParameter);
    if (header.blockDescriptors.length > 0) throw Sense.invalidFieldInParameterList(long ? 6 : 3);
  }
  const updates: PageUpdate[] = [];
  let at = header.end;
  // PF=0 means the pages are vendor-specific (SCSI-1 format); we have none, so only a header may come with it.
  if (!pageFormat && at < list.length) throw Sense.invalidFieldInCdb(1, 4);
  while (at < list.length) {
    const u = parsePage(device, list, at, nexus);
    updates.push(u);
    at = u.end;
  }
  let changed = bd ? bd.applySelect(header, nexus) : false;
  for (const u of updates) {
    if (u.page.current().equals(u.next)) continue;
    u.page.apply(u.next, nexus);
    changed = true;
  }
  return changed;
}

export interface ModeSelectCdb extends DecodedCdb {
  /** MODE SELECT(10): long header. */
  readonly long: boolean;
  /** PF: the pages follow the SPC page format. */
  readonly pageFormat: boolean;
  /** SP: save pages (refused: nothing is saveable). */
  readonly savePages: boolean;
}

/** MODE SELECT(6): PARAMETER LIST LENGTH is byte 4. */
export function decodeModeSelect6(cdb: Buffer): ModeSelectCdb {
  return { direction: DataDirection.OUT, lengthBytes: cdb[4], long: false, pageFormat: (cdb[1] & PF) !== 0, savePages: (cdb[1] & SP) !== 0 };
}

/** MODE SELECT(10): PARAMETER LIST LENGTH is bytes 7-8. */
export function decodeModeSelect10(cdb: Buffer): ModeSelectCdb {
  return { direction: DataDirection.OUT, lengthBytes: cdb.readUInt16BE(7), long: true, pageFormat: (cdb[1] & PF) !== 0, savePages: (cdb[1] & SP) !== 0 };
}

/** MODE SELECT(6) and (10), from their decoded CDB. */
export function modeSelect(ctx: CommandContext<SpcDevice, ModeSelectCdb>): CommandResult {
  const { long, pageFormat, savePages } = ctx.decoded;
  if (savePages) {
    // No saved pages: SPC-4 6.9 answers SP=1 with INVALID FIELD IN CDB.
    throw Sense.invalidFieldInCdb(1, 0);
  }
  if (ctx.dataOut.length === 0) return {}; // a zero parameter list length is not an error
  const changed = applyModeSelect(ctx.device, ctx.dataOut, long, pageFormat, ctx.nexus);
  // SPC-4 mode parameters: other I_T nexuses learn of changed shared mode parameters through a unit attention.
  if (changed) ctx.device.unitAttentions.raiseAll('MODE_PARAMETERS_CHANGED', ctx.nexus.id);
  return {};
}

