// SPC-4 6.6 LOG SENSE: page 00h (supported pages) and 00h/FFh (supported pages and subpages) are built from the
// registry; every other page comes from the device. PPC=1 and SP=1 are refused by the CDB usage mask.
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { LogPageControl, LogParameter } from './log-page.js';
import type { LogPageSet } from './log-page-set.js';
import type { SpcDevice } from './spc-device.js';

const SUPPORTED_PAGES = 0x00;
const ALL_SUBPAGES = 0xff;
/** DS=1: log parameters are never saved. SPF is set for subpages. */
const DS = 0x80;
const SPF = 0x40;

/** A log page: 4-byte header then `body`. */
export function encodeLogPage(pageCode: number, subpageCode: number, body: Buffer): Buffer {
  const b = Buffer.alloc(4 + body.length);
  b[0] = DS | (subpageCode !== 0 ? SPF : 0) | (pageCode & 0x3f);
  b[1] = subpageCode;
  b.writeUInt16BE(Math.min(body.length, 0xffff), 2);
  body.copy(b, 4);
  return b;
}

/** Log parameters in ascending code order, each as code, control byte, length, value. */
export function encodeLogParameters(parameters: readonly LogParameter[]): Buffer {
  const sorted = [...parameters].sort((a, b) => a.code - b.code);
  return Buffer.concat(
    sorted.map((p) => {
      const b = Buffer.alloc(4 + p.value.length);
      b.writeUInt16BE(p.code, 0);
      b[2] = p.control;
      b[3] = p.value.length;
      p.value.copy(b, 4);
      return b;
    }),
  );
}

/** Page 00h: one byte per supported page code, 00h first. */
export function supportedLogPages(pages: LogPageSet): Buffer {
  const codes = new Set<number>([SUPPORTED_PAGES]);
  for (const p of pages.list()) if (p.subpageCode === 0) codes.add(p.pageCode);
  return encodeLogPage(SUPPORTED_PAGES, 0, Buffer.from([...codes].sort((a, b) => a - b)));
}

/** Page 00h/FFh: (page code, subpage code) pairs of every supported page and subpage, itself included. */
export function supportedLogPagesAndSubpages(pages: LogPageSet): Buffer {
  const pairs: number[] = [SUPPORTED_PAGES, 0x00, SUPPORTED_PAGES, ALL_SUBPAGES];
  for (const p of pages.list()) pairs.push(p.pageCode, p.subpageCode);
  return encodeLogPage(SUPPORTED_PAGES, ALL_SUBPAGES, Buffer.from(pairs));
}

export function encodeLogSense(device: SpcDevice, request: {
  readonly pc: LogPageControl;
  readonly pageCode: number;
  readonly subpageCode: number;
  readonly parameterPointer: number;
}): Buffer {
  const { pageCode, subpageCode, parameterPointer } = request;
  if (pageCode === SUPPORTED_PAGES) {
    // These pages have no parameter codes to start from.
    if (parameterPointer !== 0) throw Sense.invalidFieldInCdb(5);
    if (subpageCode === 0) return supportedLogPages(device.logPages);
    if (subpageCode === ALL_SUBPAGES) return supportedLogPagesAndSubpages(device.logPages);
    throw Sense.invalidFieldInCdb(3);
  }
  const page = device.logPages.get(pageCode, subpageCode);
  if (!page) {
    const known = device.logPages.list().some((p) => p.pageCode === pageCode);
    throw known ? Sense.invalidFieldInCdb(3) : Sense.invalidFieldInCdb(2, 5);
  }
  const parameters = page.parameters(request.pc);
  if (!parameters) throw Sense.invalidFieldInCdb(2, 7);
  if (parameterPointer !== 0 && !parameters.some((p) => p.code >= parameterPointer)) {
    // SPC-4 6.6: a pointer beyond the largest parameter code is an error.
    throw Sense.invalidFieldInCdb(5);
  }
  const selected = parameters.filter((p) => p.code >= parameterPointer);
  return encodeLogPage(pageCode, subpageCode, encodeLogParameters(selected));
}

export interface LogSenseCdb extends DecodedCdb {
  readonly pc: LogPageControl;
  readonly pageCode: number;
  readonly subpageCode: number;
  readonly parameterPointer: number;
}

/** ALLOCATION LENGTH is bytes 7-8. */
export function decodeLogSense(cdb: Buffer): LogSenseCdb {
  return {
    direction: DataDirection.IN,
    lengthBytes: cdb.readUInt16BE(7),
    pc: (cdb[2] >> 6) as LogPageControl,
    pageCode: cdb[2] & 0x3f,
    subpageCode: cdb[3],
    parameterPointer: cdb.readUInt16BE(5),
  };
}

export function logSense(ctx: CommandContext<SpcDevice, LogSenseCdb>): CommandResult {
  return { dataIn: encodeLogSense(ctx.device, ctx.decoded) };
}
