// SPC-4 7.3 log parameters: one log page (or subpage) as the LOG SENSE / LOG SELECT framework sees it.

/** LOG SENSE / LOG SELECT page control field (SPC-4 table "Page control (PC) field"). */
export const LogPageControl = {
  CURRENT_THRESHOLD: 0,
  CURRENT_CUMULATIVE: 1,
  DEFAULT_THRESHOLD: 2,
  DEFAULT_CUMULATIVE: 3,
} as const;
export type LogPageControl = (typeof LogPageControl)[keyof typeof LogPageControl];

/** Parameter control byte (byte 2 of a log parameter): DU, TSD, ETC, TMC, FORMAT AND LINKING. */
export const LogParameterControl = {
  DU: 0x80,
  TSD: 0x20,
  ETC: 0x10,
  /** FORMAT AND LINKING 00b: bounded data counter. */
  BOUNDED_COUNTER: 0x00,
  /** 01b: ASCII format list. */
  ASCII_LIST: 0x01,
  /** 10b: bounded data counter or unbounded data counter. */
  UNBOUNDED_COUNTER: 0x02,
  /** 11b: binary format list. */
  BINARY_LIST: 0x03,
} as const;

export interface LogParameter {
  readonly code: number;
  /** Byte 2 of the parameter (LogParameterControl bits). */
  readonly control: number;
  readonly value: Buffer;
}

/** A log page. Parameters are returned in ascending parameter code order by the framework. */
export interface LogPage {
  readonly pageCode: number;
  /** 0 for the page itself, 01h..FEh for a subpage. */
  readonly subpageCode: number;
  /**
   * The parameters for a page control value, or undefined when the page has no values of that kind
   * (LOG SENSE then answers INVALID FIELD IN CDB pointing at the PC field). Threshold values are optional.
   */
  parameters(pc: LogPageControl): readonly LogParameter[] | undefined;
  /**
   * Reset the cumulative (pc 01b) or threshold (pc 00b) values to their defaults: LOG SELECT with PCR=1 or with
   * an empty parameter list. Pages without it keep their values (their parameters are not resettable, e.g. lists).
   */
  reset?(pc: LogPageControl): void;
  /**
   * LOG SELECT with a parameter list for this page: `parameters` are decoded and in ascending order.
   * Throw `Sense.invalidFieldInParameterList(offset, bit)` with `offset` counted from the first byte after this
   * page's 4-byte header (the first parameter's code); the framework rebases it onto the whole list. Absent: any parameter list for this page is refused.
   */
  select?(pc: LogPageControl, parameters: readonly LogParameter[]): void;
  /**
   * Optional check run for every page of a LOG SELECT list before any page's `select`, so that a list naming
   * several pages is applied all or nothing. Same error rules as `select`; must not change state.
   */
  validateSelect?(pc: LogPageControl, parameters: readonly LogParameter[]): void;
}
