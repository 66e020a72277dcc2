// The physical library of the tests: Debian's tgt started by scripts/services/tgt-library.sh. scripts/test.sh starts
// it once per run and exports VTL_TEST_TGT_*; a test file run alone starts its own and stops it when it ends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export interface TgtLibrary {
  readonly host: string;
  readonly port: number;
  readonly portal: string;
  readonly iqn: string;
  readonly chapIqn: string;
  readonly chapUser: string;
  readonly chapSecret: string;
  /** tgt's media_home: one tgtimg file per barcode. */
  readonly mediaDir: string;
  /** The folder tgt-library.sh was started in. */
  readonly dir: string;
}

const script = path.resolve(import.meta.dirname, '../../../scripts/services/tgt-library.sh');

function fromEnv(env: NodeJS.ProcessEnv): TgtLibrary | undefined {
  const portal = env['VTL_TEST_TGT_PORTAL'];
  if (!portal) return undefined;
  const [host, port] = portal.split(':');
  return {
    host,
    port: Number(port),
    portal,
    iqn: env['VTL_TEST_TGT_IQN'] ?? '',
    chapIqn: env['VTL_TEST_TGT_CHAP_IQN'] ?? '',
    chapUser: env['VTL_TEST_TGT_CHAP_USER'] ?? '',
    chapSecret: env['VTL_TEST_TGT_CHAP_SECRET'] ?? '',
    mediaDir: path.join(env['VTL_TEST_TGT_DIR'] ?? '', 'media'),
    dir: env['VTL_TEST_TGT_DIR'] ?? '',
  };
}

let started: TgtLibrary | undefined;

/** Call at a test file's top level: the stop hook belongs to the file, not to a test. */
export function tgtLibrary(): TgtLibrary {
  const shared = fromEnv(process.env);
  if (shared) return shared;
  if (started) return started;
  const dir = mkdtempSync(path.join(tmpdir(), 'vtl-tgt-'));
  const out = execFileSync('bash', [script, 'start', dir], { encoding: 'utf8' });
  const env: NodeJS.ProcessEnv = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  started = fromEnv(env);
  if (!started) throw new Error(`tgt-library.sh printed no portal: ${out}`);
  after(() => {
    execFileSync('bash', [script, 'stop', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return started;
}

export const TEST_INITIATOR = 'iqn.2026-12.org.vtl.test:initiator';

/**
 * Files that move cartridges or use the drives of the shared library take it for their whole run (the test runner
 * runs files side by side): a lock file in the library's folder, created exclusively, removed when the file ends.
 */
export async function holdTgtLibrary(tgt: TgtLibrary): Promise<void> {
  const lock = path.join(tgt.dir, 'exclusive.lock');
  for (;;) {
    try {
      const file = await open(lock, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A holder that died without its after() hook leaves its pid behind: the lock is taken over.
      const holder = Number(await readFile(lock, 'utf8').catch(() => '0'));
      if (holder > 0 && !alive(holder)) await rm(lock, { force: true });
      else await sleep(200);
    }
  }
  after(() => rm(lock, { force: true }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
