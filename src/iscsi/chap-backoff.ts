// The policy against guessing CHAP secrets (issue 22 finding 6), stated in docs/ISCSI.md: after
// `maxFailures` failed CHAP exchanges within `windowMs` from one initiator name, or from one address, every login
// from that name or address that needs CHAP is refused (02/01, Authentication failure) for `firstLockoutMs`, doubling
// with each further lockout up to `maxLockoutMs`. A success clears the name and the address; a key that has not
// failed for `forgetAfterMs` starts over. One log line when a lockout begins, none per refused attempt.
import type { Logger } from '../log.js';

export interface ChapBackoffPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly firstLockoutMs: number;
  readonly maxLockoutMs: number;
  readonly forgetAfterMs: number;
  /** Names and addresses tracked at most (a flood of invented names cannot grow the table without bound). */
  readonly maxTracked: number;
}

export const CHAP_BACKOFF_POLICY: ChapBackoffPolicy = {
  maxFailures: 5,
  windowMs: 60_000,
  firstLockoutMs: 10_000,
  maxLockoutMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxTracked: 10_000,
};

interface Tracked {
  /** Times of the failures inside the window, oldest first. */
  failures: number[];
  lockedUntil: number;
  lockouts: number;
  lastFailure: number;
}

/** Who is logging in: both are tracked. */
export interface LoginSource {
  readonly initiatorName: string;
  readonly address: string;
}

export class ChapBackoff {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly log: Logger,
    readonly policy: ChapBackoffPolicy = CHAP_BACKOFF_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left of a lockout of this name or address; 0 when a login may try CHAP. */
  lockedFor(source: LoginSource): number {
    const t = this.now();
    let left = 0;
    for (const key of keysOf(source)) left = Math.max(left, (this.tracked.get(key)?.lockedUntil ?? 0) - t);
    return left;
  }

  /** A CHAP exchange failed. */
  failed(source: LoginSource): void {
    const t = this.now();
    for (const key of keysOf(source)) {
      const entry = this.entry(key, t);
      entry.lastFailure = t;
      entry.failures.push(t);
      while (entry.failures.length > 0 && entry.failures[0] <= t - this.policy.windowMs) entry.failures.shift();
      if (entry.failures.length < this.policy.maxFailures) continue;
      entry.failures = [];
      const p = this.policy;
      const lockoutMs = Math.min(p.maxLockoutMs, p.firstLockoutMs * 2 ** Math.min(entry.lockouts, 30));
      entry.lockouts += 1;
      entry.lockedUntil = t + lockoutMs;
      this.log.warn(
        { [key.startsWith('name:') ? 'initiator' : 'address']: key.slice(5), failures: p.maxFailures, windowMs: p.windowMs, lockoutMs },
        'repeated CHAP failures: further logins refused for a while',
      );
    }
  }

  /** A CHAP exchange succeeded. */
  succeeded(source: LoginSource): void {
    for (const key of keysOf(source)) this.tracked.delete(key);
  }

  /** Entries tracked now (for tests). */
  get size(): number {
    return this.tracked.size;
  }

  private entry(key: string, t: number): Tracked {
    let entry = this.tracked.get(key);
    if (entry && entry.lockedUntil <= t && entry.lastFailure <= t - this.policy.forgetAfterMs) entry = undefined;
    if (!entry) {
      entry = { failures: [], lockedUntil: 0, lockouts: 0, lastFailure: t };
      this.tracked.delete(key);
      if (this.tracked.size >= this.policy.maxTracked) this.evict(t);
      this.tracked.set(key, entry);
    }
    return entry;
  }

  /** Drop what no longer matters; if the table is still full, the oldest unlocked entry (insertion order). */
  private evict(t: number): void {
    for (const [key, e] of this.tracked) {
      if (e.lockedUntil <= t && e.lastFailure <= t - this.policy.windowMs) this.tracked.delete(key);
    }
    if (this.tracked.size < this.policy.maxTracked) return;
    for (const [key, e] of this.tracked) {
      if (e.lockedUntil <= t) {
        this.tracked.delete(key);
        return;
      }
    }
    const oldest = this.tracked.keys().next();
    if (oldest.done !== true) this.tracked.delete(oldest.value);
  }
}

function keysOf(source: LoginSource): string[] {
  return [`name:${source.initiatorName}`, `addr:${source.address}`];
}
