// Only the refusal is run here: the accepted case would bind beyond loopback, which tests never do
// (src/config/api-exposure.test.ts and serve-config.test.ts cover --insecure-api).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** Runs `vtl serve ARGS`; a server that starts instead of refusing is stopped and reported as started. */
async function serve(args: readonly string[]): Promise<{ code: number | null; stderr: string; started: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-serve-'));
  try {
    const child = spawn(process.execPath, [main, 'serve', '--data-dir', dir, '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let started = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!started && chunk.toString().includes('serving libraries')) {
        started = true;
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stderr, started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('vtl serve refuses a non-loopback API address without TLS, naming api.listen and --insecure-api', async () => {
  const r = await serve(['--api-listen', '0.0.0.0:0']);
  assert.equal(r.started, false);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /api\.listen: 0\.0\.0\.0:0 is not a loopback address: give api\.tls \(cert and key\) or start with --insecure-api/);
});

test('vtl serve refuses a missing or malformed TLS certificate before anything starts, naming the field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-serve-tls-'));
  try {
    const config = join(dir, 'vtl.yaml');
    await writeFile(config, `api:\n  listen: 127.0.0.1:0\n  tls: { cert: ${join(dir, 'none.pem')}, key: ${join(dir, 'none.pem')} }\n`);
    const missing = await serve(['--config', config]);
    assert.equal(missing.started, false);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /api\.tls\.cert: cannot read .*none\.pem: ENOENT/);
    await writeFile(join(dir, 'bad.pem'), 'not a certificate\n');
    await writeFile(config, `api:\n  listen: 127.0.0.1:0\n  tls: { cert: ${join(dir, 'bad.pem')}, key: ${join(dir, 'bad.pem')} }\n`);
    const malformed = await serve(['--config', config]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /api\.tls: .*bad\.pem and .*bad\.pem are not a PEM certificate and its private key/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
