// SPC-4 5.14 / SAM-5 5.14: unit attention conditions, queued per I_T nexus.
import { SenseReason } from './sense.js';
import type { SenseReasonName } from './sense.js';

/** 29h/xx (power on, reset) supersedes every other pending condition for the nexus (SPC-4 5.14). */
const RESET_FAMILY = 0x29;

export class UnitAttentions {
  private readonly pending = new Map<string, SenseReasonName[]>();
  private readonly known = new Set<string>();

  /**
   * Called for every command: a nexus seen for the first time starts with POWER ON, RESET, OR BUS DEVICE RESET
   * OCCURRED, as after a real power-on.
   */
  register(nexusId: string): void {
    if (this.known.has(nexusId)) return;
    this.known.add(nexusId);
    this.pending.set(nexusId, ['POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED']);
  }

  /** Raise for one nexus. */
  raise(nexusId: string, reason: SenseReasonName): void {
    if (!this.known.has(nexusId)) return; // its first command reports the reset anyway
    const q = this.pending.get(nexusId) ?? [];
    if (SenseReason[reason].asc === RESET_FAMILY) {
      this.pending.set(nexusId, [reason]);
      return;
    }
    if (q.length > 0 && SenseReason[q[0]].asc === RESET_FAMILY) return;
    if (!q.includes(reason)) q.push(reason);
    this.pending.set(nexusId, q);
  }

  /** Raise for every known nexus, except `exceptNexusId` when given. */
  raiseAll(reason: SenseReasonName, exceptNexusId?: string): void {
    for (const id of this.known) if (id !== exceptNexusId) this.raise(id, reason);
  }

  peek(nexusId: string): SenseReasonName | undefined {
    return this.pending.get(nexusId)?.[0];
  }

  /** Report (and clear) the oldest pending condition. */
  take(nexusId: string): SenseReasonName | undefined {
    const q = this.pending.get(nexusId);
    const r = q?.shift();
    if (q && q.length === 0) this.pending.delete(nexusId);
    return r;
  }

  /** The nexus is gone: a new login is a new nexus and starts with a reset condition again. */
  forget(nexusId: string): void {
    this.known.delete(nexusId);
    this.pending.delete(nexusId);
  }
}
