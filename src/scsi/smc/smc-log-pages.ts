// Log pages of the changer besides the synthesized 00h: TapeAlert (2Eh), 64 one-byte flags (changer-health.ts says
// which the library sets and when they clear).
import type { LogPage, LogParameter } from '../spc/log-page.js';
import { LogPageControl, LogParameterControl } from '../spc/log-page.js';
import { TAPE_ALERT_FLAG_COUNT } from './changer-health.js';
import type { ChangerHealth } from './changer-health.js';

export const TAPE_ALERT_PAGE = 0x2e;

export function tapeAlertPage(health: ChangerHealth): LogPage {
  const param = (i: number, on: boolean): LogParameter => ({ code: i + 1, control: LogParameterControl.BINARY_LIST, value: Buffer.from([on ? 1 : 0]) });
  return {
    pageCode: TAPE_ALERT_PAGE,
    subpageCode: 0,
    parameters: (pc) => {
      if (pc === LogPageControl.DEFAULT_CUMULATIVE) return Array.from({ length: TAPE_ALERT_FLAG_COUNT }, (_, i) => param(i, false));
      if (pc !== LogPageControl.CURRENT_CUMULATIVE) return undefined;
      return health.takeAll().map((on, i) => param(i, on));
    },
  };
}

export function smcLogPages(health: ChangerHealth): LogPage[] {
  return [tapeAlertPage(health)];
}
