// SPC-4: what every device type (SSC tape drive, SMC media changer) gives the shared SPC command handlers.
import type { CommandDescriptor } from '../command.js';
import type { DispatchableDevice } from '../dispatcher.js';
import type { ItNexus } from '../logical-unit.js';
import type { SenseData } from '../sense.js';
import type { InformationalExceptions } from './informational-exceptions.js';
import type { LogPageSet } from './log-page-set.js';
import type { MediumRemoval } from './medium-removal.js';
import type { ModePageSet } from './mode-page-set.js';
import type { DataBuffer } from './read-write-buffer.js';
import type { DeviceClock } from './timestamp.js';

/** Standard INQUIRY and VPD identity of one logical unit. */
export interface SpcIdentity {
  /** SPC-4 peripheral device type: 01h sequential-access (SSC), 08h medium changer (SMC). */
  readonly peripheralDeviceType: number;
  /** RMB: the medium is removable (tape drive: true; changer: false). */
  readonly removable: boolean;
  /** T10 vendor identification, at most 8 ASCII characters (padded with spaces). */
  readonly vendor: string;
  /** At most 16 ASCII characters. */
  readonly product: string;
  /** At most 4 ASCII characters. */
  readonly revision: string;
  /** Unit serial number (VPD 80h), ASCII. */
  readonly serial: string;
  /**
   * PROTECT (standard INQUIRY byte 5 bit 0): the logical unit supports protection information (SSC: logical block
   * protection, mode page 0Ah/F0h); it then also reports the Extended INQUIRY Data VPD page (86h) with its SPT.
   */
  readonly protect?: boolean;
  /** Version descriptors (SPC-4 table 47), at most 8, e.g. `[VersionDescriptor.SAM_5, VersionDescriptor.SPC_4, ...]`. */
  readonly versionDescriptors: readonly number[];
  /** NAA designator for VPD 83h: 8 bytes (NAA 5) or 16 bytes (NAA 6), stable and unique per logical unit. */
  readonly naa: Buffer;
}

/** See SpcDevice.vendorIdentification. */
export interface VendorIdentification {
  unitSerialNumber(): Buffer;
  t10VendorIdentifier(): Buffer;
}

/** One block descriptor as MODE SENSE returns it (SPC-4 short general mode parameter block descriptor). */
export interface BlockDescriptorValues {
  readonly densityCode: number;
  /** 24-bit; SSC: 0 = all remaining logical blocks. */
  readonly blockCount: number;
  /** 24-bit logical block length; SSC: 0 = variable. */
  readonly blockLength: number;
}

/** The mode parameter header and block descriptors an initiator sent with MODE SELECT. */
export interface ModeSelectHeader {
  readonly mediumType: number;
  readonly deviceSpecificParameter: number;
  readonly blockDescriptors: readonly BlockDescriptorValues[];
  /** Offsets in the parameter list, for field pointers: MEDIUM TYPE, DEVICE-SPECIFIC PARAMETER, first descriptor. */
  readonly offsets: { readonly mediumType: number; readonly deviceSpecificParameter: number; readonly blockDescriptors: number };
}

/**
 * Mode parameter header fields and block descriptors (SSC: density, block length, WP, buffered mode, speed).
 * A device without it (SMC) reports medium type 0, device-specific parameter 0 and no block descriptors, and
 * refuses MODE SELECT block descriptors or non-zero header fields.
 */
export interface BlockDescriptorSupport {
  /** MEDIUM TYPE byte of the mode parameter header (current values: PC does not apply to the header). */
  mediumType(): number;
  /**
   * DEVICE-SPECIFIC PARAMETER byte of MODE SENSE (SSC: WP bit 7, BUFFERED MODE bits 6-4, SPEED bits 3-0), as the
   * asking I_T nexus sees it (SSC: WP is set for an initiator that may not write).
   */
  deviceSpecificParameter(nexus: ItNexus): number;
  /** Descriptors MODE SENSE returns when DBD=0 (SSC: exactly one). */
  descriptors(): readonly BlockDescriptorValues[];
  /**
   * MODE SELECT: check the header and descriptors; throw `Sense.invalidFieldInParameterList(offset, bit)` using
   * `header.offsets`. Must not change state (a page later in the list may still be refused).
   */
  validateSelect(header: ModeSelectHeader, nexus: ItNexus): void;
  /** Apply what `validateSelect` accepted. Returns true when anything changed (MODE PARAMETERS CHANGED). */
  applySelect(header: ModeSelectHeader, nexus: ItNexus): boolean;
}

/** What REPORT SUPPORTED OPERATION CODES needs of a command table entry (any CommandTable<D> fits). */
export type CommandSummary = Pick<CommandDescriptor<never>, 'opcode' | 'serviceAction' | 'name' | 'cdbUsage' | 'timeoutSeconds'>;

/** A device the SPC command table can drive; SSC and SMC devices implement it (SpcCore supplies most members). */
export interface SpcDevice extends DispatchableDevice {
  readonly identity: SpcIdentity;
  /** LUNs of the SCSI target device this logical unit belongs to (REPORT LUNS), ascending. */
  lunInventory(): readonly number[];
  /** undefined when ready; otherwise the NOT READY sense TEST UNIT READY and REQUEST SENSE report. */
  readiness(): SenseData | undefined;
  readonly modePages: ModePageSet;
  readonly logPages: LogPageSet;
  /**
   * Device-specific VPD pages (SSC: B0h, B1h). The function returns the page contents after the 4-byte page
   * header; the framework writes the header and lists the page in VPD 00h.
   */
  readonly extraVpdPages?: ReadonlyMap<number, () => Buffer>;
  /**
   * A vendor personality's own forms of the standard identification (e.g. the IBM 3584's VPD 80h serial followed by
   * the first storage element address): the VPD 80h body, and the value of the T10 vendor ID based designator VPD 83h
   * reports first. Absent: the SPC-4 forms from `identity`.
   */
  readonly vendorIdentification?: VendorIdentification;
  /** Informational exception reporting (page 1Ch MRIE 6h conditions reach REQUEST SENSE through it). */
  readonly informationalExceptions?: InformationalExceptions;
  /** PREVENT ALLOW MEDIUM REMOVAL state, per I_T nexus. */
  readonly mediumRemoval: MediumRemoval;
  /** The logical unit's clock (REPORT TIMESTAMP, SET TIMESTAMP). */
  readonly deviceClock: DeviceClock;
  /** READ BUFFER / WRITE BUFFER data mode. */
  readonly dataBuffer: DataBuffer;
  readonly blockDescriptors?: BlockDescriptorSupport;
  /** The device's own command table (REPORT SUPPORTED OPERATION CODES), e.g. `return sscCommands`. */
  supportedCommands(): readonly CommandSummary[];
}
