// When to give up on a peer (RFC 7143 7.1.1's NOP-In ping, and our own timeouts). Owns the timers of one connection:
// a login that stays silent is dropped; in full feature phase, silence for the NOP-In interval sends a ping, and no
// byte at all within the NOP timeout after it drops the connection (any byte counts as alive, so a NOP-Out queued
// behind a long burst does not kill a healthy connection). While the connection does not read because its output is
// not drained (output-flow.ts), silence proves nothing: the peer is dropped instead when its output makes no
// progress for a whole NOP timeout.

export interface LivenessHooks {
  /** Send a NOP-In ping with this TTT. */
  ping(ttt: number): void;
  /** Give up on the peer (one log line says why). */
  drop(reason: string, message: string): void;
  /** A target transfer tag for the ping. */
  allocateTtt(): number;
  /** Bytes queued for output while reading is held for them, or undefined while reading. */
  heldOutputBytes(): number | undefined;
}

export class Liveness {
  private idleTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingTtt: number | undefined;
  private fullFeature = false;
  /** Output queued at the previous idle check while held, and for how long it has not shrunk. */
  private heldBefore: number | undefined;
  private stalledMs = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly hooks: LivenessHooks,
  ) {
    // During login there is no ping: silence for the NOP timeout ends it.
    this.idleTimer = setTimeout(() => this.onIdle(), timeoutMs);
  }

  /** Login complete: from now on silence is answered with pings. */
  enterFullFeature(): void {
    this.fullFeature = true;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.onIdle(), this.intervalMs);
  }

  /** Bytes arrived from the peer. */
  heard(): void {
    this.idleTimer?.refresh();
    if (this.pingTtt !== undefined) this.pingAnswered(this.pingTtt);
  }

  pingAnswered(ttt: number): void {
    if (ttt !== this.pingTtt) return;
    this.pingTtt = undefined;
    clearTimeout(this.pingTimer);
  }

  /** Reading stops for output to drain: an outstanding ping cannot be answered (its answer is not read). */
  held(): void {
    this.pingAnswered(this.pingTtt ?? -1);
    this.heldBefore = undefined;
    this.stalledMs = 0;
  }

  stop(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.pingTimer);
  }

  private onIdle(): void {
    if (!this.fullFeature) {
      this.hooks.drop('login timeout', 'login stalled, dropping connection');
      return;
    }
    const held = this.hooks.heldOutputBytes();
    if (held !== undefined) {
      this.stalledMs = this.heldBefore !== undefined && held >= this.heldBefore ? this.stalledMs + this.intervalMs : 0;
      if (this.stalledMs >= this.timeoutMs) {
        this.hooks.drop('output stalled', `peer read none of its output for ${this.stalledMs} ms, dropping connection`);
        return;
      }
      this.heldBefore = held;
      this.idleTimer?.refresh();
      return;
    }
    if (this.pingTtt === undefined) {
      this.pingTtt = this.hooks.allocateTtt();
      this.hooks.ping(this.pingTtt);
      this.pingTimer = setTimeout(() => this.hooks.drop('nop timeout', `no answer to NOP-In within ${this.timeoutMs} ms, dropping connection`), this.timeoutMs);
    }
    this.idleTimer?.refresh();
  }
}
