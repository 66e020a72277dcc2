// One node of a cluster sharing a PostgreSQL catalog (CLUSTER.md): it names itself in `cluster_nodes` (its portal and
// API address, refreshed as a heartbeat), holds or seeks a lease per library (library-lease.ts), and reads who owns
// what for discovery, status and forwarding. What serving a library means is the caller's (serve-libraries.ts).
import pg from 'pg';
import type { Logger } from '../log.js';
import type { StorageFence } from '../storage/fenced-storage.js';
import { readOwners, type LibraryOwner } from './lease-table.js';
import { LibraryLease } from './library-lease.js';

export interface ClusterNodeOptions {
  /** The catalog's PostgreSQL. */
  readonly url: string;
  readonly nodeId: string;
  /** host:port where this node serves iSCSI, as hosts reach it. */
  readonly portal: string;
  /** host:port of this node's management API, as the other nodes reach it. */
  readonly apiAddress: string;
  readonly leaseMs: number;
  readonly renewEveryMs: number;
  readonly libraries: readonly string[];
  readonly log: Logger;
  /**
   * The lease on `library` is this node's, under `token`: start serving it, every change to its cartridges' storage
   * passing `fence` (reject: the lease is given up).
   */
  readonly serve: (library: string, token: number, fence: StorageFence) => Promise<void>;
  /** The lease is gone: stop serving at once. */
  readonly unserve: (library: string, token: number, reason: string) => void;
  /** Who owns what changed (read every renewal interval). */
  readonly onOwners?: (owners: readonly LibraryOwner[]) => void;
}

/** The PostgreSQL notification channel every node's events travel on (one JSON object per notification). */
const EVENTS_CHANNEL = 'vtl_events';

/** What another node published: its id and the event as its API shows it. */
export type RemoteEventListener = (node: string, event: Record<string, unknown>) => void;

export interface ClusterMember {
  readonly nodeId: string;
  readonly portal: string;
  readonly apiAddress: string;
  /** Heard of within the last lease time. */
  readonly live: boolean;
}

export interface ClusterView {
  readonly nodeId: string;
  readonly nodes: readonly ClusterMember[];
  readonly owners: readonly LibraryOwner[];
}

export class ClusterNode {
  private readonly pool: pg.Pool;
  private readonly leases = new Map<string, LibraryLease>();
  private owners: readonly LibraryOwner[] = [];
  private nodes: readonly ClusterMember[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private eventListener: RemoteEventListener | undefined;
  private stopped = false;

  constructor(private readonly options: ClusterNodeOptions) {
    // A statement cut off by a partition gives up before the next renewal is due, so the leases keep trying.
    const waitMs = Math.max(200, options.renewEveryMs);
    this.pool = new pg.Pool({ connectionString: options.url, max: 3, query_timeout: waitMs, connectionTimeoutMillis: waitMs });
    // An idle client's error (the server restarted) is the pool's to handle; the next query reconnects.
    this.pool.on('error', (err) => options.log.warn({ err }, 'cluster: a catalog connection failed'));
    for (const library of options.libraries) {
      const lease: LibraryLease = new LibraryLease({
        pool: this.pool, library, nodeId: options.nodeId, portal: options.portal, leaseMs: options.leaseMs, renewEveryMs: options.renewEveryMs,
        log: options.log,
        onAcquired: (token) => {
          options.log.info({ library, fencingToken: token }, 'library lease acquired: this node serves the library');
          options.serve(library, token, lease.fence(token)).catch((err: unknown) => {
            options.log.error({ err, library, fencingToken: token }, 'could not start serving the library: the lease is given up');
            void lease.release('this node could not start serving it');
          });
          void this.poll();
        },
        onLost: (token, reason) => {
          options.unserve(library, token, reason);
          void this.poll();
        },
      });
      this.leases.set(library, lease);
    }
  }

  /** Announce this node, then seek every library's lease. */
  async start(): Promise<void> {
    await this.heartbeat();
    for (const lease of this.leases.values()) lease.start();
    void this.poll();
    const tick = (): void => {
      this.timer = setTimeout(() => void this.poll().finally(tick), this.options.renewEveryMs);
    };
    tick();
  }

  /**
   * Deliver the other nodes' events to `listener` from now on (LISTEN on its own connection; events published while
   * it is reconnecting are missed, as a follower that reconnects may miss some: the catalog holds the state).
   */
  listenForEvents(listener: RemoteEventListener): void {
    this.eventListener = listener;
    void this.listen();
  }

  /** Send one of this node's events to the others (a notification: small, immediate, not kept). */
  publishEvent(event: object): void {
    this.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify({ node: this.options.nodeId, event })])
      .catch((err: unknown) => this.options.log.debug({ err }, 'cluster: could not publish an event'));
  }

  /** Give every lease up (the other nodes take over at once), and stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.listenRetry);
    await this.listener?.end().catch(() => undefined);
    clearTimeout(this.timer);
    await Promise.all([...this.leases.values()].map((l) => l.stop()));
    await this.polling;
    await this.pool.end();
  }

  /** The lease token this node holds on `library`, if any. */
  tokenOf(library: string): number | undefined {
    const s = this.leases.get(library)?.state;
    return s?.held ? s.token : undefined;
  }

  view(): ClusterView {
    return { nodeId: this.options.nodeId, nodes: this.nodes, owners: this.owners };
  }

  /** Read owners and members (and renew this node's heartbeat); a failure keeps the last view. */
  private poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        await this.heartbeat();
        this.owners = await readOwners(this.pool);
        const { rows } = await this.pool.query<{ node_id: string; portal: string; api_address: string; live: boolean }>(
          `SELECT node_id, portal, api_address, seen_at >= now() - $1 * interval '1 millisecond' AS live FROM cluster_nodes ORDER BY node_id`,
          [this.options.leaseMs]);
        this.nodes = rows.map((r) => ({ nodeId: r.node_id, portal: r.portal, apiAddress: r.api_address, live: r.live }));
        this.options.onOwners?.(this.owners);
      } catch (err) {
        this.options.log.debug({ err }, 'cluster: could not read the owners');
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  private async listen(): Promise<void> {
    if (this.stopped || !this.eventListener) return;
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: Math.max(200, this.options.renewEveryMs) });
    const retry = (): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      if (!this.stopped) this.listenRetry = setTimeout(() => void this.listen(), this.options.renewEveryMs);
    };
    this.listener = client;
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (n) => {
      try {
        const message = JSON.parse(n.payload ?? '') as { node?: unknown; event?: unknown };
        if (typeof message.node !== 'string' || message.node === this.options.nodeId || typeof message.event !== 'object' || message.event === null) return;
        this.eventListener?.(message.node, message.event as Record<string, unknown>);
      } catch (err) {
        this.options.log.warn({ err }, 'cluster: an event notification that is not ours was ignored');
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      this.options.log.debug({ err }, 'cluster: could not listen for the other nodes\' events; trying again');
      retry();
    }
  }

  private async heartbeat(): Promise<void> {
    const { nodeId, portal, apiAddress } = this.options;
    await this.pool.query(
      `INSERT INTO cluster_nodes (node_id, portal, api_address, seen_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (node_id) DO UPDATE SET portal = excluded.portal, api_address = excluded.api_address, seen_at = excluded.seen_at`,
      [nodeId, portal, apiAddress]);
  }
}
