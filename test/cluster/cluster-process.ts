// `vtl serve` as one node of a cluster on loopback, for the failover tests: its config (shared PostgreSQL catalog,
// shared data directory, short leases), its log lines as they come, and SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { portAccepts, vtlPorts } from '../e2e/vtl-process.js';
import { startTestPostgres, type TestPostgres } from '../library/catalog-postgres-service.js';

const here = fileURLToPath(import.meta.url);
const MAIN = here.endsWith('.ts') ? join(here, '../../../src/main.ts') : join(here, '../../../src/main.js');

/** A short lease so that a takeover happens in a few seconds (the default is 15 s). */
export const LEASE_SECONDS = 2;
export const RENEW_SECONDS = 0.4;
export const IQN = 'iqn.2026-11.org.vtl:lib0';

export interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export class ClusterProcess {
  readonly lines: LogLine[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly waiters = new Set<() => void>();

  private constructor(readonly nodeId: string, readonly iscsiPort: number, readonly apiPort: number, private readonly configPath: string,
    private readonly dataDir: string) {}

  /** Writes the node's config; `catalogUrl` may lead through a proxy (to cut this node off from the database). */
  static async create(dir: string, nodeId: string, catalogUrl: string): Promise<ClusterProcess> {
    const { iscsiPort, apiPort } = await vtlPorts();
    const configPath = join(dir, `${nodeId}.json`);
    writeFileSync(configPath, JSON.stringify({
      catalog: { kind: 'postgres', url: catalogUrl, timeoutMs: 1000 },
      cluster: { nodeId, portal: `127.0.0.1:${iscsiPort}`, apiAddress: `127.0.0.1:${apiPort}`, leaseSeconds: LEASE_SECONDS, renewSeconds: RENEW_SECONDS },
      libraries: [{ name: 'lib0', driveCount: 1, slots: 4, mailSlots: 1, initialCartridges: { count: 2, capacityBytes: 64 << 20 } }],
    }));
    return new ClusterProcess(nodeId, iscsiPort, apiPort, configPath, join(dir, 'data'));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the node and waits until its portal is open (it may not serve any library yet). */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [...process.execArgv, MAIN, 'serve', '--config', this.configPath, '--data-dir', this.dataDir,
      '--listen', `127.0.0.1:${this.iscsiPort}`, '--api-listen', `127.0.0.1:${this.apiPort}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    process.once('exit', () => child.kill('SIGKILL'));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.lines.push({ ...(JSON.parse(line) as LogLine), node: this.nodeId });
      } catch {
        return;
      }
      for (const w of this.waiters) w();
    });
    await Promise.race([
      this.waitFor((l) => l.msg === 'cluster node started: libraries follow their leases'),
      this.exited.then((code) => Promise.reject(new Error(`${this.nodeId} exited with ${code} while starting`))),
    ]);
    // The management API opens just after.
    while (!(await portAccepts(this.apiPort))) await sleep(50);
  }

  /** The first log line (already logged or to come) that `match` accepts. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine> {
    const found = this.lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const check = (): void => {
        const line = this.lines.find(match);
        if (!line) return;
        this.waiters.delete(check);
        resolve(line);
      };
      this.waiters.add(check);
    });
  }

  /** This node started serving lib0 (under which token). */
  serving(after = 0): Promise<LogLine> {
    return this.waitFor((l) => l.msg === 'serving the library' && Number(l['fencingToken']) > after);
  }

  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** A management API call with the shared admin token; throws with the answer unless 2xx. */
  async api(path: string, method = 'GET', body?: unknown): Promise<unknown> {
    const token = readFileSync(join(this.dataDir, 'api-token'), 'utf8').trim();
    const response = await fetch(`http://127.0.0.1:${this.apiPort}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }
}

/** Serving and stopping of lib0 on every node, in time order: the fencing token sequence of the tests. */
export function ownership(nodes: readonly ClusterProcess[]): { node: string; event: 'start' | 'stop'; token: number; time: number }[] {
  return nodes
    .flatMap((n) => n.lines)
    .filter((l) => l.msg === 'serving the library' || l.msg === 'library lease lost: this node stops serving the library')
    .map((l) => ({ node: String(l['node']), event: l.msg === 'serving the library' ? ('start' as const) : ('stop' as const), token: Number(l['fencingToken']), time: l.time }))
    .sort((a, b) => a.time - b.time);
}

/** A test file's PostgreSQL, and the nodes and folders its tests make: all killed, stopped and removed after the file. */
export function clusterFixture(): { readonly postgres: TestPostgres; readonly nodes: ClusterProcess[]; readonly tempDir: (prefix: string) => string } {
  const postgres = startTestPostgres();
  const dirs: string[] = [];
  const nodes: ClusterProcess[] = [];
  after(async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    postgres.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    postgres,
    nodes,
    tempDir: (prefix) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
