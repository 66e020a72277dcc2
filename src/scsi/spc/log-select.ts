// SPC-4 6.5 LOG SELECT: reset values (PCR=1, or an empty list with PC 10b/11b) or set parameters from a list
// of log pages. SP=1 is refused by the CDB usage mask (no saved log parameters).
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import { highestBit, withParameterOffset } from './field-pointer.js';
import { LogPageControl } from './log-page.js';
import type { LogPage, LogParameter } from './log-page.js';
import type { SpcDevice } from './spc-device.js';

const PCR = 0x02;
const SPF = 0x40;

/** Threshold or cumulative: what a PC value resets. */
function resetKind(pc: LogPageControl): LogPageControl {
  return pc === LogPageControl.CURRENT_THRESHOLD || pc === LogPageControl.DEFAULT_THRESHOLD
    ? LogPageControl.CURRENT_THRESHOLD
    : LogPageControl.CURRENT_CUMULATIVE;
}

function pagesInRange(device: SpcDevice, pageCode: number, subpageCode: number): readonly LogPage[] {
  // Page code 0 and subpage 0 select every page (SPC-4 6.5 table for an empty parameter list).
  if (pageCode === 0 && subpageCode === 0) return device.logPages.list();
  const page = device.logPages.get(pageCode, subpageCode);
  if (page) return [page];
  if (pageCode === 0 && subpageCode === 0xff) return device.logPages.list();
  throw device.logPages.list().some((p) => p.pageCode === pageCode) ? Sense.invalidFieldInCdb(3) : Sense.invalidFieldInCdb(2, 5);
}

interface PageSelection {
  readonly page: LogPage;
  /** Offset of the page's first parameter in the list. */
  readonly offset: number;
  readonly parameters: readonly LogParameter[];
}

function parsePages(device: SpcDevice, list: Buffer): PageSelection[] {
  const out: PageSelection[] = [];
  let at = 0;
  while (at < list.length) {
    if (at + 4 > list.length) throw Sense.parameterListLengthError();
    // DS is honoured as "do not save", which is what we always do; SPF must agree with the subpage code.
    const spf = (list[at] & SPF) !== 0;
    const pageCode = list[at] & 0x3f;
    const subpageCode = list[at + 1];
    if (!spf && subpageCode !== 0) throw Sense.invalidFieldInParameterList(at + 1);
    const end = at + 4 + list.readUInt16BE(at + 2);
    if (end > list.length) throw Sense.parameterListLengthError();
    const page = device.logPages.get(pageCode, subpageCode);
    if (!page) throw Sense.invalidFieldInParameterList(at, 5);
    if (!page.select) throw Sense.invalidFieldInParameterList(at, 5);
    const parameters: LogParameter[] = [];
    let p = at + 4;
    while (p < end) {
      if (p + 4 > end) throw Sense.parameterListLengthError();
      const code = list.readUInt16BE(p);
      const length = list[p + 3];
      if (p + 4 + length > end) throw Sense.parameterListLengthError();
      const previous = parameters.at(-1);
      // Parameters must come in ascending order of parameter code (SPC-4 6.5).
      if (previous && code <= previous.code) throw Sense.invalidFieldInParameterList(p);
      parameters.push({ code, control: list[p + 2], value: Buffer.from(list.subarray(p + 4, p + 4 + length)) });
      p += 4 + length;
    }
    out.push({ page, offset: at + 4, parameters });
    at = end;
  }
  return out;
}

export interface LogSelectCdb extends DecodedCdb {
  /** PCR: reset parameters. */
  readonly pcr: boolean;
  readonly pc: LogPageControl;
  readonly pageCode: number;
  readonly subpageCode: number;
}

/** PARAMETER LIST LENGTH is bytes 7-8. */
export function decodeLogSelect(cdb: Buffer): LogSelectCdb {
  return {
    direction: DataDirection.OUT,
    lengthBytes: cdb.readUInt16BE(7),
    pcr: (cdb[1] & PCR) !== 0,
    pc: (cdb[2] >> 6) as LogPageControl,
    pageCode: cdb[2] & 0x3f,
    subpageCode: cdb[3],
  };
}

export function logSelect(ctx: CommandContext<SpcDevice, LogSelectCdb>): CommandResult {
  const { pcr, pc, pageCode, subpageCode } = ctx.decoded;
  const list = ctx.dataOut;
  let changed = false;
  if (list.length === 0) {
    // Empty list: PCR=1 resets the kind PC names; PC 10b/11b alone sets current values to defaults;
    // PC 00b/01b without PCR changes nothing.
    if (pcr || pc === LogPageControl.DEFAULT_THRESHOLD || pc === LogPageControl.DEFAULT_CUMULATIVE) {
      for (const page of pagesInRange(ctx.device, pageCode, subpageCode)) {
        if (page.reset) {
          page.reset(resetKind(pc));
          changed = true;
        }
      }
    } else {
      pagesInRange(ctx.device, pageCode, subpageCode);
    }
  } else {
    if (pcr) throw Sense.invalidFieldInCdb(1, 1);
    if (pc === LogPageControl.DEFAULT_THRESHOLD || pc === LogPageControl.DEFAULT_CUMULATIVE) throw Sense.invalidFieldInCdb(2, 7);
    // With a parameter list the pages are named in the list, not in the CDB.
    if (pageCode !== 0) throw Sense.invalidFieldInCdb(2, highestBit(pageCode));
    if (subpageCode !== 0) throw Sense.invalidFieldInCdb(3);
    const selections = parsePages(ctx.device, list);
    for (const sel of selections) withParameterOffset(sel.offset, () => sel.page.validateSelect?.(pc, sel.parameters));
    for (const sel of selections) {
      withParameterOffset(sel.offset, () => sel.page.select?.(pc, sel.parameters));
      changed = true;
    }
  }
  // SPC-4 LOG SELECT: other I_T nexuses see LOG PARAMETERS CHANGED.
  if (changed) ctx.device.unitAttentions.raiseAll('LOG_PARAMETERS_CHANGED', ctx.nexus.id);
  return {};
}
