// SPC-4 7.5 mode parameters: one mode page (or subpage) as the MODE SENSE / MODE SELECT framework sees it.
import type { ItNexus } from '../logical-unit.js';

/** SPC-4 MODE SENSE page control (PC) field. */
export const ModePageControl = { CURRENT: 0, CHANGEABLE: 1, DEFAULT: 2, SAVED: 3 } as const;
export type ModePageControl = (typeof ModePageControl)[keyof typeof ModePageControl];

/**
 * A mode page. Every buffer is the whole page as it appears in MODE SENSE data, header included:
 * page_0 format (subpageCode 0: byte 0 = page code, byte 1 = page length) or sub_page format (SPF=1:
 * byte 0 = 40h | page code, byte 1 = subpage, bytes 2-3 = page length). The PS bit is set by the framework.
 */
export interface ModePage {
  readonly pageCode: number;
  /** 0 for a page_0 format page, 01h..FEh for a subpage. */
  readonly subpageCode: number;
  /** Current values (may be computed from device state on every call). */
  current(): Buffer;
  /** Mask of the bits MODE SELECT may change (1 = changeable); header bytes are 0. */
  changeable(): Buffer;
  default(): Buffer;
  /**
   * MODE SELECT, after the framework checked the header, the length and that no unchangeable bit differs from
   * its current value. Throw `Sense.invalidFieldInParameterList(byteInPage, bit)` for a bad value; the framework
   * rebases the field pointer onto the parameter list. Must not change state.
   */
  validate?(next: Buffer, nexus: ItNexus): void;
  /** Make `next` (already validated, header included) the current values. */
  apply(next: Buffer, nexus: ItNexus): void;
}
