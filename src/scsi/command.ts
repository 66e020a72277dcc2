// The shape of one entry in a device type's command table ("parse first, execute later").
// SPC commands live in spc/, SSC and SMC tables extend the SPC one and override what differs.
import type { ItNexus } from './logical-unit.js';
import type { ReservationAccess } from './reservation.js';
import type { SenseData, SenseFormat } from './sense.js';

export const DataDirection = { NONE: 'none', IN: 'in', OUT: 'out' } as const;
export type DataDirection = (typeof DataDirection)[keyof typeof DataDirection];

export interface Transfer {
  readonly direction: DataDirection;
  /** Bytes the CDB asks to move: for data-in the allocation/transfer length, for data-out what must arrive. */
  readonly lengthBytes: number;
}

export const NO_TRANSFER: Transfer = { direction: DataDirection.NONE, lengthBytes: 0 };

/**
 * A CDB decoded once, when the command arrives, by its descriptor's `decode`: the fields `execute` works from,
 * together with the transfer they imply (the decoded form is itself the Transfer, so decoding allocates one object).
 */
export type DecodedCdb = Transfer;

/** What `execute` gets. No CDB bytes: the command works from its decoded form. */
export interface CommandContext<D, C extends DecodedCdb = DecodedCdb> {
  /** What `decode` returned (NO_TRANSFER for a command without `decode`: it has no CDB fields). */
  readonly decoded: C;
  /** Data-out, exactly `transfer.lengthBytes` long when the command has data-out. */
  readonly dataOut: Buffer;
  readonly transfer: Transfer;
  readonly nexus: ItNexus;
  readonly device: D;
  readonly signal: AbortSignal;
  /** The format the device currently reports sense in (control mode page D_SENSE). */
  readonly senseFormat: SenseFormat;
}

export interface CommandResult {
  /** Data-in, at most `transfer.lengthBytes` (the dispatcher truncates to the allocation length). */
  readonly dataIn?: Buffer;
  /**
   * A condition that comes with data or completes the command with CHECK CONDITION without being an error
   * to throw: filemark, ILI, early warning, BLANK CHECK with residue. Sent with the data.
   */
  readonly sense?: SenseData;
  /**
   * With `dataIn` lent by the medium (TapeMedium ReadOutcome.release): called once the transport no longer reads
   * `dataIn` (handed to the network stack, or never to be sent). Never called means garbage collected.
   */
  readonly releaseDataIn?: () => void;
}

export interface CommandFlags {
  /** Runs even with a unit attention pending, which stays pending (INQUIRY, REPORT LUNS, REQUEST SENSE). */
  readonly allowUnitAttention?: boolean;
  /**
   * Allowed while another I_T nexus holds a reservation (SPC-2 5.5.1 table, SPC-4 5.13.1); a function when it
   * depends on the CDB (PREVENT ALLOW MEDIUM REMOVAL with PREVENT=0 is allowed, PREVENT=1 is not).
   */
  readonly allowReservationConflict?: boolean | ((cdb: Buffer) => boolean);
  /**
   * How the command meets reservations when `allowReservationConflict` does not exempt it (reservation.ts): READ for
   * what write exclusive persistent reservations let through, PERSISTENT_RESERVE and RESERVE_RELEASE for those
   * commands; absent means WRITE (conflicts under every reservation type).
   */
  readonly reservationAccess?: ReservationAccess;
  /** Runs without waiting for the logical unit's command queue (INQUIRY, REQUEST SENSE, REPORT LUNS...). */
  readonly concurrent?: boolean;
}

/**
 * `C` is the command's decoded CDB: `decode` produces it and `execute` receives it as `ctx.decoded` (the dispatcher
 * passes each descriptor its own decode's result, which is why a table can hold descriptors of different `C`).
 */
export interface CommandDescriptor<D, C extends DecodedCdb = DecodedCdb> {
  readonly opcode: number;
  /** For opcodes with service actions (MAINTENANCE IN, SERVICE ACTION IN(16), ...). */
  readonly serviceAction?: number;
  /** Standard spelling, e.g. 'READ(6)', 'REPORT SUPPORTED OPERATION CODES'. */
  readonly name: string;
  /**
   * CDB usage data as REPORT SUPPORTED OPERATION CODES reports it: one byte per CDB byte, byte 0 the opcode,
   * then a mask of the bits the command uses. Its length is the CDB length. A bit set in a CDB outside the
   * mask is refused with INVALID FIELD IN CDB pointing at that bit.
   */
  readonly cdbUsage: readonly number[];
  /**
   * Decode the CDB once into the typed form `execute` works from, computing the transfer with it ("parse first,
   * execute later"); absent for a command with no CDB fields and no data. Called after the usage mask has accepted
   * the CDB, before the command is queued; it may throw a SenseError for a field the mask cannot judge. `device` is
   * for transfers that depend on device state (SSC fixed-block READ/WRITE: blocks x the current block length).
   */
  readonly decode?: (cdb: Buffer, device: D) => C;
  readonly flags?: CommandFlags;
  /** Nominal and recommended timeouts in seconds (REPORT SUPPORTED OPERATION CODES RCTD). */
  readonly timeoutSeconds?: number;
  // Method syntax on purpose: a descriptor of a specific `C` must fit a table of `CommandDescriptor<D>`.
  execute(ctx: CommandContext<D, C>): CommandResult | Promise<CommandResult>;
}

/** A device type's command table: an ordered list, looked up by opcode and service action. */
export type CommandTable<D> = readonly CommandDescriptor<D>[];

export function commandKey(opcode: number, serviceAction?: number): number {
  return serviceAction === undefined ? opcode : (opcode << 16) | serviceAction;
}

/** Extend a base table: entries with the same opcode/service action replace the base's. */
export function extendTable<B, D extends B>(
  base: CommandTable<B>,
  overrides: CommandTable<D>,
): CommandTable<D> {
  const keys = new Set(overrides.map((c) => commandKey(c.opcode, c.serviceAction)));
  return [
    ...(base as unknown as CommandTable<D>).filter((c) => !keys.has(commandKey(c.opcode, c.serviceAction))),
    ...overrides,
  ].sort((a, b) => a.opcode - b.opcode || (a.serviceAction ?? -1) - (b.serviceAction ?? -1));
}
