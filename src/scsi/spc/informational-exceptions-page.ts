// SPC-4 Informational Exceptions Control mode page (1Ch) and the informational exception conditions it governs.
// Drives keep the page inert (MRIE 0h fixed: TapeAlert is read from log page 2Eh). A device that reports its
// conditions (the changer, whose TapeAlert flags follow the library's state) makes DEXCPT, TEST and MRIE changeable
// and supports MRIE 0h (none), 2h (establish a unit attention on every I_T nexus) and 6h (only on request: the next
// REQUEST SENSE returns it). MRIE 3h-5h would make the dispatcher turn a command that succeeded into CHECK
// CONDITION; they are refused (INVALID FIELD IN PARAMETER LIST) rather than accepted and ignored.
import { Sense, senseOf, SenseKey } from '../sense.js';
import type { SenseData, SenseReasonName } from '../sense.js';
import type { UnitAttentions } from '../unit-attention.js';
import { StoredModePage } from './stored-mode-page.js';

const DEXCPT = 0x08;
const TEST = 0x04;
const MRIE_MASK = 0x0f;
/** Page offsets (header included). */
const FLAGS_BYTE = 2;
const MRIE_BYTE = 3;

export const Mrie = { NONE: 0x0, UNIT_ATTENTION: 0x2, ON_REQUEST: 0x6 } as const;
const SUPPORTED_MRIE: ReadonlySet<number> = new Set(Object.values(Mrie));

export class InformationalExceptionsPage extends StoredModePage {
  /** `reporting`: the device reports conditions through `InformationalExceptions` (changeable DEXCPT, TEST, MRIE). */
  constructor(reporting = false, onChange?: (page: Buffer) => void) {
    super({
      pageCode: 0x1c,
      // Byte 2 DEXCPT=1; byte 3 MRIE 0h; bytes 4-7 interval timer 0; bytes 8-11 report count 0.
      defaults: [DEXCPT, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
      changeable: [reporting ? DEXCPT | TEST : DEXCPT, reporting ? MRIE_MASK : 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
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
}

/** Reports a device's informational exception conditions the way page 1Ch asks. */
export class InformationalExceptions {
  readonly page: InformationalExceptionsPage;
  private onRequest: SenseReasonName | undefined;

  constructor(private readonly unitAttentions: UnitAttentions) {
    // TEST=1 (with DEXCPT=0) makes a false condition at once (SPC-4 lets the interval timer decide when; it is 0).
    this.page = new InformationalExceptionsPage(true, () => {
      if (this.page.test()) this.report('FAILURE_PREDICTION_THRESHOLD_EXCEEDED_FALSE');
    });
  }

  /** A new informational exception condition (e.g. a TapeAlert flag became set). */
  report(reason: 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED' | 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED_FALSE' = 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED'): void {
    if (this.page.disabled()) return;
    const mrie = this.page.mrie();
    if (mrie === Mrie.UNIT_ATTENTION) this.unitAttentions.raiseAll(reason);
    else if (mrie === Mrie.ON_REQUEST) this.onRequest = reason;
  }

  /** MRIE 6h: what REQUEST SENSE reports (once), with sense key NO SENSE; undefined when nothing is pending. */
  takeOnRequest(): SenseData | undefined {
    const reason = this.onRequest;
    this.onRequest = undefined;
    if (reason === undefined || this.page.disabled() || this.page.mrie() !== Mrie.ON_REQUEST) return undefined;
    return senseOf(reason, { key: SenseKey.NO_SENSE });
  }
}
