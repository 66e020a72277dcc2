// The real-client tier on the S3 backend (FORMAT.md "Object store"): a library whose cartridges live in RGW; the
// guest writes a tar archive and a 1 MiB record with st (the persist-write check), vtl is stopped, its cache folder
// deleted and vtl started again, and the next boot reads both back (persist-read): every byte came from the store.
// VTL_SKIP_E2E=1 skips it; artifacts go to $VTL_E2E_OUT-s3 (apart from e2e.test.ts, which empties its own folder).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3TestService, type S3TestService } from '../../src/storage/testing/s3-test-service.js';
import { buildGuest, chooseAccel } from './guest-image.js';
import { runGuest, type GuestRun } from './run-guest.js';
import { repoRoot, VtlServer, vtlPorts } from './vtl-process.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const LUNS = [0, 1, 2, 3, 4];
const root = repoRoot();
const outDir = `${process.env['VTL_E2E_OUT'] ?? join(tmpdir(), 'vtl-e2e-out')}-s3`;

function explain(run: GuestRun, vtl: VtlServer): string {
  return `completed ${run.completed}, timed out ${run.timedOut}, qemu exit ${run.exitCode}; console ${run.consolePath}:\n${run.console.split('\n').slice(-40).join('\n')}\n--- vtl log tail ---\n${vtl.logTail(30)}`;
}

describe('st and tar against a library whose cartridges are in S3 (RGW)', { skip: process.env['VTL_SKIP_E2E'] === '1' ? 'VTL_SKIP_E2E=1' : false }, () => {
  let work = '';
  let cacheDir = '';
  let service: S3TestService | undefined;
  let vtl: VtlServer;
  let boot: (name: string, env: Record<string, string>) => Promise<GuestRun>;
  let moved = '';

  before(async () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    service = await s3TestService();
    const guestDir = await buildGuest(root);
    const accel = await chooseAccel(guestDir, outDir);
    work = mkdtempSync(join(tmpdir(), 'vtl-e2e-s3-'));
    cacheDir = join(work, 's3-cache');
    const { iscsiPort, apiPort } = await vtlPorts();
    const configPath = join(work, 'vtl.yaml');
    writeFileSync(configPath, [
      'libraries:',
      '  - name: lib0',
      // Fewer than the default 20: creating a cartridge in S3 takes about a dozen requests (FORMAT.md "Object
      // store"), and vtl must listen within the harness's 30 s. persist-write uses A00005L8 and A00006L8.
      '    initialCartridges:',
      '      count: 8',
      '    storage:',
      '      kind: s3',
      `      endpoint: ${service.endpoint}`,
      `      bucket: ${service.bucket}`,
      `      prefix: e2e-${randomBytes(4).toString('hex')}/`,
      `      accessKeyId: ${service.accessKeyId}`,
      `      secretAccessKey: ${service.secretAccessKey}`,
      `      cacheDir: ${cacheDir}`,
      `      cacheBytes: ${256 * 1024 * 1024}`,
      '',
    ].join('\n'));
    vtl = new VtlServer({ dataDir: join(work, 'data'), configPath, iscsiPort, apiPort, logPath: join(outDir, 'vtl.log') });
    await vtl.start();
    const guestFiles = join(root, 'test', 'e2e', 'guest');
    boot = (name, env) =>
      runGuest({
        guestDir, scriptPath: join(root, 'test', 'e2e', 'guest-checks.sh'),
        extraFiles: readdirSync(guestFiles).map((f) => join(guestFiles, f)),
        env: { EXPECT_DRIVES: '4', ...env }, portal: `127.0.0.1:${iscsiPort}`, iqn: IQN, luns: LUNS, outDir, name, timeoutMs: 8 * 60_000, accel,
      });
  });

  after(async () => {
    await vtl?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    await service?.stop();
  });

  test('the guest writes a tar archive and a 1 MiB record to a cartridge in S3', async () => {
    const run = await boot('s3-write', { PHASE: 'persist-write' });
    const check = run.checks.find((c) => c.name === 'persist-write');
    assert.equal(check?.status, 'ok', `${check?.detail ?? 'not reported'}; ${explain(run, vtl)}`);
    moved = /slot (\d+)/.exec(check.detail)?.[1] ?? '';
  });

  test('after a restart with an empty cache the guest reads both back from the store', async () => {
    assert.notEqual(moved, '', 'the write boot passed');
    await vtl.stop();
    rmSync(cacheDir, { recursive: true, force: true });
    await vtl.start();
    const run = await boot('s3-read', { PHASE: 'persist-read', PERSIST_MOVED_SLOT: moved });
    const check = run.checks.find((c) => c.name === 'persist-read');
    assert.equal(check?.status, 'ok', `${check?.detail ?? 'not reported'}; ${explain(run, vtl)}`);
  });
});
