// SPC-4 5.13 persistent reservations of one logical unit: registrations per I_T nexus, the one reservation,
// PRgeneration and APTPL. Pure state: the PERSISTENT RESERVE IN/OUT handlers decode bytes and call it, the
// dispatcher asks it whether a command conflicts. Unlike SPC-2 reservations, nothing here ends with the nexus or
// a reset (SPC-4 5.13.1): only the service actions change it.
import type { ItNexus } from './logical-unit.js';
import { admitsRegistrants, isAllRegistrants, isWriteExclusive } from './pr-type.js';
import type { PrType } from './pr-type.js';
import { ReservationConflictError } from './reservation-conflict.js';
import { Sense } from './sense.js';
import type { UnitAttentions } from './unit-attention.js';

/** One registered I_T nexus. The nexus id is `initiatorPort|targetPort`, as the transport forms it. */
export interface Registrant {
  readonly nexusId: string;
  readonly initiatorPort: string;
  readonly targetPort: string;
  readonly relativeTargetPort: number;
  readonly key: bigint;
}

/** The reservation: its type and holder (undefined for all-registrants types, where every registrant holds it). */
export interface PrReservation {
  readonly type: PrType;
  readonly holderNexusId: string | undefined;
}

/** Everything APTPL keeps across a restart. */
export interface PrState {
  readonly generation: number;
  readonly aptpl: boolean;
  readonly registrants: readonly Registrant[];
  readonly reservation: PrReservation | undefined;
}

/** Commands the SPC-4 5.13.1 tables let through a write exclusive reservation (reads) or not (writes). */
export const PrAccess = { READ: 'read', WRITE: 'write' } as const;
export type PrAccess = (typeof PrAccess)[keyof typeof PrAccess];

/** Registrant table size: one more registration is INSUFFICIENT REGISTRATION RESOURCES. */
export const MAX_REGISTRANTS = 64;

export function nexusIdOf(initiatorPort: string, targetPort: string): string {
  return `${initiatorPort}|${targetPort}`;
}

type Port = Pick<ItNexus, 'id' | 'initiatorPort' | 'targetPort' | 'relativeTargetPort'>;

export class PersistentReservations {
  private generationValue = 0;
  private aptplValue = false;
  /** In registration order, which READ KEYS and READ FULL STATUS report. */
  private readonly registrants = new Map<string, Registrant>();
  private reservationValue: PrReservation | undefined;

  constructor(private readonly unitAttentions: UnitAttentions) {}

  get generation(): number {
    return this.generationValue;
  }

  /** Persist through power loss, as the last REGISTER / REGISTER AND IGNORE EXISTING KEY / REGISTER AND MOVE set it. */
  get aptpl(): boolean {
    return this.aptplValue;
  }

  get reservation(): PrReservation | undefined {
    return this.reservationValue;
  }

  list(): readonly Registrant[] {
    return [...this.registrants.values()];
  }

  registrant(nexusId: string): Registrant | undefined {
    return this.registrants.get(nexusId);
  }

  hasRegistrations(): boolean {
    return this.registrants.size > 0;
  }

  /** A holder of the reservation: its holder, or any registrant under an all-registrants type. */
  isHolder(nexusId: string): boolean {
    const r = this.reservationValue;
    if (!r) return false;
    return r.holderNexusId === undefined ? this.registrants.has(nexusId) : r.holderNexusId === nexusId;
  }

  /** SPC-4 5.13.1: would a command of this access conflict for this nexus? */
  conflicts(nexusId: string, access: PrAccess): boolean {
    const r = this.reservationValue;
    if (!r || this.isHolder(nexusId)) return false;
    if (admitsRegistrants(r.type) && this.registrants.has(nexusId)) return false;
    return !(isWriteExclusive(r.type) && access === PrAccess.READ);
  }

  /**
   * SPC-4 5.13.3 for RESERVE(6)/(10) and RELEASE(6)/(10) while registrations exist: GOOD without effect for a holder
   * and for a registrant of a registrants-only or all-registrants reservation; RESERVATION CONFLICT for anyone else.
   * 'none' means no registration exists and SPC-2 rules apply.
   */
  spc2Outcome(nexusId: string): 'none' | 'ignore' | 'conflict' {
    if (this.registrants.size === 0) return 'none';
    const r = this.reservationValue;
    if (this.isHolder(nexusId) || (r && admitsRegistrants(r.type) && this.registrants.has(nexusId))) return 'ignore';
    return 'conflict';
  }

  /** REGISTER (ignoreExisting false) and REGISTER AND IGNORE EXISTING KEY (true), SPC-4 5.13.7. */
  register(nexus: Port, reservationKey: bigint, serviceActionKey: bigint, aptpl: boolean, ignoreExisting: boolean): void {
    const own = this.registrants.get(nexus.id);
    if (!own) {
      if (!ignoreExisting && reservationKey !== 0n) throw new ReservationConflictError('unregistered nexus gave a non-zero key');
      if (serviceActionKey === 0n) return;
      this.add(nexus, serviceActionKey);
    } else {
      if (!ignoreExisting && reservationKey !== own.key) throw new ReservationConflictError('key does not match the registration');
      if (serviceActionKey === 0n) this.unregister(nexus.id);
      else this.registrants.set(nexus.id, { ...own, key: serviceActionKey });
    }
    this.aptplValue = aptpl;
    this.bump();
  }

  /** RESERVE, SPC-4 5.13.5. Reserving again with the type held is GOOD without change. */
  reserve(nexus: Port, reservationKey: bigint, type: PrType): void {
    this.requireKey(nexus.id, reservationKey);
    const r = this.reservationValue;
    if (r) {
      if (this.isHolder(nexus.id) && r.type === type) return;
      throw new ReservationConflictError('another reservation exists');
    }
    this.reservationValue = { type, holderNexusId: isAllRegistrants(type) ? undefined : nexus.id };
  }

  /** RELEASE, SPC-4 5.13.6.2. A non-holder's release, or one with no reservation, is GOOD without change. */
  release(nexus: Port, reservationKey: bigint, type: PrType): void {
    this.requireKey(nexus.id, reservationKey);
    const r = this.reservationValue;
    if (!r || !this.isHolder(nexus.id)) return;
    if (r.type !== type) throw Sense.of('INVALID_RELEASE_OF_PERSISTENT_RESERVATION');
    this.reservationValue = undefined;
    if (admitsRegistrants(r.type)) this.notifyOthers(nexus.id, 'RESERVATIONS_RELEASED');
  }

  /** CLEAR, SPC-4 5.13.6.3: every registration and the reservation go; the others learn RESERVATIONS PREEMPTED. */
  clear(nexus: Port, reservationKey: bigint): void {
    this.requireKey(nexus.id, reservationKey);
    this.notifyOthers(nexus.id, 'RESERVATIONS_PREEMPTED');
    this.registrants.clear();
    this.reservationValue = undefined;
    this.bump();
  }

  /**
   * PREEMPT and PREEMPT AND ABORT, SPC-4 5.13.11.4: remove the registrations holding `serviceActionKey` (never the
   * preempting nexus's own), and take over the reservation when that key is the holder's (or zero under an
   * all-registrants type).
   */
  preempt(nexus: Port, reservationKey: bigint, serviceActionKey: bigint, type: PrType): void {
    this.requireKey(nexus.id, reservationKey);
    const r = this.reservationValue;
    const allRegistrants = r !== undefined && isAllRegistrants(r.type);
    if (serviceActionKey === 0n && !allRegistrants) throw Sense.invalidFieldInParameterList(8);
    const holderKey = r?.holderNexusId === undefined ? undefined : this.registrants.get(r.holderNexusId)?.key;
    const takesReservation = r !== undefined && (allRegistrants ? serviceActionKey === 0n : serviceActionKey === holderKey);
    const matches = [...this.registrants.values()].filter((g) => serviceActionKey === 0n || g.key === serviceActionKey);
    if (!takesReservation && matches.length === 0) throw new ReservationConflictError('no registration holds the key to preempt');
    for (const g of matches) {
      if (g.nexusId === nexus.id) continue;
      this.registrants.delete(g.nexusId);
      this.unitAttentions.raise(g.nexusId, 'REGISTRATIONS_PREEMPTED');
    }
    if (takesReservation) {
      this.reservationValue = { type, holderNexusId: isAllRegistrants(type) ? undefined : nexus.id };
      if (r.type !== type) this.notifyOthers(nexus.id, 'RESERVATIONS_RELEASED');
    }
    this.bump();
  }

  /**
   * REGISTER AND MOVE, SPC-4 5.13.8: the holder registers `destination` (with `serviceActionKey` unless already
   * registered) and hands it the reservation, of `type`; `unregister` removes the source's registration.
   */
  registerAndMove(nexus: Port, reservationKey: bigint, serviceActionKey: bigint, type: PrType, destination: Port, unregister: boolean, aptpl: boolean): void {
    this.requireKey(nexus.id, reservationKey);
    const r = this.reservationValue;
    if (!r || !this.isHolder(nexus.id)) throw new ReservationConflictError('REGISTER AND MOVE by a nexus that does not hold the reservation');
    if (isAllRegistrants(r.type)) throw new ReservationConflictError('REGISTER AND MOVE of an all-registrants reservation');
    if (serviceActionKey === 0n) throw Sense.invalidFieldInParameterList(8);
    if (destination.id === nexus.id) throw Sense.invalidFieldInParameterList(24);
    if (!this.registrants.has(destination.id)) this.add(destination, serviceActionKey);
    this.reservationValue = { type, holderNexusId: isAllRegistrants(type) ? undefined : destination.id };
    if (unregister) this.registrants.delete(nexus.id);
    this.aptplValue = aptpl;
    this.bump();
  }

  /** The state APTPL keeps, or undefined when APTPL is off (nothing survives a restart then). */
  persistentState(): PrState | undefined {
    if (!this.aptplValue) return undefined;
    return { generation: this.generationValue, aptpl: true, registrants: this.list(), reservation: this.reservationValue };
  }

  /** Restore what an earlier run persisted with APTPL (at start, before any command). */
  restore(state: PrState): void {
    this.generationValue = state.generation >>> 0;
    this.aptplValue = state.aptpl;
    this.registrants.clear();
    for (const g of state.registrants) this.registrants.set(g.nexusId, g);
    const r = state.reservation;
    const holderKnown = r?.holderNexusId === undefined || this.registrants.has(r.holderNexusId);
    this.reservationValue = r && holderKnown ? r : undefined;
  }

  private requireKey(nexusId: string, reservationKey: bigint): void {
    const own = this.registrants.get(nexusId);
    if (!own) throw new ReservationConflictError('the nexus is not registered');
    if (own.key !== reservationKey) throw new ReservationConflictError('key does not match the registration');
  }

  private add(nexus: Port, key: bigint): void {
    if (this.registrants.size >= MAX_REGISTRANTS) throw Sense.of('INSUFFICIENT_REGISTRATION_RESOURCES');
    this.registrants.set(nexus.id, {
      nexusId: nexus.id,
      initiatorPort: nexus.initiatorPort,
      targetPort: nexus.targetPort,
      relativeTargetPort: nexus.relativeTargetPort,
      key,
    });
  }

  /** A registrant leaves: a holder's reservation ends with it (all-registrants: with the last registrant). */
  private unregister(nexusId: string): void {
    this.registrants.delete(nexusId);
    const r = this.reservationValue;
    if (!r) return;
    if (r.holderNexusId === undefined) {
      if (this.registrants.size === 0) this.reservationValue = undefined;
      return;
    }
    if (r.holderNexusId !== nexusId) return;
    this.reservationValue = undefined;
    if (admitsRegistrants(r.type)) this.notifyOthers(nexusId, 'RESERVATIONS_RELEASED');
  }

  private notifyOthers(nexusId: string, reason: 'RESERVATIONS_RELEASED' | 'RESERVATIONS_PREEMPTED'): void {
    for (const id of this.registrants.keys()) if (id !== nexusId) this.unitAttentions.raise(id, reason);
  }

  private bump(): void {
    this.generationValue = (this.generationValue + 1) >>> 0;
  }
}
