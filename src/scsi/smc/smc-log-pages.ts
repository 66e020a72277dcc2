// Log pages of the changer besides the synthesized 00h: TapeAlert (2Eh), 64 flags, read-to-clear.
// The library models no alert conditions yet (no robot faults, no door), so every flag reads 0; the page exists
// because backup software polls it on every changer.
import type { LogPage, LogParameter } from '../spc/log-page.js';
import { LogPageControl, LogParameterControl } from '../spc/log-page.js';

export const TAPE_ALERT_PAGE = 0x2e;
const FLAG_COUNT = 64;

export class ChangerTapeAlerts {
  private flags = 0n;

  set(flag: number): void {
    this.flags |= 1n << BigInt(flag - 1);
  }

  /** Report and clear (read-to-clear, as SSC-4 Annex A describes for the TapeAlert log page). */
  takeAll(): boolean[] {
    const out = Array.from({ length: FLAG_COUNT }, (_, i) => (this.flags & (1n << BigInt(i))) !== 0n);
    this.flags = 0n;
    return out;
  }
}

export function tapeAlertPage(alerts: ChangerTapeAlerts): LogPage {
  const param = (i: number, on: boolean): LogParameter => ({ code: i + 1, control: LogParameterControl.BINARY_LIST, value: Buffer.from([on ? 1 : 0]) });
  return {
    pageCode: TAPE_ALERT_PAGE,
    subpageCode: 0,
    parameters: (pc) => {
      if (pc === LogPageControl.DEFAULT_CUMULATIVE) return Array.from({ length: FLAG_COUNT }, (_, i) => param(i, false));
      if (pc !== LogPageControl.CURRENT_CUMULATIVE) return undefined;
      return alerts.takeAll().map((on, i) => param(i, on));
    },
  };
}

export function smcLogPages(alerts = new ChangerTapeAlerts()): LogPage[] {
  return [tapeAlertPage(alerts)];
}
