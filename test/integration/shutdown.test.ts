// `vtl serve` as a process: structured log lines, clean shutdown on SIGTERM/SIGINT with buffered records flushed,
// and the state found again on the next start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
// Built: dist/test/integration -> dist/src/main.js; under tsx: test/integration -> src/main.ts.
const here = fileURLToPath(import.meta.url);
const MAIN = here.endsWith('.ts') ? join(here, '../../../src/main.ts') : join(here, '../../../src/main.js');

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

async function serve(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, [...process.execArgv, MAIN, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--api-listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry['msg'] === 'serving libraries') resolve((entry['address'] as { port: number }).port);
    });
    void exited.then((code) => reject(new Error(`vtl exited with ${code} before listening`)));
  });
  children.push(child);
  return { child, port, lines, exited };
}

const children: ChildProcess[] = [];

describe('vtl serve as a process', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-shutdown-'));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('SIGTERM stops it cleanly with buffered records flushed, and the next start finds them', async () => {
    const record = Buffer.alloc(32768, 0x5a);
    const first = await serve(dir);
    let s = await IscsiInitiator.connect({ host: '127.0.0.1', port: first.port, initiatorName: 'iqn.2026-11.org.vtl.test:shutdown', targetName: IQN });
    await s.command(0, [0x00, 0, 0, 0, 0, 0]); // consume the power-on unit attention
    const move = await s.command(0, [0xa5, 0, 0, 0, 0x10, 0x00, 0x01, 0x00, 0, 0, 0, 0]);
    assert.equal(move.status, 0);
    for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
    // A buffered write with no filemark after it: only shutdown's flush makes it durable.
    const w = await s.command(1, [0x0a, 0, 0, 0x80, 0x00, 0], { dataOut: record });
    assert.equal(w.status, 0);
    s.destroy();

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, 'exit code after SIGTERM');
    assert.ok(first.lines.some((l) => l['msg'] === 'shutting down' && l['signal'] === 'SIGTERM'));
    assert.ok(first.lines.every((l) => typeof l['level'] === 'number' && typeof l['time'] === 'number'), 'every line is structured');

    const second = await serve(dir);
    try {
      s = await IscsiInitiator.connect({ host: '127.0.0.1', port: second.port, initiatorName: 'iqn.2026-11.org.vtl.test:shutdown', targetName: IQN });
      for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
      assert.equal((await s.command(1, [0x01, 0, 0, 0, 0, 0])).status, 0, 'REWIND');
      const r = await s.command(1, [0x08, 0, 0, 0x80, 0x00, 0], { expectedDataInLength: 32768 });
      assert.equal(r.status, 0);
      assert.ok(r.dataIn.equals(record), 'the record written before SIGTERM reads back');
      s.destroy();
    } finally {
      second.child.kill('SIGINT');
      assert.equal(await second.exited, 0, 'exit code after SIGINT');
    }
  });

  // A start that left the portal open used to keep the process alive for ever: the timeout turns that into a failure.
  test('a management address already in use ends the process with exit code 1 and closes the portal it had opened', { timeout: 60_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const apiPort = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, [...process.execArgv, MAIN, 'serve', '--data-dir', join(dir, 'taken'), '--listen', '127.0.0.1:0', '--api-listen', `127.0.0.1:${apiPort}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      let portal: number | undefined;
      createInterface({ input: child.stdout }).on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry['msg'] === 'serving libraries') portal = (entry['address'] as { port: number }).port;
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 1, `exit code (stderr: ${stderr})`);
      assert.match(stderr, /EADDRINUSE/);
      assert.ok(portal !== undefined, 'the portal had opened before the API failed to listen');
      await assert.rejects(IscsiInitiator.connect({ host: '127.0.0.1', port: portal, initiatorName: 'iqn.2026-11.org.vtl.test:shutdown', targetName: IQN }));
    } finally {
      taken.close();
    }
  });
});
