// The physical library of the tests: Debian's tgt started by scripts/services/tgt-library.sh. scripts/test.sh starts
// it once per run and exports VTL_TEST_TGT_*; a test file run alone starts its own and stops it when it ends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
