// The cached guest image (scripts/guest/build-guest.sh) and the choice between KVM and TCG.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kvmAccessible, runGuest } from './run-guest.js';

/** Builds the guest when the cache is missing or stale; resolves to the cache directory. */
export async function buildGuest(root: string): Promise<string> {
  const script = join(root, 'scripts', 'guest', 'build-guest.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const dir = out.trim().split('\n').pop() ?? '';
      if (code === 0 && existsSync(join(dir, 'vmlinuz'))) resolve(dir);
      else reject(new Error(`build-guest.sh exited with ${code}:\n${err}`));
    });
  });
}

/**
 * VTL_E2E_ACCEL=kvm|tcg forces one; otherwise KVM is used only if a probe boot with it reaches the end of a trivial
 * script (nested KVM often cannot boot a stock kernel). The probe's verdict is cached beside the image.
 */
export async function chooseAccel(guestDir: string, outDir: string): Promise<'kvm' | 'tcg'> {
  const forced = process.env['VTL_E2E_ACCEL'];
  if (forced === 'kvm' || forced === 'tcg') return forced;
  if (!kvmAccessible()) return 'tcg';
  const stamp = readFileSync(join(guestDir, 'stamp'), 'utf8').trim();
  const cache = join(guestDir, 'kvm-probe');
  if (existsSync(cache)) {
    const [cachedStamp, verdict] = readFileSync(cache, 'utf8').trim().split(' ');
    if (cachedStamp === stamp && (verdict === 'kvm' || verdict === 'tcg')) return verdict;
  }
  const probe = join(outDir, 'kvm-probe.sh');
  writeFileSync(probe, '#!/bin/bash\necho "VTLCHECK ok kvm-probe" >/dev/ttyS1\n', { mode: 0o755 });
  const run = await runGuest({
    guestDir, scriptPath: probe, env: {}, portal: '127.0.0.1:1', iqn: 'iqn.2026-11.org.vtl:none', luns: [],
    outDir, name: 'kvm-probe', timeoutMs: 20_000, accel: 'kvm',
  });
  const verdict = run.completed ? 'kvm' : 'tcg';
  writeFileSync(cache, `${stamp} ${verdict}\n`);
  return verdict;
}
