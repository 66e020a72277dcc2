// The server the browser tests drive: the real management server (API, console files, metrics) over a real
// LibraryManager with a SQLite catalog in a temp dir, and drives that record loads (test/management/harness.ts).
// Drive lib0/0 reports a stream in progress, so the dashboard shows throughput and a compression ratio.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configSchema } from '../../src/config/schema.js';
import { AuditTrail } from '../../src/library/audit-trail.js';
import { LibraryManager } from '../../src/library/library-manager.js';
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { ManagementServer } from '../../src/management/http/management-server.js';
import { DriveCommandStats } from '../../src/management/metrics/drive-command-stats.js';
import type { DriveMetricsSource, MediumCounters } from '../../src/management/metrics/metrics-sources.js';
import { VtlMetrics } from '../../src/management/metrics/vtl-metrics.js';
import { ManagementService } from '../../src/management/service.js';
import type { DriveActivity } from '../../src/management/views.js';
import { attachTestDrives, type TestDrive } from '../management/harness.js';

/** What the streaming drive reports: about 160 MB/s of host data, stored at 2.1 : 1. */
const HOST_BYTES_PER_MS = 160_000;
const STORED_RATIO = 2.1;

export interface ConsoleServer {
  readonly url: string;
  readonly adminToken: string;
  readonly manager: LibraryManager;
  readonly drives: TestDrive[];
  /** A token made through the API, with its secret. */
  token(name: string, role: 'viewer' | 'operator' | 'admin'): Promise<string>;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startConsoleServer(): Promise<ConsoleServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-console-'));
  const log = silentLogger();
  const config = configSchema.parse({
    server: { dataDir: dir },
    libraries: [
      { name: 'lib0', driveCount: 4, slots: 24, mailSlots: 4, initialCartridges: { count: 12, capacityBytes: 12e12 } },
      { name: 'vault-lib', driveCount: 2, slots: 10, mailSlots: 2, initialCartridges: { count: 4, barcodePrefix: 'V', capacityBytes: 18e12 } },
    ],
  });
  const db = new Database(join(dir, 'catalog.sqlite'));
  const manager = new LibraryManager({ config, mediaStore: new FileMediaStore({ directory: join(dir, 'media'), log }), log, db });
  await manager.start();
  const drives = await attachTestDrives(manager);
  const started = Date.now();
  const streamed = (): MediumCounters => {
    const host = (Date.now() - started) * HOST_BYTES_PER_MS;
    const stored = Math.round(host / STORED_RATIO);
    return { hostBytesWritten: host, hostBytesRead: 0, storedBytesWritten: stored, storedBytesRead: 0, blocksWritten: Math.floor(host / 262144), blocksRead: 0, filemarksWritten: 1 };
  };
  const streaming = (library: string, index: number): boolean => library === 'lib0' && index === 0 && drives[0]?.loaded !== undefined;
  const activity = (library: string, index: number): DriveActivity | undefined => {
    if (!streaming(library, index)) return undefined;
    const s = streamed();
    return { position: { partition: 0, blockNumber: s.blocksWritten, fileNumber: 1 }, bytesWritten: s.hostBytesWritten, bytesRead: 0 };
  };
  const stats = new DriveCommandStats();
  const metricsSource = (library: string, index: number): DriveMetricsSource | undefined =>
    streaming(library, index) ? { medium: () => ({ statistics: streamed }), errors: () => ({ readErrors: 0, writeErrors: 0 }), commands: stats } : undefined;
  const service = new ManagementService({ manager, version: '0.1.0', drives: activity });
  const metrics = new VtlMetrics({ manager, dataDir: dir, drive: metricsSource });
  const audit = new AuditTrail({ file: join(dir, 'audit.log'), log, anchor: manager.auditAnchor });
  const tokenFile = join(dir, 'api-token');
  const server = new ManagementServer({ service, log, tokenFile, audit, metrics, checkResponses: true });
  const { port } = await server.listen('127.0.0.1', 0);
  const url = `http://127.0.0.1:${port}`;
  const adminToken = (await readFile(tokenFile, 'utf8')).trim();
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    url,
    adminToken,
    manager,
    drives,
    api,
    async token(name, role) {
      return (await api<{ secret: string }>('POST', '/tokens', { name, role })).secret;
    },
    async close() {
      await server.close();
      assert.deepEqual(server.responseMismatches, [], 'answers that do not match their route\'s declared schema');
      metrics.close();
      service.close();
      manager.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
