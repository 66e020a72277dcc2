// A cluster node's part of `vtl serve` (config `cluster:`): the leases decide which libraries this node serves.
import type { ClusterNode } from './cluster/cluster-node.js';
import { forwardToOwner } from './cluster/forward-request.js';
import type { LibraryManager } from './library/library-manager.js';
import type { ManagementService } from './management/service.js';
import type { EventView } from './management/views.js';
import { ConfigError } from './config/load-config.js';
import type { VtlConfig } from './config/schema.js';
import type { Logger } from './log.js';
import type { LibraryServing } from './serve-libraries.js';

export interface ClusterSettings {
  readonly nodeId: string;
  readonly url: string;
  readonly portal: string;
  readonly apiAddress: string;
  readonly leaseMs: number;
  readonly renewEveryMs: number;
}

/** The cluster settings of the config, or undefined for a single node; a cluster needs the PostgreSQL catalog. */
export function clusterSettings(config: VtlConfig): ClusterSettings | undefined {
  const c = config.cluster;
  if (!c) return undefined;
  if (config.catalog.kind !== 'postgres') {
    throw new ConfigError([{ file: 'config', line: undefined, column: undefined, path: 'cluster',
      message: 'a cluster needs the catalog in PostgreSQL (catalog: {kind: postgres, url: ...}) that every node shares' }]);
  }
  const deduplicated = config.libraries.find((l) => l.dedup.enabled);
  if (deduplicated) {
    // One chunk index per node, and chunk writes outside the lease's storage fence (CLUSTER.md "Limits, stated").
    throw new ConfigError([{ file: 'config', line: undefined, column: undefined, path: `libraries.${deduplicated.name}.dedup`,
      message: 'deduplication is not supported on a cluster yet' }]);
  }
  const leaseMs = Math.round(c.leaseSeconds * 1000);
  const renewEveryMs = Math.round((c.renewSeconds ?? c.leaseSeconds / 3) * 1000);
  if (renewEveryMs * 2 > leaseMs) {
    throw new ConfigError([{ file: 'config', line: undefined, column: undefined, path: 'cluster.renewSeconds',
      message: `must be at most half of leaseSeconds (${c.leaseSeconds}): a lease must survive one lost renewal` }]);
  }
  return { nodeId: c.nodeId, url: config.catalog.url, portal: c.portal ?? config.server.listen, apiAddress: c.apiAddress ?? config.api.listen, leaseMs, renewEveryMs };
}

export async function startClusterNode(settings: ClusterSettings, serving: LibraryServing, log: Logger): Promise<ClusterNode> {
  // Loaded only by a cluster node: the PostgreSQL client costs a single node ~15 MiB of memory for nothing.
  const { ClusterNode } = await import('./cluster/cluster-node.js');
  const node = new ClusterNode({
    ...settings,
    libraries: serving.config.libraries.map((l) => l.name),
    log: log.child({ component: 'cluster' }),
    serve: (library, token, fence) => serving.serve(library, { token, fence }),
    unserve: (library, _token, reason) => void serving.unserve(library, reason),
    onOwners: (owners) => serving.setOwners(owners, settings.nodeId),
  });
  await node.start();
  log.info({ nodeId: settings.nodeId, portal: settings.portal, leaseMs: settings.leaseMs }, 'cluster node started: libraries follow their leases');
  return node;
}

/** Changes to a library another node serves go to that node's API (the management server's `forward`). */
export function clusterForward(node: ClusterNode, serving: LibraryServing, manager: LibraryManager, log: Logger): ReturnType<typeof forwardToOwner> {
  const config = serving.config;
  return forwardToOwner({
    nodeId: node.view().nodeId,
    view: () => node.view(),
    isServedHere: (library) => serving.isServed(library),
    locate: (barcode) => {
      try {
        return manager.cartridge(barcode).location;
      } catch {
        return undefined;
      }
    },
    scheme: config.api.tls ? 'https:' : 'http:',
    log: log.child({ component: 'cluster' }),
  });
}

/** Every node's events reach every node's event stream: this node's go out, the others' come in. */
export function shareClusterEvents(node: ClusterNode, service: ManagementService): void {
  const me = node.view().nodeId;
  service.subscribe((event) => {
    if (event.node === me) node.publishEvent(event);
  });
  node.listenForEvents((from, event) => {
    const { id: _id, ...rest } = event;
    service.publishRemote({ ...(rest as Omit<EventView, 'id'>), node: from });
  });
}
