// The logical unit's reservations: the SPC-2 RESERVE(6/10) / RELEASE(6/10) one, held by one I_T nexus, and the
// SPC-4 persistent reservations, with the rules between them (SPC-4 5.13.3).
import { PersistentReservations, PrAccess } from './persistent-reservations.js';
import { decodePrState, encodePrState } from './pr-state-json.js';
import type { UnitAttentions } from './unit-attention.js';

/**
 * How a command meets reservations, from its table entry: ANY is allowed under every type (SPC-4 5.13.1 tables,
 * Exclusive Access column), READ only through write exclusive ones, WRITE never; PERSISTENT_RESERVE (PERSISTENT
 * RESERVE IN/OUT) passes persistent reservations but not another nexus's SPC-2 one; RESERVE_RELEASE decides itself.
 */
export const ReservationAccess = {
  ANY: 'any',
  READ: 'read',
  WRITE: 'write',
  PERSISTENT_RESERVE: 'persistent-reserve',
  RESERVE_RELEASE: 'reserve-release',
} as const;
export type ReservationAccess = (typeof ReservationAccess)[keyof typeof ReservationAccess];

/**
 * Where APTPL state lives (the composition root gives each logical unit one, under the data directory). `save` must
 * be durable and atomic when it resolves; undefined means nothing is to survive a restart.
 */
export interface PrPersistence {
  load(): Promise<string | undefined>;
  save(text: string | undefined): Promise<void>;
}

export class Reservation {
  private holder: string | undefined;
  private persistence: PrPersistence | undefined;
  readonly persistent: PersistentReservations;

  constructor(unitAttentions: UnitAttentions) {
    this.persistent = new PersistentReservations(unitAttentions);
  }

  /** APTPL is supported (REPORT CAPABILITIES PTPL_C) only with somewhere durable to keep it. */
  get canPersist(): boolean {
    return this.persistence !== undefined;
  }

  /** Restore what APTPL kept and keep it from now on; a malformed file is an error for the caller to report. */
  async attachPersistence(persistence: PrPersistence): Promise<void> {
    const text = await persistence.load();
    if (text !== undefined) this.persistent.restore(decodePrState(text));
    this.persistence = persistence;
  }

  /** After every PERSISTENT RESERVE OUT that succeeded: GOOD status only once APTPL state is durable. */
  async save(): Promise<void> {
    if (!this.persistence) return;
    const state = this.persistent.persistentState();
    await this.persistence.save(state === undefined ? undefined : encodePrState(state));
  }

  get holderNexusId(): string | undefined {
    return this.holder;
  }

  /** True when the command must end in RESERVATION CONFLICT before it runs. */
  conflicts(nexusId: string, access: ReservationAccess = ReservationAccess.WRITE): boolean {
    if (access === ReservationAccess.ANY || access === ReservationAccess.RESERVE_RELEASE) return false;
    if (this.holder !== undefined && this.holder !== nexusId) return true;
    if (access === ReservationAccess.PERSISTENT_RESERVE) return false;
    return this.persistent.conflicts(nexusId, access === ReservationAccess.READ ? PrAccess.READ : PrAccess.WRITE);
  }

  /** Returns false on conflict (the caller answers RESERVATION CONFLICT). */
  reserve(nexusId: string): boolean {
    if (this.holder !== undefined && this.holder !== nexusId) return false;
    this.holder = nexusId;
    return true;
  }

  /** A release by a nexus that does not hold it is not an error (SPC-2 7.23). */
  release(nexusId: string): void {
    if (this.holder === nexusId) this.holder = undefined;
  }

  /** Resets end the SPC-2 reservation only: persistent reservations survive them (SPC-4 5.13.1). */
  clear(): void {
    this.holder = undefined;
  }
}
