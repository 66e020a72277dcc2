// SPC-4 Informational Exceptions Control mode page (1Ch). A device that does not report its conditions keeps the page
// inert (DEXCPT the only changeable bit, MRIE 0h). A reporting device (the changer, whose TapeAlert flags follow the
// library's state; the drives, whose TapeAlert flags follow their errors) makes DEXCPT, TEST, MRIE, INTERVAL TIMER and
// REPORT COUNT changeable; informational-exceptions.ts reports the conditions the way the page asks.
import { Sense } from '../sense.js';
import { StoredModePage } from './stored-mode-page.js';

const DEXCPT = 0x08;
const TEST = 0x04;
const MRIE_MASK = 0x0f;
/** Page offsets (header included). */
const FLAGS_BYTE = 2;
const MRIE_BYTE = 3;
const INTERVAL_TIMER_OFFSET = 4;
const REPORT_COUNT_OFFSET = 8;

/** SPC-4 METHOD OF REPORTING INFORMATIONAL EXCEPTIONS values this target implements (1h, asynchronous event, is not). */
export const Mrie = {
  NONE: 0x0,
  GENERATE_UNIT_ATTENTION: 0x2,
  CONDITIONALLY_GENERATE_RECOVERED_ERROR: 0x3,
  UNCONDITIONALLY_GENERATE_RECOVERED_ERROR: 0x4,
  GENERATE_NO_SENSE: 0x5,
  ONLY_REPORT_ON_REQUEST: 0x6,
} as const;
const SUPPORTED_MRIE: ReadonlySet<number> = new Set(Object.values(Mrie));

export class InformationalExceptionsPage extends StoredModePage {
  /** `reporting`: the device reports conditions through `InformationalExceptions` (see the file comment). */
  constructor(reporting = false, onChange?: (page: Buffer) => void) {
    const all = reporting ? 0xff : 0x00;
    super({
      pageCode: 0x1c,
      // Byte 2 DEXCPT=1; byte 3 MRIE 0h; bytes 4-7 INTERVAL TIMER 0; bytes 8-11 REPORT COUNT 0.
      defaults: [DEXCPT, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
      changeable: [reporting ? DEXCPT | TEST : DEXCPT, reporting ? MRIE_MASK : 0x00, all, all, all, all, all, all, all, all],
      validate: (next) => {
        if (!SUPPORTED_MRIE.has(next[MRIE_BYTE] & MRIE_MASK)) throw Sense.invalidFieldInParameterList(MRIE_BYTE);
        // SPC-4: TEST=1 with DEXCPT=1 is an invalid combination.
        if ((next[FLAGS_BYTE] & TEST) !== 0 && (next[FLAGS_BYTE] & DEXCPT) !== 0) throw Sense.invalidFieldInParameterList(FLAGS_BYTE, 2);
      },
      onChange,
    });
  }

  disabled(): boolean {
    return (this.byte(FLAGS_BYTE) & DEXCPT) !== 0;
  }

  test(): boolean {
    return (this.byte(FLAGS_BYTE) & TEST) !== 0;
  }

  mrie(): number {
    return this.byte(MRIE_BYTE) & MRIE_MASK;
  }

  /** INTERVAL TIMER, in 100 ms units; 0 and FFFFFFFFh: report a condition once. */
  intervalTimer(): number {
    return this.current().readUInt32BE(INTERVAL_TIMER_OFFSET);
  }

  /** REPORT COUNT; 0: no limit (when the interval timer repeats the report at all). */
  reportCount(): number {
    return this.current().readUInt32BE(REPORT_COUNT_OFFSET);
  }
}
