// Starts, stops and kills `vtl serve` from dist/ for the guest tier and the SIGKILL soak, and calls its management API.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../src/node-flags.js';

/** The repository root: the nearest ancestor of this file with a package.json (works from test/ and dist/test/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** A port that was free a moment ago (the benchmarks' single listeners). */
export async function freePort(): Promise<number> {
  const [port = 0] = await freePorts(1);
  return port;
}

/**
 * `count` distinct ports that were free a moment ago: each stays bound until all are, so the kernel cannot hand the
 * same one out twice (two bind-and-close probes in a row can return the same port, and vtl's API then fails to listen).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => {
      const address = server.address();
      return typeof address === 'object' && address ? address.port : 0;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** An iSCSI portal and an API port for one vtl process, distinct. */
export async function vtlPorts(): Promise<{ iscsiPort: number; apiPort: number }> {
  const [iscsiPort = 0, apiPort = 0] = await freePorts(2);
  return { iscsiPort, apiPort };
}

/** Something accepts TCP connections on 127.0.0.1:`port`. */
export async function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export interface VtlServerOptions {
  readonly dataDir: string;
  readonly configPath: string;
  readonly iscsiPort: number;
  readonly apiPort: number;
  /** vtl's stdout and stderr are appended here. */
  readonly logPath: string;
}

export class VtlServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly options: VtlServerOptions) {}

  get logPath(): string {
    return this.options.logPath;
  }

  /**
   * Starts `node <NODE_FLAGS> dist/src/main.js serve` (as the `vtl` command runs) and waits until the portal and the
   * API accept connections.
   */
  async start(timeoutMs = 30_000): Promise<void> {
    const o = this.options;
    const main = join(repoRoot(), 'dist', 'src', 'main.js');
    const log = createWriteStream(o.logPath, { flags: 'a' });
    const child = spawn(process.execPath, [...NODE_FLAGS, main, 'serve', '--data-dir', o.dataDir, '--listen', `127.0.0.1:${o.iscsiPort}`,
      '--api-listen', `127.0.0.1:${o.apiPort}`, '--config', o.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    // A test runner that exits early must not leave a server behind.
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let exitCode: number | null | undefined;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        process.removeListener('exit', killOnExit);
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`vtl serve exited with ${exitCode} while starting; log:\n${this.logTail()}`);
      if ((await portAccepts(o.iscsiPort)) && (await portAccepts(o.apiPort))) return;
      await sleep(100);
    }
    await this.stop();
    throw new Error(`vtl serve did not listen on ${o.iscsiPort} and ${o.apiPort} within ${timeoutMs} ms; log:\n${this.logTail()}`);
  }

  /** SIGKILL: no flush, no catalog close, nothing (the soak's crash); start() may follow on the same data. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a clean shutdown flushes the catalog), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([this.exited.then(() => false), sleep(10_000).then(() => true)]);
    if (killed) {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.child = undefined;
  }

  logTail(lines = 60): string {
    if (!existsSync(this.options.logPath)) return '(no log)';
    return readFileSync(this.options.logPath, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** A management API call with the server's bearer token; throws with the response body unless 2xx. */
  async api(method: string, path: string, body?: unknown): Promise<unknown> {
    const token = readFileSync(join(this.options.dataDir, 'api-token'), 'utf8').trim();
    const response = await fetch(`http://127.0.0.1:${this.options.apiPort}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }
}
