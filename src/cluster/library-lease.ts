// Ownership of one library among several vtl nodes sharing a PostgreSQL catalog: a lease row per library
// (`library_leases`, catalog migration 3) with a fencing token that grows by one at every change of owner.
//
// Safety (never two owners): the server decides expiry by its own clock (`expires_at`, set from now() when a renewal
// arrives). The holder decides by its own monotonic clock, counting from when it SENT the renewal: the server's
// expiry is then no earlier than the holder's, so a holder cut off from the database stops serving before the
// server lets anyone else take the lease. A margin (`leaseMs / 10`) covers the two clocks' rates differing.
// Liveness: a node retries every `renewEveryMs`; after the owner dies, another takes the library within
// leaseMs + renewEveryMs.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { Logger } from '../log.js';
import { SerialQueue } from '../serial-queue.js';
import type { StorageFence } from '../storage/fenced-storage.js';

export interface LibraryLeaseOptions {
  readonly pool: pg.Pool;
  readonly library: string;
  readonly nodeId: string;
  /** Where this node serves iSCSI (host:port), shown to others as the owner's portal. */
  readonly portal: string;
  readonly leaseMs: number;
  /** Default leaseMs / 3. */
  readonly renewEveryMs?: number;
  readonly log: Logger;
  /** This node now owns the library: serve it (recover the cartridges' state first), fenced by `token`. */
  readonly onAcquired: (token: number) => void;
  /** This node no longer owns it: stop serving at once (close its sessions; write nothing more under `token`). */
  readonly onLost: (token: number, reason: string) => void;
}

export type LeaseHolding = { readonly held: false } | { readonly held: true; readonly token: number; readonly validUntil: number };

export class LibraryLease {
  private holding: LeaseHolding = { held: false };
  private readonly queue = new SerialQueue();
  private timer: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly renewEveryMs: number;

  constructor(private readonly options: LibraryLeaseOptions) {
    this.renewEveryMs = options.renewEveryMs ?? Math.floor(options.leaseMs / 3);
  }

  get state(): LeaseHolding {
    return this.holding;
  }

  /**
   * The storage fence of what this node does under `token` (CLUSTER.md "The fence in the storage"): it refuses once
   * the lease is lost or held under another token, and as soon as the holder's own expiry has passed by the
   * monotonic clock, even when the timer that would call onLost has not run yet (an event loop blocked meanwhile).
   */
  fence(token: number): StorageFence {
    const library = this.options.library;
    return {
      refusal: () => {
        const h = this.holding;
        if (!h.held || h.token !== token) return `this node lost the lease on library "${library}" held under fencing token ${token}`;
        if (performance.now() >= h.validUntil) return `this node's lease on library "${library}" (fencing token ${token}) expired by its own clock`;
        return undefined;
      },
    };
  }

  /** Try at once, then every renewEveryMs: renew while held, acquire while not. */
  start(): void {
    this.schedule(0);
  }

  /** Stop trying; a held lease is given up so that another node can take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.release('this node stops');
  }

  /** Give a held lease up (this node could not serve the library); unless stopped, it tries again later. */
  release(reason: string): Promise<void> {
    return this.queue.run(async () => {
      const h = this.holding;
      if (!h.held) return;
      this.lose(reason);
      await this.options.pool.query(
        `UPDATE library_leases SET expires_at = now() - interval '1 millisecond' WHERE library = $1 AND owner = $2 AND token = $3`,
        [this.options.library, this.options.nodeId, h.token]).catch(() => undefined);
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.queue.run(() => this.tick()).finally(() => this.schedule(this.renewEveryMs));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const sentAt = performance.now();
    const h = this.holding;
    try {
      const { rows } = h.held ? await this.renew(h.token) : await this.acquire();
      const token = rows[0]?.token;
      if (token === undefined) {
        if (h.held) this.lose('the lease was taken over or expired at the server');
        return;
      }
      if (this.stopped) return;
      // The lease runs from when the request left: the server's expiry is no earlier than this.
      this.hold(Number(token), sentAt + this.options.leaseMs - this.options.leaseMs / 10);
      if (!h.held) this.options.onAcquired(Number(token));
    } catch (err) {
      // Unreachable database: keep the lease until its local expiry (the timer), and try again next tick.
      this.options.log.warn({ err, library: this.options.library }, 'library lease: the catalog database did not answer');
    }
  }

  private acquire(): Promise<pg.QueryResult<{ token: string }>> {
    const { library, nodeId, portal, leaseMs } = this.options;
    return this.options.pool.query<{ token: string }>(
      `INSERT INTO library_leases (library, owner, portal, token, expires_at)
         VALUES ($1, $2, $3, 1, now() + $4 * interval '1 millisecond')
       ON CONFLICT (library) DO UPDATE SET owner = excluded.owner, portal = excluded.portal,
         token = library_leases.token + 1, expires_at = excluded.expires_at
         WHERE library_leases.expires_at < now()
       RETURNING token`, [library, nodeId, portal, leaseMs]);
  }

  private renew(token: number): Promise<pg.QueryResult<{ token: string }>> {
    const { library, nodeId, leaseMs } = this.options;
    return this.options.pool.query<{ token: string }>(
      `UPDATE library_leases SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE library = $1 AND owner = $2 AND token = $3 AND expires_at >= now() RETURNING token`, [library, nodeId, token, leaseMs]);
  }

  private hold(token: number, validUntil: number): void {
    this.holding = { held: true, token, validUntil };
    this.armExpiry();
  }

  /** Timers round to whole milliseconds and may fire a fraction early: check, and wait again for what is left. */
  private armExpiry(): void {
    clearTimeout(this.expiry);
    const h = this.holding;
    if (!h.held) return;
    const left = h.validUntil - performance.now();
    if (left <= 0) {
      this.lose('no renewal reached the database in time');
      return;
    }
    this.expiry = setTimeout(() => this.armExpiry(), Math.ceil(left));
  }

  private lose(reason: string): void {
    const h = this.holding;
    if (!h.held) return;
    clearTimeout(this.expiry);
    this.holding = { held: false };
    this.options.log.warn({ library: this.options.library, fencingToken: h.token, reason }, 'library lease lost: this node stops serving the library');
    this.options.onLost(h.token, reason);
  }
}
