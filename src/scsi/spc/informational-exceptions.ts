// SPC-4 informational exception conditions, reported the way the Informational Exceptions Control mode page (1Ch)
// asks. One condition is pending at a time (a newer one replaces it). Per MRIE:
// - 2h GENERATE UNIT ATTENTION: a unit attention on every I_T nexus (5D/xx with UNIT ATTENTION);
// - 3h CONDITIONALLY GENERATE RECOVERED ERROR: as 4h, but only while reporting recovered errors is allowed (the PER bit
//   of the Read-Write Error Recovery page; none of our devices sets it, so 3h is accepted and reports nothing);
// - 4h UNCONDITIONALLY GENERATE RECOVERED ERROR: the next command that completes without error ends with CHECK
//   CONDITION, sense key RECOVERED ERROR, 5D/xx (its data is still transferred);
// - 5h GENERATE NO SENSE: the same with sense key NO SENSE;
// - 6h ONLY REPORT INFORMATIONAL EXCEPTION CONDITION ON REQUEST: the next REQUEST SENSE returns it (NO SENSE, 5D/xx).
// INTERVAL TIMER (100 ms units) and REPORT COUNT: a condition is reported once when the timer is 0 or FFFFFFFFh;
// otherwise again each time the interval has passed since the last report, at most REPORT COUNT times (0: no limit).
// TEST=1 makes a false condition (5D/FF) at once; TEST=0 withdraws a pending false one. REQUEST SENSE itself is never
// turned into CHECK CONDITION (SPC-4 6.39: it reports CHECK CONDITION only for its own errors).
import { senseOf, SenseKey } from '../sense.js';
import type { SenseData } from '../sense.js';
import type { UnitAttentions } from '../unit-attention.js';
import { InformationalExceptionsPage, Mrie } from './informational-exceptions-page.js';

export type InformationalExceptionReason = 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED' | 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED_FALSE';

const REQUEST_SENSE = 0x03;
const ONCE = [0, 0xffffffff];

export interface InformationalExceptionsOptions {
  /** Milliseconds of a monotonic clock (the interval timer); injected by tests. */
  readonly now?: () => number;
  /** MRIE 3h: whether reporting recovered errors is allowed (PER); absent: never. */
  readonly recoveredErrorsAllowed?: () => boolean;
}

interface Condition {
  readonly reason: InformationalExceptionReason;
  reports: number;
  lastReportMs: number | undefined;
}

export class InformationalExceptions {
  readonly page: InformationalExceptionsPage;
  private condition: Condition | undefined;
  private readonly now: () => number;
  private readonly recoveredErrorsAllowed: () => boolean;

  constructor(
    private readonly unitAttentions: UnitAttentions,
    options: InformationalExceptionsOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.recoveredErrorsAllowed = options.recoveredErrorsAllowed ?? (() => false);
    this.page = new InformationalExceptionsPage(true, () => {
      if (this.page.test()) this.report('FAILURE_PREDICTION_THRESHOLD_EXCEEDED_FALSE');
      else if (this.condition?.reason === 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED_FALSE') this.condition = undefined;
    });
  }

  /** A new informational exception condition (e.g. a TapeAlert flag became set). */
  report(reason: InformationalExceptionReason = 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED'): void {
    if (this.page.disabled() || this.page.mrie() === Mrie.NONE) return;
    this.condition = { reason, reports: 0, lastReportMs: undefined };
    // A unit attention is established when the condition occurs; the others wait for a command.
    if (this.page.mrie() === Mrie.GENERATE_UNIT_ATTENTION) this.raiseUnitAttention();
  }

  /**
   * After a command completed without error (the dispatcher asks): the sense that turns it into CHECK CONDITION
   * (MRIE 3h-5h), or undefined. Under MRIE 2h a due repeat raises the unit attention again.
   */
  afterCommand(opcode: number): SenseData | undefined {
    if (this.condition === undefined || opcode === REQUEST_SENSE || this.page.disabled()) return undefined;
    switch (this.page.mrie()) {
      case Mrie.GENERATE_UNIT_ATTENTION:
        this.raiseUnitAttention();
        return undefined;
      case Mrie.CONDITIONALLY_GENERATE_RECOVERED_ERROR:
        return this.recoveredErrorsAllowed() ? this.take(SenseKey.RECOVERED_ERROR) : undefined;
      case Mrie.UNCONDITIONALLY_GENERATE_RECOVERED_ERROR:
        return this.take(SenseKey.RECOVERED_ERROR);
      case Mrie.GENERATE_NO_SENSE:
        return this.take(SenseKey.NO_SENSE);
      default:
        return undefined;
    }
  }

  /** MRIE 6h: what REQUEST SENSE reports, with sense key NO SENSE; undefined when nothing is due. */
  takeOnRequest(): SenseData | undefined {
    if (this.page.disabled() || this.page.mrie() !== Mrie.ONLY_REPORT_ON_REQUEST) return undefined;
    return this.take(SenseKey.NO_SENSE);
  }

  private raiseUnitAttention(): void {
    const reason = this.due();
    if (reason !== undefined) this.unitAttentions.raiseAll(reason);
  }

  private take(key: SenseKey): SenseData | undefined {
    const reason = this.due();
    return reason === undefined ? undefined : senseOf(reason, { key });
  }

  /** The pending condition's reason when a report is due now (and counts that report), else undefined. */
  private due(): InformationalExceptionReason | undefined {
    const c = this.condition;
    if (c === undefined) return undefined;
    const now = this.now();
    const intervalUnits = this.page.intervalTimer();
    if (c.lastReportMs !== undefined && now - c.lastReportMs < intervalUnits * 100) return undefined;
    c.reports++;
    c.lastReportMs = now;
    const count = this.page.reportCount();
    if (ONCE.includes(intervalUnits) || (count !== 0 && c.reports >= count)) this.condition = undefined;
    return c.reason;
  }
}
