import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startApi, type ApiHarness } from './harness.js';
import { runCli } from './run-cli.js';

const run = promisify(execFile);

describe('the API over TLS with a self-signed certificate', () => {
  let h: ApiHarness;
  let dir: string;
  let certFile: string;
  let fingerprint: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-tls-'));
    certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '2', '-subj', '/CN=vtl-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
    const cert = await readFile(certFile, 'utf8');
    fingerprint = new X509Certificate(cert).fingerprint256;
    h = await startApi({ tls: { cert, key: await readFile(keyFile, 'utf8') } });
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the CLI trusts the server through --ca', async () => {
    const r = await runCli(['status', '--json'], { VTL_API: h.url, VTL_TOKEN: h.token, VTL_CA: certFile });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { version: string }).version, '9.9.9-test');
  });

  test('the CLI trusts the server through --pin sha256:<fingerprint> and refuses another fingerprint before sending the token', async () => {
    const ok = await runCli(['library', 'list', '--pin', `sha256:${fingerprint}`], { VTL_API: h.url, VTL_TOKEN: h.token });
    assert.equal(ok.code, 0, ok.stderr);
    const wrong = await runCli(['library', 'list', '--pin', `sha256:${'AB'.repeat(32)}`], { VTL_API: h.url, VTL_TOKEN: h.token });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /presented a certificate with SHA-256 fingerprint [0-9A-F]{64}, not the pinned (AB){32}/);
    const audit = await h.audit.list();
    assert.equal(audit.length, 0);
  });

  test('without --ca or --pin the CLI does not trust a self-signed certificate', async () => {
    const r = await runCli(['status'], { VTL_API: h.url, VTL_TOKEN: h.token });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /self-signed certificate/);
  });

  test('--pin with a plain HTTP URL or a malformed fingerprint is a usage error', async () => {
    assert.equal((await runCli(['status', '--pin', `sha256:${fingerprint}`], { VTL_API: 'http://127.0.0.1:1', VTL_TOKEN: 'x' })).code, 2);
    const bad = await runCli(['status', '--pin', 'sha256:xyz'], { VTL_API: h.url, VTL_TOKEN: 'x' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a SHA-256 fingerprint/);
  });

  test('curl --cacert reaches the API', async () => {
    const { stdout } = await run('curl', ['-sS', '--fail', '--cacert', certFile, '-H', `Authorization: Bearer ${h.token}`, `${h.url}/api/v1/libraries`]);
    assert.deepEqual((JSON.parse(stdout) as { name: string }[]).map((l) => l.name), ['lib0', 'lib1']);
  });

  test('plain HTTP to the TLS port gets no answer', async () => {
    const plain = h.url.replace(/^https:/, 'http:');
    await assert.rejects(fetch(`${plain}/api/v1/status`, { headers: { authorization: `Bearer ${h.token}` } }));
  });
});
