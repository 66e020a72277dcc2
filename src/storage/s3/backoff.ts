// Retries with exponential backoff for calls to the object store. Only retryable failures (unreachable, 5xx) are
// tried again; a 403 or a malformed request fails at once, since waiting cannot fix it.
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryable } from './object-store.js';

export interface BackoffOptions {
  /** Attempts before the last error is thrown; Infinity keeps trying until `stopped()` says so. */
  readonly attempts: number;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called after each failed attempt that will be retried (to log it, or to mark the store as down). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Called after each attempt that succeeded (the store is reachable). */
  readonly onSuccess?: () => void;
  /** Checked before each retry: true ends the loop with the last error. */
  readonly stopped?: () => boolean;
}

export async function withBackoff<T>(operation: () => Promise<T>, options: BackoffOptions): Promise<T> {
  let delayMs = options.firstDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await operation();
      options.onSuccess?.();
      return result;
    } catch (error) {
      if (!isRetryable(error) || attempt >= options.attempts || options.stopped?.() === true) throw error;
      // Jitter keeps several drives that failed together from retrying in lockstep.
      const wait = Math.round(delayMs * (0.75 + Math.random() * 0.5));
      options.onRetry?.(error, attempt, wait);
      await sleep(wait);
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    }
  }
}
