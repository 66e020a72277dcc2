// SAM-5: what a transport hands to a SCSI target and what it gets back. The iSCSI layer depends on this
// file only; it knows nothing of the command sets behind it.
import type { ScsiStatus } from './status.js';

/** SAM-5 task attributes. */
export const TaskAttribute = {
  SIMPLE: 'simple',
  ORDERED: 'ordered',
  HEAD_OF_QUEUE: 'head-of-queue',
  ACA: 'aca',
} as const;
export type TaskAttribute = (typeof TaskAttribute)[keyof typeof TaskAttribute];

/** An I_T nexus: one initiator port talking to one target port (for iSCSI, one session). */
export interface ItNexus {
  /** Stable key for per-nexus state (unit attentions, reservations): initiator port + target port. */
  readonly id: string;
  /** SCSI initiator port name, iSCSI form `iqn...,i,0x<ISID>`. */
  readonly initiatorPort: string;
  /** SCSI target port name, iSCSI form `iqn...,t,0x<TPGT>`. */
  readonly targetPort: string;
  /** Relative target port identifier (VPD 83h), 1-based. */
  readonly relativeTargetPort: number;
}

export interface ScsiCommand {
  readonly lun: number;
  /** The CDB as received (iSCSI: 16 bytes, longer with an extended-CDB AHS); the command table knows its length. */
  readonly cdb: Buffer;
  /**
   * All data-out, assembled (immediate, unsolicited and solicited data), or undefined for none. The transport
   * reuses this buffer once `execute()` settles: a device must not keep a reference to it (copy what it keeps).
   */
  readonly dataOut: Buffer | undefined;
  /** Expected data transfer lengths from the transport (iSCSI EDTL, bidirectional read length). */
  readonly expectedDataInLength: number;
  readonly expectedDataOutLength: number;
  readonly taskAttribute: TaskAttribute;
  readonly nexus: ItNexus;
  /** Aborted by task management or connection loss; a command may still finish if it cannot stop safely. */
  readonly signal: AbortSignal;
  /**
   * Optional: `signal.aborted` without creating the signal, for transports that create it only when read (an
   * AbortController per command is measurable at high command rates). Absent: readers use `signal.aborted`.
   */
  readonly aborted?: boolean;
}

export interface ScsiResponse {
  readonly status: ScsiStatus;
  /** Encoded sense data (fixed or descriptor), with CHECK CONDITION. */
  readonly sense?: Buffer;
  /**
   * Everything the command produced for data-in. The transport sends at most the expected length and reports
   * the rest as residual overflow; less than expected is underflow.
   */
  readonly dataIn?: Buffer;
  /**
   * Optional: the transport calls it once it no longer reads `dataIn` (the bytes were handed to the network
   * stack, or will never be sent), so the device may reuse that memory. Never calling it is safe.
   */
  readonly releaseDataIn?: () => void;
  /**
   * Data-out bytes the CDB called for, when it differs from what the transport received (residual counts):
   * more than received is overflow, less is underflow.
   */
  readonly dataOutLength?: number;
}

/** Task management and nexus events that change logical-unit state (SAM-5 6.x, SPC-4 unit attention rules). */
export type TargetEvent =
  | { readonly kind: 'nexus-loss'; readonly nexus: ItNexus }
  | { readonly kind: 'logical-unit-reset'; readonly lun: number; readonly by: ItNexus }
  | { readonly kind: 'target-reset'; readonly cold: boolean; readonly by: ItNexus }
  | { readonly kind: 'clear-task-set'; readonly lun: number; readonly by: ItNexus };

/** One logical unit behind a target port. */
export interface LogicalUnit {
  execute(command: ScsiCommand): Promise<ScsiResponse>;
  handleEvent(event: TargetEvent): void;
}

/** What a transport talks to: a SCSI target device with its logical units (SAM-5 4.6). */
export interface ScsiTargetDevice {
  /** Every command, for any LUN (REPORT LUNS and unknown LUNs are answered by the target itself). */
  execute(command: ScsiCommand): Promise<ScsiResponse>;
  /** LUNs in ascending order. */
  luns(): readonly number[];
  hasLun(lun: number): boolean;
  handleEvent(event: TargetEvent): void;
}
