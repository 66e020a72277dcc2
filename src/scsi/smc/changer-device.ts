// SMC-3 media changer logical unit (LUN 0 of a library target): SPC state from SpcCore, the library from the
// LibraryManager. It raises UNIT ATTENTION when the operator changes the inventory through the management API
// (28/01 for a mail slot, 28/00 for storage slots and drives), keeps the library's mail-slot lock in step with
// PREVENT ALLOW MEDIUM REMOVAL, and its TapeAlert flags follow the library's state (changer-health.ts).
import type { LibraryManager } from '../../library/library-manager.js';
import type { CartridgeLocation } from '../../library/cartridge.js';
import type { LibraryEvent } from '../../library/library-event.js';
import { touchesMailSlots } from '../../library/library-event.js';
import type { Logger } from '../../log.js';
import type { TargetEvent } from '../logical-unit.js';
import type { SenseData, SenseFormat } from '../sense.js';
import type { CommandSummary, SpcDevice, SpcIdentity, VendorIdentification } from '../spc/spc-device.js';
import { SpcCore } from '../spc/spc-core.js';
import { VersionDescriptor } from '../spc/version-descriptor.js';
import { ChangerHealth, ChangerTapeAlertFlag } from './changer-health.js';
import { changerNaa } from './changer-naa.js';
import { ibm3584Identification, libraryDeviceAttributesPage, presentsIbm3584 } from './ibm-3584-identification.js';
import type { ReportElement } from './element-status.js';
import { smcLogPages } from './smc-log-pages.js';
import { smcModePages } from './smc-mode-pages.js';

/** The holder name the changer uses for the library's removal lock (one per changer logical unit). */
const PREVENT_HOLDER = 'changer';

export interface ChangerDeviceOptions {
  readonly manager: LibraryManager;
  readonly library: string;
  readonly log: Logger;
  /** LUNs of the library target (REPORT LUNS); default 0 and one per drive from 1. */
  readonly lunInventory?: () => readonly number[];
  /** The LUN of drive `index` on this target; default index + 1. */
  readonly driveLun?: (index: number) => number;
}

export class ChangerDevice implements SpcDevice {
  readonly identity: SpcIdentity;
  /** The personality's own VPD 80h/83h forms (IBM 3584); undefined for the others (STK L700: none published). */
  readonly vendorIdentification: VendorIdentification | undefined;
  readonly manager: LibraryManager;
  readonly library: string;
  readonly log: Logger;
  private readonly core = new SpcCore({ reportsInformationalExceptions: true });
  readonly health: ChangerHealth;
  private readonly unsubscribe: () => void;
  private commands: readonly CommandSummary[] = [];

  constructor(private readonly options: ChangerDeviceOptions) {
    this.manager = options.manager;
    this.library = options.library;
    this.log = options.log.child({ changer: options.library });
    const id = this.manager.changerIdentity(this.library);
    this.identity = {
      peripheralDeviceType: 0x08,
      removable: false,
      vendor: id.vendor,
      product: id.product,
      revision: id.revision,
      serial: id.serial,
      versionDescriptors: [VersionDescriptor.SAM_5, VersionDescriptor.ISCSI, VersionDescriptor.SPC_4, VersionDescriptor.SMC_3],
      naa: changerNaa(id.serial),
    };
    this.vendorIdentification = presentsIbm3584(this.identity)
      ? ibm3584Identification(this.identity, () => this.manager.library(this.library).layout.storage.firstAddress)
      : undefined;
    for (const page of smcModePages(() => this.manager.library(this.library).layout)) this.core.modePages.add(page);
    this.health = new ChangerHealth(() => this.alertConditions(), () => this.core.informationalExceptions?.report());
    for (const page of smcLogPages(this.health)) this.core.logPages.add(page);
    if (this.vendorIdentification) this.core.logPages.add(libraryDeviceAttributesPage(this.library, this.identity));
    this.unsubscribe = this.manager.on((event) => {
      if (event.library !== this.library) return;
      if (event.actor === 'operator') {
        // SMC-3: an import/export element accessed by the operator is 28/01; any other change the host did not make
        // to the elements means its picture of the inventory may be stale: 28/00 NOT READY TO READY CHANGE, MEDIUM
        // MAY HAVE CHANGED (what a real library raises after its door was opened and closed).
        if (touchesMailSlots(event, this.library)) this.core.unitAttentions.raiseAll('IMPORT_OR_EXPORT_ELEMENT_ACCESSED');
        else if (touchesElements(event, this.library)) this.core.unitAttentions.raiseAll('NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED');
      }
      this.health.check();
    });
    this.health.check();
  }

  get deviceClock(): SpcCore['deviceClock'] {
    return this.core.deviceClock;
  }
  get dataBuffer(): SpcCore['dataBuffer'] {
    return this.core.dataBuffer;
  }

  get informationalExceptions(): SpcCore['informationalExceptions'] {
    return this.core.informationalExceptions;
  }

  /** The TapeAlert conditions the library's state sets now. */
  private alertConditions(): ChangerTapeAlertFlag[] {
    const flags: ChangerTapeAlertFlag[] = [];
    const elements = this.manager.elements(this.library);
    if (elements.some((e) => e.open)) flags.push(ChangerTapeAlertFlag.LIBRARY_MAILSLOT);
    if (this.manager.drives(this.library).some((d) => d.mechanism === undefined)) flags.push(ChangerTapeAlertFlag.LIBRARY_DRIVE_OFFLINE);
    if (elements.some((e) => e.exception === 'media-missing')) flags.push(ChangerTapeAlertFlag.LIBRARY_INVENTORY);
    return flags;
  }

  get queue(): SpcCore['queue'] {
    return this.core.queue;
  }
  get unitAttentions(): SpcCore['unitAttentions'] {
    return this.core.unitAttentions;
  }
  get reservation(): SpcCore['reservation'] {
    return this.core.reservation;
  }
  get modePages(): SpcCore['modePages'] {
    return this.core.modePages;
  }
  get logPages(): SpcCore['logPages'] {
    return this.core.logPages;
  }
  get mediumRemoval(): SpcCore['mediumRemoval'] {
    return this.core.mediumRemoval;
  }

  senseFormat(): SenseFormat {
    return this.core.senseFormat();
  }

  lunInventory(): readonly number[] {
    if (this.options.lunInventory) return this.options.lunInventory();
    const drives = this.manager.library(this.library).drives;
    return Array.from({ length: drives + 1 }, (_, i) => i);
  }

  /** The changer is always ready: its inventory is the catalog. */
  readiness(): SenseData | undefined {
    return undefined;
  }

  supportedCommands(): readonly CommandSummary[] {
    return this.commands;
  }

  /** Set once by createChangerUnit (the table refers to this class, so it cannot be a constructor argument). */
  setSupportedCommands(commands: readonly CommandSummary[]): void {
    this.commands = commands;
  }

  handleEvent(event: TargetEvent): void {
    this.core.handleEvent(event);
    this.syncRemovalLock();
  }

  /** Tell the library whether any nexus prevents medium removal through the mail slots. */
  syncRemovalLock(): void {
    this.manager.setRemovalPrevented(this.library, PREVENT_HOLDER, this.core.mediumRemoval.prevented());
  }

  /** Every element with what READ ELEMENT STATUS reports beyond the catalog (drive identity, LUN, PREVENT). */
  reportElements(): ReportElement[] {
    const drives = this.manager.drives(this.library);
    return this.manager.elements(this.library).map((status) => {
      if (status.type !== 'dataTransfer') return { status, extras: {} };
      const d = drives[status.index];
      const lun = this.options.driveLun ? this.options.driveLun(status.index) : status.index + 1;
      return { status, extras: { drive: { identity: d.identity, lun, removalPrevented: d.state?.removalPrevented ?? false } } };
    });
  }

  /** Note a library operation's failure in the TapeAlert flags (a drive that failed to load or unload). */
  noteLibraryFailure(code: string): void {
    if (code === 'load-failed') this.health.latch(ChangerTapeAlertFlag.LIBRARY_HARDWARE_A);
  }

  /** Stop listening to the library (the target is going away). */
  close(): void {
    this.unsubscribe();
    this.manager.setRemovalPrevented(this.library, PREVENT_HOLDER, false);
  }
}

/** True when the event put a cartridge into, or took one out of, an element of `library` (any type). */
function touchesElements(event: LibraryEvent, library: string): boolean {
  const inLibrary = (l: CartridgeLocation | undefined): boolean => l !== undefined && l.kind === 'element' && l.library === library;
  return inLibrary(event.from) || inLibrary(event.to);
}
