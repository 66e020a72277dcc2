// RFC 7143 3.2.2.1, 4.2.2: the per-session command numbering window. Non-immediate commands are accepted when
// ExpCmdSN <= CmdSN <= MaxCmdSN and delivered strictly in CmdSN order (a tape is sequential). MaxCmdSN counts the
// commands not yet finished, so at most `depth` of them hold buffers at any time.
import { snAdd, snLessThan } from './pdu.js';

export interface OrderedSlot {
  /** True once the command may be handed on (its data-out is complete, or it needs nothing). */
  ready(): boolean;
  deliver(): void;
}

export class CommandWindow {
  private exp: number;
  private nextToDeliver: number;
  private readonly slots = new Map<number, OrderedSlot>();
  private readonly unfinished = new Set<number>();

  constructor(initialCmdSN: number, readonly depth: number) {
    this.exp = initialCmdSN >>> 0;
    this.nextToDeliver = this.exp;
  }

  get expCmdSN(): number {
    return this.exp;
  }

  get maxCmdSN(): number {
    let low = this.exp;
    for (const sn of this.unfinished) if (snLessThan(sn, low)) low = sn;
    return snAdd(low, this.depth - 1);
  }

  /** True when a non-immediate CmdSN may be accepted (inside the window and not seen before). */
  accepts(cmdSN: number): boolean {
    if (snLessThan(cmdSN, this.exp) || snLessThan(this.maxCmdSN, cmdSN)) return false;
    return !this.slots.has(cmdSN) && !this.unfinished.has(cmdSN);
  }

  /** Whether `cmdSN` is inside [ExpCmdSN, MaxCmdSN] (for ABORT TASK of a command not yet received). */
  inWindow(cmdSN: number): boolean {
    return !snLessThan(cmdSN, this.exp) && !snLessThan(this.maxCmdSN, cmdSN);
  }

  /** Register an accepted command; `finished()` must be called when it no longer holds resources. */
  receive(cmdSN: number, slot: OrderedSlot): void {
    this.slots.set(cmdSN, slot);
    this.unfinished.add(cmdSN);
    while (this.slots.has(this.exp) || this.wasDelivered(this.exp)) this.exp = snAdd(this.exp, 1);
    this.pump();
  }

  /** A command number consumed without a command (aborted before arrival, rejected PDU). */
  consume(cmdSN: number): void {
    this.receive(cmdSN, { ready: () => true, deliver: () => undefined });
    this.finished(cmdSN);
  }

  finished(cmdSN: number): void {
    this.unfinished.delete(cmdSN);
  }

  /** Deliver every ready command in order; call again when a command's data-out completes. */
  pump(): void {
    for (;;) {
      const slot = this.slots.get(this.nextToDeliver);
      if (!slot || !slot.ready()) return;
      this.slots.delete(this.nextToDeliver);
      this.nextToDeliver = snAdd(this.nextToDeliver, 1);
      slot.deliver();
    }
  }

  /** Drop a queued (not yet delivered) command, keeping its number so later commands still flow. */
  cancel(cmdSN: number): void {
    if (this.slots.has(cmdSN)) this.slots.set(cmdSN, { ready: () => true, deliver: () => undefined });
    this.unfinished.delete(cmdSN);
  }

  private wasDelivered(sn: number): boolean {
    return snLessThan(sn, this.nextToDeliver);
  }
}
