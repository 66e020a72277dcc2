// The data-out buffers of one session and the budget they count against (docs/ISCSI.md, "Data-out, at most one
// copy"): a write's buffer of exactly EDTL bytes is taken when its header arrives, from the session's pool, and
// counted from the moment a task holds it until the task is forgotten.
import { BufferPool } from './buffer-pool.js';

/** Largest data-out buffer one command may ask for; above it the command is refused before allocation. */
export const MAX_COMMAND_DATA_LENGTH = 64 * 1024 * 1024;
/** Default for the write buffers one session may hold at once; beyond it a write gets TASK SET FULL (SAM-5 5.3). */
export const SESSION_WRITE_BUDGET = 256 * 1024 * 1024;
/** Default for the write buffers all sessions together may hold at once (docs/ISCSI.md, "Memory bounds"). */
export const PROCESS_WRITE_BUDGET = 256 * 1024 * 1024;

/**
 * The write budget all sessions of the process share, so that many sessions cannot together hold more data-out than
 * one may: a session counts its buffers here as well as against its own budget, and gives back what it still holds
 * when it ends.
 */
export class SharedWriteBudget {
  private heldBytes = 0;

  constructor(readonly limitBytes: number = PROCESS_WRITE_BUDGET) {}

  fits(bytes: number): boolean {
    return this.heldBytes + bytes <= this.limitBytes;
  }

  take(bytes: number): void {
    this.heldBytes += bytes;
  }

  give(bytes: number): void {
    this.heldBytes = Math.max(0, this.heldBytes - bytes);
  }

  get held(): number {
    return this.heldBytes;
  }
}

export class WriteBuffers {
  private heldBytes = 0;
  private readonly pool = new BufferPool();
  /** The buffer taken for the immediate data of the command whose header is this one, until the command takes it. */
  private immediate: { bhs: Buffer; buffer: Buffer } | undefined;

  constructor(
    private readonly budgetBytes: number,
    private readonly shared: SharedWriteBudget = new SharedWriteBudget(),
  ) {}

  /** A write of `edtl` bytes fits the session's budget and the process's now. */
  canBuffer(edtl: number): boolean {
    return edtl <= MAX_COMMAND_DATA_LENGTH && this.heldBytes + edtl <= this.budgetBytes && this.shared.fits(edtl);
  }

  /** Immediate data arrives before its command is decoded: the whole write's buffer is taken for it now. */
  placeImmediate(bhs: Buffer, edtl: number): Buffer {
    const buffer = this.pool.acquire(edtl);
    this.immediate = { bhs, buffer };
    return buffer;
  }

  /** The buffer placeImmediate() took for this header, if any; either way the slot is cleared. */
  takeImmediate(bhs: Buffer): Buffer | undefined {
    const buffer = this.immediate?.bhs === bhs ? this.immediate.buffer : undefined;
    this.immediate = undefined;
    return buffer;
  }

  acquire(edtl: number): Buffer {
    return this.pool.acquire(edtl);
  }

  /** A task holds `buffer` from now on: it counts against the budget. */
  hold(buffer: Buffer | undefined): void {
    this.heldBytes += buffer?.length ?? 0;
    this.shared.take(buffer?.length ?? 0);
  }

  /** The task is forgotten: its buffer goes back (once the device is done with it, see IscsiSession.forget). */
  release(buffer: Buffer | undefined): void {
    this.heldBytes -= buffer?.length ?? 0;
    this.shared.give(buffer?.length ?? 0);
    this.pool.release(buffer);
  }

  /**
   * The session is over: what its tasks still hold goes back to the shared budget now (a task still running on a
   * device keeps its buffer until it settles, a bounded moment; its session will never release it).
   */
  dispose(): void {
    this.shared.give(this.heldBytes);
    this.heldBytes = 0;
    this.immediate = undefined;
    this.pool.dispose();
  }
}
