// Which libraries this node serves, and how a library starts and stops being served. A single node serves every
// library from start to close; a cluster node (serve-cluster.ts) serves those it holds the lease of, starting one
// when it takes the lease and stopping it at once when it loses it.
import { libraryIqn, type VtlConfig } from './config/schema.js';
import type { LibraryOwner } from './cluster/lease-table.js';
import type { IscsiServer } from './iscsi/server.js';
import { StaticTargetRegistry, type RemoteTarget } from './iscsi/target-registry.js';
import { SerialQueue } from './serial-queue.js';
import { buildLibraryTarget, type LibraryTarget, type LibraryTargetContext, type ServedDrive } from './serve-library.js';
import type { StorageFence } from './storage/fenced-storage.js';

/** The lease a cluster node serves a library under. */
export interface ServingLease {
  readonly token: number;
  readonly fence: StorageFence;
}

/** This node's targets, and (on a cluster) the other nodes' for discovery. */
class NodeTargetRegistry extends StaticTargetRegistry {
  remote: readonly RemoteTarget[] = [];

  remoteTargets(): readonly RemoteTarget[] {
    return this.remote.filter((t) => this.find(t.name) === undefined);
  }
}

export class LibraryServing {
  readonly registry = new NodeTargetRegistry();
  /** The drives of the libraries served now (metrics, the API, the deduplication pass's idle check). */
  readonly drives: ServedDrive[] = [];
  private readonly served = new Map<string, LibraryTarget>();
  /** The token each library is to be served under; removed the moment the lease is lost. */
  private readonly wanted = new Map<string, number>();
  /** Starting and stopping one library happen in order (a lease lost while the library was starting, then won again). */
  private readonly queues = new Map<string, SerialQueue>();
  private iscsi: IscsiServer | undefined;

  constructor(private readonly ctx: LibraryTargetContext) {}

  /** The server whose sessions unserve() drops (created after the first targets). */
  useServer(iscsi: IscsiServer): void {
    this.iscsi = iscsi;
  }

  get config(): VtlConfig {
    return this.ctx.config;
  }

  isServed(library: string): boolean {
    return this.served.has(library);
  }

  /**
   * Serve `library`. Under a lease, its own start-up steps run first (startup-per-library.ts), recovering its
   * cartridges' state from the catalog and the shared storage, and every change to its cartridges' storage passes the
   * lease's fence; a lease lost meanwhile stops it before it is seen.
   */
  serve(library: string, lease?: ServingLease): Promise<void> {
    const token = lease?.token ?? 0;
    this.wanted.set(library, token);
    return this.queue(library).run(async () => {
      if (this.wanted.get(library) !== token) return;
      const config = this.ctx.config.libraries.find((l) => l.name === library);
      if (!config) throw new Error(`No library named "${library}" in the config`);
      if (lease) {
        this.fenceObjectStore(library, lease);
        const report = await this.ctx.manager.startLibrary(library, token);
        this.ctx.log.info({ library, fencingToken: token, report }, 'library recovered from the catalog and the storage');
      }
      const built = await buildLibraryTarget(this.ctx, config, lease?.fence);
      if (this.wanted.get(library) !== token) {
        // Lost while starting: nobody saw it; its drives close again, fenced: nothing more reaches the storage.
        this.ctx.manager.stopLibrary(library);
        await this.shutDown(built);
        return;
      }
      this.served.set(library, built);
      this.registry.add(built.target);
      this.drives.push(...built.drives);
      this.ctx.log.info({ library, fencingToken: token, target: built.target.name }, 'serving the library');
    });
  }

  /**
   * Stop serving `library` at once (its lease is lost): its target leaves discovery and login, its sessions are
   * dropped (no command of theirs reaches a drive any more), its drives leave the library; then the drives close
   * their cartridges, without flushing: the lease's fence refuses every change since the loss, so what the drives
   * still buffered is discarded (the hosts that sent it lost their sessions without an answer).
   */
  unserve(library: string, reason: string): Promise<void> {
    this.wanted.delete(library);
    const built = this.served.get(library);
    if (!built) return this.queue(library).idle();
    this.served.delete(library);
    this.registry.remove(built.target.name);
    const dropped = this.iscsi?.dropSessions(built.target.name, `library lost: ${reason}`) ?? 0;
    this.ctx.manager.stopLibrary(library);
    for (const d of built.drives) this.drives.splice(this.drives.indexOf(d), 1);
    this.ctx.log.warn({ library, sessions: dropped, reason }, 'stopped serving the library');
    return this.queue(library).run(async () => {
      await this.shutDown(built);
      this.ctx.log.info({ library }, 'the lost library\'s drives are closed');
    });
  }

  /**
   * Process shutdown: every served library's drives flush and close (the iSCSI server is closed first; a cluster node
   * gives its leases up after this).
   */
  async close(): Promise<void> {
    for (const [library, built] of [...this.served]) {
      this.served.delete(library);
      await this.queue(library).run(() => this.shutDown(built));
    }
  }

  /**
   * A library kept in S3: its uploads, copies and removals pass the lease's fence too (the uploader works behind the
   * drives). Its cache belongs to the process and may hold writes made under a lost lease, which a new fence would
   * let through: a library once lost is served again only after a restart (CLUSTER.md "Limits, stated").
   */
  private fenceObjectStore(library: string, lease: ServingLease): void {
    const store = this.ctx.objectStoreOf?.(library);
    if (store === undefined) return;
    if (store.fence !== undefined && store.fence !== lease.fence) {
      throw new Error(`Cannot serve library "${library}" again in this process: its S3 cache may hold writes made under a lost lease; restart the node to serve it`);
    }
    store.fence = lease.fence;
  }

  /** Where the other nodes serve their libraries, for SendTargets. */
  setOwners(owners: readonly LibraryOwner[], nodeId: string): void {
    this.registry.remote = owners.flatMap((o): RemoteTarget[] => {
      const library = this.ctx.config.libraries.find((l) => l.name === o.library);
      if (!library || !o.live || o.owner === nodeId) return [];
      return [{
        name: libraryIqn(this.ctx.config, library),
        portalGroupTag: 1,
        address: o.portal,
        access: { initiators: library.access.initiators, ...(library.access.chap ? { chap: library.access.chap } : {}) },
      }];
    });
  }

  /**
   * Close the drives' cartridges. Once the library's fence is closed every change to the storage fails at it, so a
   * failed close is the fence refusing the flush: what the drive buffered is discarded, as expected.
   */
  private async shutDown(built: LibraryTarget): Promise<void> {
    const fence = built.fence;
    for (const { drive, library, index } of built.drives) {
      await drive.shutdown().catch((err: unknown) => {
        if (fence?.refusal() !== undefined) this.ctx.log.warn({ library, drive: index, reason: err instanceof Error ? err.message : String(err) }, 'the drive\'s unflushed data was discarded: the lease is lost');
        else this.ctx.log.error({ err, library, drive: index }, 'a drive did not close cleanly');
      });
    }
  }

  private queue(library: string): SerialQueue {
    let q = this.queues.get(library);
    if (!q) this.queues.set(library, (q = new SerialQueue()));
    return q;
  }
}
