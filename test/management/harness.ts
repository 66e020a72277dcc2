// A running management API over a real LibraryManager (SQLite catalog and cartridge files in a temp dir) with
// drives that record loads, for the API and CLI tests.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configSchema, type VtlConfig } from '../../src/config/schema.js';
import { DriveRemovalPreventedError, type DriveMechanism, type DriveState, type MountRequest } from '../../src/library/drive-port.js';
import { AuditTrail } from '../../src/library/audit-trail.js';
import { LibraryManager } from '../../src/library/library-manager.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { ManagementServer } from '../../src/management/http/management-server.js';
import type { Route } from '../../src/management/http/router.js';
import { ManagementService, type DriveStatusProvider, type SessionInfo } from '../../src/management/service.js';
import type { DriveActivity } from '../../src/management/views.js';

export class TestDrive implements DriveMechanism {
  loaded: MountRequest | undefined;
  removalPrevented = false;
  ejected = false;

  constructor(readonly name: string) {}

  state(): DriveState {
    return { loaded: this.loaded?.barcode, removalPrevented: this.removalPrevented, ejected: this.ejected };
  }

  async load(request: MountRequest): Promise<void> {
    this.loaded = request;
  }

  async unload(options: { readonly force: boolean }): Promise<void> {
    if (this.removalPrevented && !options.force) throw new DriveRemovalPreventedError(this.name);
    this.loaded = undefined;
    this.removalPrevented = false;
  }
}

export interface ApiHarness {
  readonly dir: string;
  readonly url: string;
  readonly token: string;
  readonly tokenFile: string;
  /** The catalog's connection (the manager's own), for tests that make SQLite fail. */
  readonly db: Database.Database;
  readonly manager: LibraryManager;
  readonly service: ManagementService;
  readonly server: ManagementServer;
  readonly audit: AuditTrail;
  readonly drives: TestDrive[];
  readonly sessions: SessionInfo[];
  /** The service's clock: tests move it to check what the API derives from time. */
  readonly clock: { now: Date };
  /** JSON request with the token (unless `token` is given, or null for none). */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

export function testConfig(dir: string): VtlConfig {
  return configSchema.parse({
    server: { dataDir: dir },
    libraries: [
      { name: 'lib0', driveCount: 2, slots: 6, mailSlots: 2, initialCartridges: { count: 3, capacityBytes: 1048576 } },
      { name: 'lib1', driveCount: 1, slots: 4, mailSlots: 1, initialCartridges: { count: 1, barcodePrefix: 'B' } },
    ],
  });
}

export interface ApiHarnessOptions {
  readonly log?: Logger;
  readonly config?: (dir: string) => VtlConfig;
  /** Serve HTTPS with this certificate and key (PEM); `url` is then https://. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** The optional parts' routes (staging, deduplication), as main.ts adds them. */
  readonly extraRoutes?: readonly Route[];
}

/** A TestDrive in every drive element of every library, attached as vtl serve attaches its drives. */
export async function attachTestDrives(manager: LibraryManager): Promise<TestDrive[]> {
  const drives: TestDrive[] = [];
  for (const library of manager.libraries()) {
    for (let i = 0; i < library.drives; i++) {
      const drive = new TestDrive(`${library.name}/${i}`);
      drives.push(drive);
      await manager.attachDrive(library.name, i, drive);
    }
  }
  return drives;
}

export async function startApi(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-management-'));
  const config = (options.config ?? testConfig)(dir);
  const log = options.log ?? silentLogger();
  const db = new Database(join(dir, 'catalog.sqlite'));
  const clock = { now: new Date('2026-12-01T08:00:00.000Z') };
  const manager = new LibraryManager({ config, mediaStore: new FileMediaStore({ directory: join(dir, 'media'), log }), log, db, now: () => clock.now });
  await manager.start();
  const drives = await attachTestDrives(manager);
  const activity: DriveStatusProvider = (library, index): DriveActivity | undefined =>
    library === 'lib0' && index === 0 ? { position: { partition: 0, blockNumber: 42, fileNumber: 2 }, bytesWritten: 4096, bytesRead: 512 } : undefined;
  const sessions: SessionInfo[] = [];
  const service = new ManagementService({ manager, version: '9.9.9-test', drives: activity, sessions: () => sessions, now: () => clock.now });
  const tokenFile = join(dir, 'api-token');
  const audit = new AuditTrail({ file: join(dir, 'audit.log'), log, now: () => clock.now, anchor: manager.auditAnchor });
  // Every answer the tests provoke is checked against its route's declaration (the schemas the document comes from).
  const server = new ManagementServer({ service, log, tokenFile, audit, checkResponses: true, ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}), ...(options.tls ? { tls: options.tls } : {}) });
  const { port } = await server.listen('127.0.0.1', 0);
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const token = (await readFile(tokenFile, 'utf8')).trim();
  return {
    dir,
    url,
    token,
    tokenFile,
    db,
    manager,
    service,
    server,
    audit,
    drives,
    sessions,
    clock,
    async call(method, path, body, useToken) {
      const headers: Record<string, string> = {};
      const bearer = useToken === undefined ? token : useToken;
      if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
    },
    async close() {
      await server.close();
      service.close();
      manager.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
      // A mismatch was also answered 500, but a test that did not look at that answer must fail too.
      assert.deepEqual(server.responseMismatches, [], 'answers that do not match their route\'s declared schema');
    },
  };
}
