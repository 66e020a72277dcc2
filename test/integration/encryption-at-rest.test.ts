// Encryption at rest with `vtl serve` as a process (issue 16): a marker the host writes through iSCSI is in no file of
// the data directory; started with another master key vtl still serves, refuses to load the cartridge (MOVE MEDIUM
// fails) and changes none of its files; `vtl key rotate` then a start with the new key reads everything back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const here = fileURLToPath(import.meta.url);
const MAIN = here.endsWith('.ts') ? join(here, '../../../src/main.ts') : join(here, '../../../src/main.js');
const MARKER = Buffer.from('AT-REST-E2E-MARKER-5c7e ');
const SLOT = [0x10, 0x00];
const DRIVE = [0x01, 0x00];
const children: ChildProcess[] = [];

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

async function serve(dataDir: string, masterKey: string): Promise<Served> {
  const child = spawn(process.execPath, [...process.execArgv, MAIN, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--api-listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, VTL_MASTER_KEY: masterKey },
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry['msg'] === 'serving libraries') resolve((entry['address'] as { port: number }).port);
    });
    void exited.then((code) => reject(new Error(`vtl exited with ${code} before listening`)));
  });
  return { child, port, lines, exited };
}

async function stop(served: Served): Promise<void> {
  served.child.kill('SIGTERM');
  assert.equal(await served.exited, 0);
}

async function session(port: number): Promise<IscsiInitiator> {
  const s = await IscsiInitiator.connect({ host: '127.0.0.1', port, initiatorName: 'iqn.2026-11.org.vtl.test:at-rest', targetName: IQN });
  for (let i = 0; i < 3 && (await s.command(0, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
  return s;
}

/** MOVE MEDIUM from the first slot into the first drive; its status. */
async function loadFirst(s: IscsiInitiator): Promise<number> {
  const status = (await s.command(0, [0xa5, 0, 0, 0, ...SLOT, ...DRIVE, 0, 0, 0, 0])).status;
  if (status === 0) for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
  return status;
}

/** READ ELEMENT STATUS of one element of type `typeCode` at `address`: its flags byte and ASC/ASCQ (SMC-3). */
async function elementState(s: IscsiInitiator, typeCode: number, address: readonly number[]): Promise<{ except: boolean; asc: number; ascq: number }> {
  const r = await s.command(0, [0xb8, typeCode, ...address, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00], { expectedDataInLength: 64 });
  assert.equal(r.status, 0);
  return { except: (r.dataIn[18] & 0x04) !== 0, asc: r.dataIn[20], ascq: r.dataIn[21] };
}

async function cartridgeFiles(dataDir: string): Promise<Map<string, string>> {
  const root = join(dataDir, 'cartridges');
  const files = new Map<string, string>();
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = join(e.parentPath, e.name);
    files.set(file, createHash('sha256').update(await readFile(file)).digest('hex'));
  }
  return files;
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function rotate(dataDir: string, currentKey: string, newKeyFile: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [...process.execArgv, MAIN, 'key', 'rotate', '--data-dir', dataDir, '--new-key-file', newKeyFile], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, VTL_MASTER_KEY: currentKey },
  });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

describe('encryption at rest through vtl serve', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('a host marker is nowhere on disk; a wrong master key refuses the cartridge unchanged; after key rotate the new key reads it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-at-rest-'));
    dirs.push(dir);
    const k1 = randomBytes(32).toString('hex');
    const k2 = randomBytes(32).toString('hex');
    const record = Buffer.concat(Array.from({ length: 1366 }, () => MARKER)).subarray(0, 32768);

    const first = await serve(dir, k1);
    let s = await session(first.port);
    assert.equal(await loadFirst(s), 0);
    assert.equal((await s.command(1, [0x0a, 0, 0, 0x80, 0x00, 0], { dataOut: record })).status, 0);
    assert.equal((await s.command(1, [0x10, 0, 0, 0, 1, 0])).status, 0, 'WRITE FILEMARKS flushes');
    assert.equal((await s.command(1, [0x1b, 0, 0, 0, 0, 0])).status, 0, 'UNLOAD');
    assert.equal((await s.command(0, [0xa5, 0, 0, 0, ...DRIVE, ...SLOT, 0, 0, 0, 0])).status, 0, 'back to its slot');
    s.destroy();
    await stop(first);
    for (const file of await filesUnder(dir)) assert.equal((await readFile(file)).includes(MARKER), false, `${file} holds the marker`);

    const before = await cartridgeFiles(dir);
    const wrong = await serve(dir, k2);
    s = await session(wrong.port);
    assert.notEqual(await loadFirst(s), 0, 'MOVE MEDIUM of a cartridge whose data key does not unwrap fails');
    assert.deepEqual(await elementState(s, 0x02, SLOT), { except: true, asc: 0x74, ascq: 0x03 },
      'the slot reports EXCEPT with INCORRECT DATA ENCRYPTION KEY');
    s.destroy();
    await stop(wrong);
    assert.ok(wrong.lines.some((l) => typeof l['reason'] === 'string' && l['reason'].includes('is wrapped by master key')), 'the log says why');
    assert.deepEqual(await cartridgeFiles(dir), before, 'nothing of the cartridges changed');

    const newKeyFile = join(dir, 'master2.key');
    await writeFile(newKeyFile, `${k2}\n`);
    const rotated = await rotate(dir, k1, newKeyFile);
    assert.equal(rotated.code, 0);
    assert.ok((JSON.parse(rotated.stdout) as { rotated: string[] }).rotated.length > 0);

    const after2 = await serve(dir, k2);
    try {
      s = await session(after2.port);
      assert.equal(await loadFirst(s), 0);
      assert.deepEqual(await elementState(s, 0x04, DRIVE), { except: false, asc: 0, ascq: 0 }, 'a load that worked clears the exception');
      assert.equal((await s.command(1, [0x01, 0, 0, 0, 0, 0])).status, 0, 'REWIND');
      const r = await s.command(1, [0x08, 0, 0, 0x80, 0x00, 0], { expectedDataInLength: 32768 });
      assert.equal(r.status, 0);
      assert.ok(r.dataIn.equals(record), 'the record reads back under the new master key');
      s.destroy();
    } finally {
      await stop(after2);
    }
  });
});
