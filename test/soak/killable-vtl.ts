// Test support: `vtl serve` from dist/ as a child process that the soak kills with SIGKILL and starts again on the
// same data folder and ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { portAccepts, repoRoot } from '../e2e/vtl-process.js';

export interface KillableVtlOptions {
  readonly dataDir: string;
  readonly configPath: string;
  readonly iscsiPort: number;
  readonly apiPort: number;
  /** stdout and stderr of every run are appended here. */
  readonly logPath: string;
}

export class KillableVtl {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly options: KillableVtlOptions) {}

  /** Start and wait until the portal and the API accept connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    const o = this.options;
    const main = join(repoRoot(), 'dist', 'src', 'main.js');
    const child = spawn(process.execPath, [...NODE_FLAGS, main, 'serve', '--data-dir', o.dataDir, '--listen', `127.0.0.1:${o.iscsiPort}`,
      '--api-listen', `127.0.0.1:${o.apiPort}`, '--config', o.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(o.logPath, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
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
      if (exitCode !== undefined) throw new Error(`vtl serve exited with ${exitCode} while starting; log: ${o.logPath}`);
      if ((await portAccepts(o.iscsiPort)) && (await portAccepts(o.apiPort))) return;
      await sleep(25);
    }
    await this.kill();
    throw new Error(`vtl serve did not listen within ${timeoutMs} ms; log: ${o.logPath}`);
  }

  /** SIGKILL: no flush, no catalog close, nothing. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the clean shutdown. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await this.exited;
  }

  /** A management API call with the server's bearer token; throws with the response body unless 2xx. */
  async api(method: string, path: string): Promise<unknown> {
    const token = readFileSync(join(this.options.dataDir, 'api-token'), 'utf8').trim();
    const response = await fetch(`http://127.0.0.1:${this.options.apiPort}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }
}
