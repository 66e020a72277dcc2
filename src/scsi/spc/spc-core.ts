// State every SPC logical unit has: its command queue, unit attentions, the SPC-2 reservation, PREVENT ALLOW state, the
// device clock, the common mode pages (Control 0Ah, Control extension 0Ah/01h, Informational Exceptions 1Ch) and the
// log page registry. SSC and SMC devices own one SpcCore
// and delegate the matching SpcDevice members to it.
import type { TargetEvent } from '../logical-unit.js';
import { Reservation } from '../reservation.js';
import type { SenseFormat } from '../sense.js';
import { UnitAttentions } from '../unit-attention.js';
import { UnitQueue } from '../unit-queue.js';
import { ControlModePage } from './control-mode-page.js';
import { InformationalExceptions } from './informational-exceptions.js';
import { InformationalExceptionsPage } from './informational-exceptions-page.js';
import { LogPageSet } from './log-page-set.js';
import { MediumRemoval } from './medium-removal.js';
import { ModePageSet } from './mode-page-set.js';
import { DataBuffer } from './read-write-buffer.js';
import { controlExtensionPage, DeviceClock } from './timestamp.js';

export class SpcCore {
  readonly unitAttentions = new UnitAttentions();
  /** The one owner of ordering of the logical unit (commands, IMMED work, robot loads and unloads). */
  readonly queue = new UnitQueue();
  readonly reservation = new Reservation(this.unitAttentions);
  readonly mediumRemoval = new MediumRemoval();
  readonly controlPage = new ControlModePage();
  readonly deviceClock = new DeviceClock();
  readonly dataBuffer = new DataBuffer();
  /** Present when the device reports informational exception conditions (constructor option). */
  readonly informationalExceptions: InformationalExceptions | undefined;
  readonly informationalExceptionsPage: InformationalExceptionsPage;
  /** Add device pages with `modePages.add(page)`. */
  readonly modePages: ModePageSet;
  /** Add device pages with `logPages.add(page)`; page 00h is synthesized. */
  readonly logPages = new LogPageSet();

  /** `reportsInformationalExceptions`: page 1Ch's MRIE is changeable and `informationalExceptions` reports. */
  constructor(options: { readonly reportsInformationalExceptions?: boolean } = {}) {
    this.informationalExceptions = options.reportsInformationalExceptions ? new InformationalExceptions(this.unitAttentions) : undefined;
    this.informationalExceptionsPage = this.informationalExceptions?.page ?? new InformationalExceptionsPage();
    this.modePages = new ModePageSet([this.controlPage, controlExtensionPage(), this.informationalExceptionsPage]);
  }

  senseFormat(): SenseFormat {
    return this.controlPage.senseFormat();
  }

  /**
   * The SPC part of a device's `handleEvent` (the dispatcher has already handled unit attentions and the
   * reservation): PREVENT ALLOW state ends with the nexus, a logical unit reset or a target reset (SPC-4 6.13);
   * a logical unit reset or target reset also returns every registered mode page to its default values
   * (SAM-5 logical unit reset condition: no saved values exist).
   */
  handleEvent(event: TargetEvent): void {
    handleSpcEvent(this.mediumRemoval, event);
    if (event.kind === 'logical-unit-reset' || event.kind === 'target-reset') this.modePages.restoreDefaults(event.by);
  }
}

/** PREVENT ALLOW MEDIUM REMOVAL reaction to task management and nexus events. */
export function handleSpcEvent(mediumRemoval: MediumRemoval, event: TargetEvent): void {
  switch (event.kind) {
    case 'nexus-loss':
      mediumRemoval.clear(event.nexus.id);
      break;
    case 'logical-unit-reset':
    case 'target-reset':
      mediumRemoval.clearAll();
      break;
    case 'clear-task-set':
      break;
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}
