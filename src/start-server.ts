// The composition of a running vtl: the media stores, the library manager and catalog, the audit trail, staging to
// physical tape, the served libraries, the iSCSI portal and the management API, started in that order and closed in
// the reverse. main.ts runs it as `vtl serve` (the process: configuration errors, signals, exit codes); tests start it
// in their own process.
import './thread-pool.js'; // first: before anything uses the libuv thread pool
import { InvalidArgumentError } from 'commander';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadApiTls } from './config/api-exposure.js';
import type { VtlConfig } from './config/schema.js';
import { IscsiServer } from './iscsi/server.js';
import { AuditSyslog } from './library/audit-syslog.js';
import { AUDIT_FILE, AuditTrail, type AuditEntry } from './library/audit-trail.js';
import { VaultKeeper } from './library/vault-keeper.js';
import { LibraryManager } from './library/library-manager.js';
import type { Logger } from './log.js';
import { ManagementServer } from './management/http/management-server.js';
import { VtlMetrics } from './management/metrics/vtl-metrics.js';
import { ManagementService } from './management/service.js';
import type { Cartridge } from './library/cartridge.js';
import { descriptorOf } from './library/cartridge-ops.js';
import { stagingRoutes } from './management/http/staging-routes.js';
import { dedupRoutes } from './management/http/dedup-routes.js';
import { dedupView } from './dedup-view.js';
import { CopyEngine } from './physical/copy-engine.js';
import { CopyJobStore } from './physical/copy-job-store.js';
import { HostActivity } from './physical/host-activity.js';
import { RecallingMediaStore } from './physical/recalling-media-store.js';
import { ReleasedStore } from './physical/released-store.js';
import { copyEventOf, StagingService } from './physical/staging-service.js';
import { LocalStorage } from './storage/local-storage.js';
import { onAesGcmChosen } from './media/crypto/aes-gcm-choice.js';
import type { AesGcm } from './media/crypto/aes-gcm.js';
import { loadMasterKey } from './media/crypto/load-master-key.js';
import { openMediaStores } from './open-media-stores.js';
import { clusterForward, clusterSettings, shareClusterEvents, startClusterNode } from './serve-cluster.js';
import { LibraryServing } from './serve-libraries.js';
import { aptplFiles } from './serve-library.js';

export const VERSION = '0.1.0';
/** How often vault policies with afterUnloadHours are checked: an hour's granularity needs no finer. */
const VAULT_SWEEP_INTERVAL_MS = 60_000;
/** The start-up's line for each AES-256-GCM implementation (OPERATIONS.md "Encryption's cipher" quotes them). */
const AES_GCM_LOG_LINES: Record<AesGcm['name'], string> = {
  'ipsec-mb': 'AES-256-GCM: ipsec-mb (VAES, AVX-512)',
  libcrypto: 'AES-256-GCM: the system libcrypto',
  'node:crypto': 'AES-256-GCM: node:crypto (slower)',
};

/** HOST:PORT (IPv6 in brackets); commander's error type, so a bad flag reads as one. */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`"${value}" is not HOST:PORT (e.g. 127.0.0.1:3260)`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** A running server: everything `serve` started, in the order it must stop. */
export interface RunningServer {
  readonly iscsiAddress: { host: string; port: number };
  readonly apiAddress: { host: string; port: number } | undefined;
  close(): Promise<void>;
}

export async function startServer(config: VtlConfig, log: Logger): Promise<RunningServer> {
  // Before anything starts: a bad certificate must not leave a half-started server behind.
  const tls = config.api.enabled && config.api.tls ? await loadApiTls(config.api.tls) : undefined;
  const cluster = clusterSettings(config);
  const dataDir = resolve(config.server.dataDir);
  await mkdir(dataDir, { recursive: true });
  const masterKey = await loadMasterKey(config.encryption.masterKeyFile, process.env, log.child({ component: 'media' }));
  const known = (barcode: string): Cartridge | undefined => {
    try {
      return manager.cartridge(barcode);
    } catch {
      return undefined;
    }
  };
  // Data moved by hosts (READ and WRITE commands of every drive), as of the deduplication pass's last look.
  let dataCommandsSeen = -1;
  const idle = (): boolean => {
    let total = 0;
    for (const d of drives) for (const [name, count] of d.commands.commands) if (name.startsWith('READ(') || name.startsWith('WRITE(')) total += count;
    const quiet = total === dataCommandsSeen;
    dataCommandsSeen = total;
    return quiet;
  };
  const stores = await openMediaStores(config, dataDir, log, masterKey, {
    libraryOf: (barcode) => known(barcode)?.location.library,
    describe: (barcode) => {
      const c = known(barcode);
      return c?.generation === undefined ? undefined : descriptorOf({ barcode, generation: c.generation, worm: c.worm, capacityBytes: c.capacityBytes });
    },
    idle,
  });
  // With physical libraries, released cartridges (stubs) are recalled from physical tape when they are opened.
  const stubs = config.physicalLibraries.length > 0 ? new RecallingMediaStore(stores.mediaStore, new ReleasedStore(new LocalStorage(dataDir))) : undefined;
  await stubs?.stubs.load();
  const mediaStore = stubs ?? stores.mediaStore;
  const manager = new LibraryManager({ config, mediaStore, log, catalogPath: join(dataDir, 'catalog.sqlite') });
  const report = cluster ? await manager.startShared() : await manager.start();
  // One audit log for every layer: the API records its changes here, the drives their destructive and refused commands.
  const syslog = config.audit.syslog && new AuditSyslog({ ...parseHostPort(config.audit.syslog.address), facility: config.audit.syslog.facility });
  const audit = new AuditTrail({
    // A cluster node keeps its own (the data directory is shared): `audit-<node>.log`.
    file: join(dataDir, cluster ? AUDIT_FILE.replace(/\.log$/, `-${cluster.nodeId}.log`) : AUDIT_FILE),
    log: log.child({ component: 'audit' }),
    anchor: manager.auditAnchor,
    ...(syslog ? { forward: (entry: AuditEntry, line: string) => syslog.send(entry, line) } : {}),
  });
  log.info({ report }, 'catalog opened');
  // Which AES-256-GCM seals and opens records (ipsec-mb, the system's libcrypto or node:crypto, and why not a faster one):
  // a fallback costs speed. Said when the first encrypted record needs it; a vtl that never encrypts loads none.
  onAesGcmChosen((cipher) => {
    log.info({ cipher: cipher.name, ...(cipher.fallbackReason === undefined ? {} : { reason: cipher.fallbackReason }) }, AES_GCM_LOG_LINES[cipher.name]);
  });

  // Staging to physical tape (issue 15): only with physical libraries configured. Idle copies wait for the drives' host I/O to stop.
  const hostActivity = new HostActivity();
  const copies =
    config.physicalLibraries.length > 0
      ? new CopyEngine({
          manager,
          mediaStore,
          store: new CopyJobStore(new LocalStorage(dataDir)),
          physicalLibraries: config.physicalLibraries,
          copy: config.copy,
          initiatorName: config.copy.initiatorName ?? `${config.server.targetPrefix}:stager`,
          log: log.child({ component: 'copy' }),
          hostActivity,
          ...(stubs ? { stubs } : {}),
        })
      : undefined;
  if (copies) stubs?.bind(manager.releasedTo, (stub, medium) => copies.recall(stub, medium));
  await copies?.start();

  const serving = new LibraryServing({
    config, manager, mediaStore, audit, aptpl: await aptplFiles(join(dataDir, 'reservations')), log,
    driveCommandDone: (library, command) => hostActivity.commandDone(library, command),
    objectStoreOf: (library) => stores.objectStoreOf(library),
  });
  const drives = serving.drives;
  const vault = new VaultKeeper(manager, config, log.child({ component: 'vault' }), audit, (library) => serving.isServed(library));
  vault.start(VAULT_SWEEP_INTERVAL_MS);
  if (!cluster) for (const library of config.libraries) await serving.serve(library.name);

  const iscsi = new IscsiServer({
    registry: serving.registry,
    log,
    limits: {
      maxRecvDataSegmentLength: config.iscsi.maxRecvDataSegmentLength,
      maxBurstLength: config.iscsi.maxBurstLength,
      firstBurstLength: config.iscsi.firstBurstLength,
    },
    nopInIntervalMs: config.iscsi.nopInIntervalSeconds * 1000,
    nopInTimeoutMs: config.iscsi.nopInTimeoutSeconds * 1000,
    maxConnections: config.iscsi.maxConnections,
    ...(config.iscsi.discoveryChap ? { discoveryChap: config.iscsi.discoveryChap } : {}),
  });
  const listen = parseHostPort(config.server.listen);
  serving.useServer(iscsi);
  const iscsiAddress = await iscsi.listen(listen.host, listen.port);
  stores.startBackground();
  log.info({ address: iscsiAddress, targets: serving.registry.targets().map((t) => t.name) }, 'serving libraries');
  // A cluster node takes its libraries' leases once its portal is open: they are served from then on.
  const node = cluster && (await startClusterNode(cluster, serving, log));

  let api: ManagementServer | undefined;
  let metrics: VtlMetrics | undefined;
  let apiAddress: { host: string; port: number } | undefined;
  if (config.api.enabled) {
    const dedup = stores.dedup ? dedupView(stores.dedup, manager, config) : undefined;
    const service = new ManagementService({
      manager,
      version: VERSION,
      ...(dedup ? { dedup } : {}),
      sessions: () => iscsi.sessions(),
      drives: (library, index) => drives.find((d) => d.library === library && d.index === index)?.drive.status(),
      ...(node ? { cluster: () => node.view(), nodeId: node.view().nodeId } : {}),
    });
    if (node) shareClusterEvents(node, service);
    // Read at scrape time only: the cartridge's own counters, the drive's error counters, the dispatcher's counts.
    metrics = new VtlMetrics({
      manager,
      dataDir,
      ...(dedup ? { dedup } : {}),
      sessions: () => iscsi.sessions(),
      drive: (library, index) => {
        const d = drives.find((x) => x.library === library && x.index === index);
        return d && { medium: () => d.drive.mounted()?.medium, errors: () => d.drive.errors.counters, commands: d.commands };
      },
    });
    const extraRoutes = [...(copies ? stagingRoutes(new StagingService(copies, manager)) : []), ...(dedup ? dedupRoutes(dedup) : [])];
    copies?.on((job) => service.publishCopyJob(copyEventOf(job), job.updatedAt));
    api = new ManagementServer({ service, extraRoutes, log, tokenFile: join(dataDir, 'api-token'), audit, metrics, metricsPublic: config.api.metricsPublic, ...(tls ? { tls } : {}),
      ...(node ? { forward: clusterForward(node, serving, manager, log) } : {}) });
  }

  // In-flight commands finish first, then every cartridge is flushed and closed, then the catalog.
  const close = async (): Promise<void> => {
    if (apiAddress) await api?.close();
    metrics?.close();
    await vault.stop();
    await copies?.stop();
    await stores.stopBackground();
    await iscsi.close();
    // The drives flush and the S3 caches upload while this node still holds the leases (their storage fence closes
    // with a lease), then the leases go and the other nodes take the libraries over at once.
    await serving.close();
    await stores.close();
    if (node) await node.stop();
    manager.close();
    syslog?.close();
  };
  if (api) {
    // A management address already taken must not leave the portal serving without an API: everything started closes.
    const a = parseHostPort(config.api.listen);
    try {
      apiAddress = await api.listen(a.host, a.port);
    } catch (err) {
      await close().catch((closeErr: unknown) => log.error({ err: closeErr }, 'error while closing after a failed start'));
      throw err;
    }
  }
  return { iscsiAddress, apiAddress, close };
}
