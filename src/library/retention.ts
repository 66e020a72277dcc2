// Retention locks as values: what a lock is, which is stricter, and what the config's policies make of a cartridge's
// history. Pure functions; retention-book.ts keeps locks in the catalog.
import type { RetentionPolicyConfig } from '../config/schema.js';

export const RETENTION_MODES = ['governance', 'compliance'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

export interface RetentionLock {
  readonly mode: RetentionMode;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly until: string;
  /** A token name, `policy` for the config, or a later caller's name. */
  readonly setBy: string;
}

/** What the drive layer asks before it destroys data: `retentionOf(barcode, now)`. */
export interface RetentionStatus {
  readonly locked: boolean;
  readonly mode: RetentionMode | null;
  /** ISO 8601; null when never locked. Kept after expiry, so a report can say when it ended. */
  readonly until: string | null;
}

/** The moments a policy's `from` counts from; null when it has not happened yet. */
export interface CartridgeTimes {
  readonly firstWriteAt: string | null;
  readonly lastWriteAt: string | null;
  readonly lastUnloadAt: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function isActive(lock: RetentionLock | undefined, now: Date): lock is RetentionLock {
  return lock !== undefined && Date.parse(lock.until) > now.getTime();
}

export function statusOf(lock: RetentionLock | undefined, now: Date): RetentionStatus {
  if (lock === undefined) return { locked: false, mode: null, until: null };
  return { locked: isActive(lock, now), mode: lock.mode, until: lock.until };
}

/**
 * Both locks hold, so the result keeps the later expiry and compliance if either is compliance. Combining never
 * shortens or weakens: this is the rule for a config policy against a stored lock, and for a catalog against the
 * cartridge's own copy (once the drive layer keeps one).
 */
export function stricter(a: RetentionLock | undefined, b: RetentionLock | undefined, now: Date): RetentionLock | undefined {
  const activeA = isActive(a, now) ? a : undefined;
  const activeB = isActive(b, now) ? b : undefined;
  if (activeA === undefined) return activeB ?? a ?? b;
  if (activeB === undefined) return activeA;
  const later = Date.parse(activeA.until) >= Date.parse(activeB.until) ? activeA : activeB;
  const mode: RetentionMode = activeA.mode === 'compliance' || activeB.mode === 'compliance' ? 'compliance' : 'governance';
  return { ...later, mode };
}

export function policyCovers(policy: RetentionPolicyConfig, barcode: string): boolean {
  if (policy.barcodes === undefined) return true;
  const [first = '', last = ''] = policy.barcodes.split('-');
  return barcode.length === first.length && barcode >= first && barcode <= last;
}

/** How long a policy's lock lasts: its `days`, or its `seconds` (the schema allows exactly one). */
export function policyDurationMs(policy: RetentionPolicyConfig): number {
  return policy.seconds !== undefined ? policy.seconds * 1000 : (policy.days ?? 0) * DAY_MS;
}

/** The lock the policies give a cartridge with this history (undefined when none has started). */
export function policyLock(policies: readonly RetentionPolicyConfig[], barcode: string, times: CartridgeTimes, now: Date): RetentionLock | undefined {
  let lock: RetentionLock | undefined;
  for (const policy of policies) {
    if (!policyCovers(policy, barcode)) continue;
    const start = policy.from === 'first-write' ? times.firstWriteAt : policy.from === 'last-write' ? times.lastWriteAt : times.lastUnloadAt;
    if (start === null) continue;
    const until = new Date(Date.parse(start) + policyDurationMs(policy)).toISOString();
    lock = stricter(lock, { mode: policy.mode, startedAt: start, until, setBy: 'policy' }, now);
  }
  return lock;
}

/** `days` from `now`, as the until of a lock set through the API. */
export function untilAfterDays(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}
