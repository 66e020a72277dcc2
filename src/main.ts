#!/usr/bin/env -S node --max-semi-space-size=8
// The composition root and the `vtl` command: the only module that imports every layer.
import './thread-pool.js'; // first: before anything uses the libuv thread pool
import { Command, InvalidArgumentError } from 'commander';
import { realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkApiExposure, loadApiTls } from './config/api-exposure.js';
import { ConfigError } from './config/load-config.js';
import { resolveServeConfig, type ServeFlags } from './config/serve-config.js';
import { libraryIqn } from './config/schema.js';
import type { VtlConfig } from './config/schema.js';
import { IscsiServer } from './iscsi/server.js';
import { StaticTargetRegistry } from './iscsi/target-registry.js';
import type { IscsiTarget } from './iscsi/target-registry.js';
import { AuditSyslog } from './library/audit-syslog.js';
import { AUDIT_FILE, AuditTrail, type AuditEntry } from './library/audit-trail.js';
import { VaultKeeper } from './library/vault-keeper.js';
import { libraryDriveProtection } from './library/drive-protection.js';
import { resolveDriveIdentity } from './library/drive-identity.js';
import { LibraryManager } from './library/library-manager.js';
import { createLogger } from './log.js';
import type { Logger } from './log.js';
import { registerManagementCommands } from './management/cli/register.js';
import { ManagementServer } from './management/http/management-server.js';
import { DriveCommandStats } from './management/metrics/drive-command-stats.js';
import { VtlMetrics } from './management/metrics/vtl-metrics.js';
import { ManagementService } from './management/service.js';
import type { Cartridge } from './library/cartridge.js';
import { descriptorOf } from './library/cartridge-ops.js';
import { stagingRoutes } from './management/http/staging-routes.js';
import { dedupRoutes } from './management/http/dedup-routes.js';
import { dedupView } from './dedup-view.js';
import { loadMasterKey } from './media/crypto/load-master-key.js';
import { MasterKey } from './media/crypto/master-key.js';
import { rotateMasterKey } from './media/crypto/rotate-master-key.js';
import { CopyEngine } from './physical/copy-engine.js';
import { CopyJobStore } from './physical/copy-job-store.js';
import { copyEventOf, StagingService } from './physical/staging-service.js';
import type { PrPersistence } from './scsi/reservation.js';
import { createChangerUnit } from './scsi/smc/changer-unit.js';
import { createDriveUnit } from './scsi/ssc/drive-unit.js';
import type { TapeDrive } from './scsi/ssc/tape-drive.js';
import { ScsiTarget } from './scsi/target.js';
import { LocalStorage } from './storage/local-storage.js';
import { openMediaStores } from './open-media-stores.js';

export const VERSION = '0.1.0';
/** How often vault policies with afterUnloadHours are checked: an hour's granularity needs no finer. */
const VAULT_SWEEP_INTERVAL_MS = 60_000;

type ServeOptions = ServeFlags;

function parseHostPort(value: string): { host: string; port: number } {
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

/**
 * Where each logical unit keeps its persistent reservations when an initiator sets APTPL: `<library>-lun<N>.json`,
 * replaced atomically (write, fsync, rename, fsync the folder); removed when APTPL is turned off.
 */
async function aptplFiles(folder: string): Promise<(library: string, lun: number) => PrPersistence> {
  await mkdir(folder, { recursive: true });
  const storage = new LocalStorage(folder);
  return (library, lun) => {
    const file = `${encodeURIComponent(library)}-lun${lun}.json`;
    return {
      load: async () => (await storage.readFile(file))?.toString('utf8'),
      save: (text) => (text === undefined ? storage.removeFile(file) : storage.writeFileAtomic(file, Buffer.from(text, 'utf8'))),
    };
  };
}

export async function startServer(config: VtlConfig, log: Logger): Promise<RunningServer> {
  // Before anything starts: a bad certificate must not leave a half-started server behind.
  const tls = config.api.enabled && config.api.tls ? await loadApiTls(config.api.tls) : undefined;
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
  const mediaStore = stores.mediaStore;
  const manager = new LibraryManager({ config, mediaStore, log, catalogPath: join(dataDir, 'catalog.sqlite') });
  const report = await manager.start();
  // One audit log for every layer: the API records its changes here, the drives their destructive and refused commands.
  const syslog = config.audit.syslog && new AuditSyslog({ ...parseHostPort(config.audit.syslog.address), facility: config.audit.syslog.facility });
  const audit = new AuditTrail({
    file: join(dataDir, AUDIT_FILE),
    log: log.child({ component: 'audit' }),
    anchor: manager.auditAnchor,
    ...(syslog ? { forward: (entry: AuditEntry, line: string) => syslog.send(entry, line) } : {}),
  });
  const vault = new VaultKeeper(manager, config, log.child({ component: 'vault' }), audit);
  vault.start(VAULT_SWEEP_INTERVAL_MS);
  log.info({ report }, 'catalog opened');

  // Staging to physical tape (issue 15): only with physical libraries configured.
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
        })
      : undefined;
  await copies?.start();

  const aptpl = await aptplFiles(join(dataDir, 'reservations'));
  const drives: { library: string; index: number; drive: TapeDrive; commands: DriveCommandStats }[] = [];
  const targets: IscsiTarget[] = [];
  for (const library of config.libraries) {
    const iqn = libraryIqn(config, library);
    const target = new ScsiTarget(log.child({ component: 'scsi', library: library.name }));
    const driveCount = library.drives?.length ?? library.driveCount;
    const luns = (): readonly number[] => target.luns();
    const protection = libraryDriveProtection(manager.retention, library, audit);
    const changer = createChangerUnit({ manager, library: library.name, lunInventory: luns, log: log.child({ component: 'changer', library: library.name }) });
    await changer.device.reservation.attachPersistence(aptpl(library.name, 0));
    target.attach(0, changer);
    for (let index = 0; index < driveCount; index++) {
      const identity = resolveDriveIdentity(config, library, index);
      const commands = new DriveCommandStats();
      const { unit, drive } = createDriveUnit({
        observer: commands,
        name: `${library.name}/drive${index}`,
        identity,
        generation: identity.generation,
        compressionDefault: (library.drives?.[index]?.compression ?? library.driveDefaults.compression) ?? true,
        mediaStore,
        targetName: iqn,
        lunInventory: luns,
        log: log.child({ component: 'drive', library: library.name, drive: index }),
        protection,
        lun: index + 1,
      });
      await drive.reservation.attachPersistence(aptpl(library.name, index + 1));
      target.attach(index + 1, unit);
      await manager.attachDrive(library.name, index, drive);
      drives.push({ library: library.name, index, drive, commands });
    }
    targets.push({
      name: iqn,
      ...(library.alias ? { alias: library.alias } : {}),
      portalGroupTag: 1,
      device: target,
      access: {
        initiators: library.access.initiators,
        ...(library.access.chap ? { chap: library.access.chap } : {}),
      },
    });
  }

  const iscsi = new IscsiServer({
    registry: new StaticTargetRegistry(targets),
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
  const iscsiAddress = await iscsi.listen(listen.host, listen.port);
  stores.startBackground();
  log.info({ address: iscsiAddress, targets: targets.map((t) => t.name) }, 'serving libraries');

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
    });
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
    api = new ManagementServer({ service, extraRoutes, log, tokenFile: join(dataDir, 'api-token'), audit, metrics, metricsPublic: config.api.metricsPublic, ...(tls ? { tls } : {}) });
    const a = parseHostPort(config.api.listen);
    apiAddress = await api.listen(a.host, a.port);
  }

  return {
    iscsiAddress,
    apiAddress,
    async close(): Promise<void> {
      // In-flight commands finish first, then every cartridge is flushed and closed, then the catalog.
      await api?.close();
      metrics?.close();
      await vault.stop();
      await copies?.stop();
      await stores.stopBackground();
      await iscsi.close();
      for (const { drive } of drives) await drive.shutdown();
      manager.close();
      await stores.close();
      syslog?.close();
    },
  };
}

async function serve(options: ServeOptions): Promise<void> {
  let config: VtlConfig;
  try {
    config = await resolveServeConfig(options);
    checkApiExposure(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const log = createLogger({ level: config.server.logLevel });
  // The handlers go in before anything starts: a SIGTERM while the server is still starting (a service manager
  // stopping it, a test) must shut it down cleanly once it has started, not kill it half-started.
  let server: RunningServer | undefined;
  let signalled: string | undefined;
  let closing = false;
  const shutDown = (running: RunningServer, signal: string): void => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => {
        log.info('stopped');
        log.flush();
        process.exitCode = 0;
      },
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        log.flush();
        process.exitCode = 1;
      },
    );
  };
  const onSignal = (signal: string): void => {
    signalled ??= signal;
    if (server) shutDown(server, signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    server = await startServer(config, log);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
    return;
  }
  if (signalled !== undefined) shutDown(server, signalled);
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('vtl').description('A virtual tape library: SCSI media changer and LTO drives over iSCSI').version(VERSION);
  program
    .command('serve')
    .description('start the iSCSI target and the management API (the embedded default library without --config)')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('-d, --data-dir <dir>', 'where cartridges and the catalog live (default ./vtl-data)')
    .option('-l, --listen <host:port>', 'iSCSI portal (default 127.0.0.1:3260)', (v) => (parseHostPort(v), v))
    .option('--api-listen <host:port>', 'management API address (default 127.0.0.1:8090)', (v) => (parseHostPort(v), v))
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
    .option('--insecure-api', 'serve the API over plain HTTP on a non-loopback address (tokens cross the network in clear)')
    .action(async (options: ServeOptions) => serve(options));
  program
    .command('key')
    .description('encryption at rest (docs/SECURITY.md)')
    .command('rotate')
    .description('re-wrap every cartridge data key under a new master key (run with vtl stopped; no data is rewritten)')
    .option('-c, --config <file>', 'YAML configuration file (its encryption.masterKeyFile, or VTL_MASTER_KEY, is the current key)')
    .option('-d, --data-dir <dir>', 'where cartridges and the catalog live (default ./vtl-data)')
    .requiredOption('--new-key-file <file>', 'the new master key (64 hex digits); point the config at it afterwards')
    .action(async (options: ServeOptions & { newKeyFile: string }) => rotateKey(options));
  registerManagementCommands(program);
  return program;
}

/** `vtl key rotate`: exit code 0 when every encrypted cartridge is under the new key, 1 when some could not be. */
async function rotateKey(options: ServeOptions & { newKeyFile: string }): Promise<void> {
  const config = await resolveServeConfig(options);
  // The report goes to stdout; log lines to stderr.
  const log = createLogger({ level: config.server.logLevel, destination: 2 });
  const current = await loadMasterKey(config.encryption.masterKeyFile, process.env, log);
  const next = await MasterKey.fromFile(options.newKeyFile);
  const storage = new LocalStorage(join(resolve(config.server.dataDir), 'cartridges'));
  const report = await rotateMasterKey(storage, current, next, log);
  process.stdout.write(`${JSON.stringify({ master: next.id, ...report }, null, 2)}\n`);
  log.flush();
  if (report.failed.length > 0) process.exitCode = 1;
}

// Run as the `vtl` bin (possibly through npm's symlink), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
if (invokedDirectly) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`vtl: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
