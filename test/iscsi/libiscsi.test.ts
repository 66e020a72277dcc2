// Real initiator: libiscsi's iscsi-ls and iscsi-inq (Debian libiscsi-bin) against an IscsiServer with fake LUNs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { captureLog } from './capture-log.js';
import { TARGET, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const missing = !existsSync('/usr/bin/iscsi-ls') || !existsSync('/usr/bin/iscsi-inq');
const skip = missing ? 'libiscsi-bin (iscsi-ls, iscsi-inq) is not installed' : false;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 15000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const CHAP = { username: 'backup', secret: 'initiator-secret-1', mutual: { username: 'vtl', secret: 'target-secret-123' } };

describe('libiscsi tools against the target', { skip }, () => {
  let open: Harness;
  let chap: Harness;
  let digests: Harness;
  const captured = captureLog();

  before(async () => {
    open = await startHarness({ log: captured.log });
    chap = await startHarness({ access: { initiators: [], chap: CHAP }, log: captured.log });
    digests = await startHarness({ requireDigests: { header: true }, log: captured.log });
  });
  after(async () => {
    await open.close();
    await chap.close();
    await digests.close();
  });

  test('iscsi-ls -s discovers the target and lists its LUNs', async () => {
    const r = await run('iscsi-ls', ['-s', `iscsi://127.0.0.1:${open.port}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Target:${TARGET} Portal:127\\.0\\.0\\.1:${open.port},1`));
    assert.match(r.stdout, /Lun:0\s+Type:SEQUENTIAL_ACCESS/);
    assert.match(r.stdout, /Lun:1\s+Type:SEQUENTIAL_ACCESS/);
  });

  test('iscsi-inq reads standard INQUIRY data', async () => {
    const r = await run('iscsi-inq', [`iscsi://127.0.0.1:${open.port}/${TARGET}/0`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Vendor:VTLTEST/);
    assert.match(r.stdout, /Product:FAKE TAPE/);
  });

  test('iscsi-inq -e 1 reads the supported VPD pages and the unit serial number', async () => {
    const pages = await run('iscsi-inq', ['-e', '1', `iscsi://127.0.0.1:${open.port}/${TARGET}/1`]);
    assert.equal(pages.code, 0, pages.stderr);
    assert.match(pages.stdout, /0x80 UNIT_SERIAL_NUMBER/);
    const serial = await run('iscsi-inq', ['-e', '1', '-c', '128', `iscsi://127.0.0.1:${open.port}/${TARGET}/1`]);
    assert.equal(serial.code, 0, serial.stderr);
    assert.match(serial.stdout, /Unit Serial Number:\[SER00001\]/);
  });

  test('iscsi-inq and iscsi-ls work with CRC32C header digests (libiscsi sends DataDigest=None only)', async () => {
    const before = captured.lines.length;
    const ls = await run('iscsi-ls', ['-s', `iscsi://127.0.0.1:${digests.port}`]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /Lun:1\s+Type:SEQUENTIAL_ACCESS/);
    const r = await run('iscsi-inq', [`iscsi://127.0.0.1:${digests.port}/${TARGET}/0`]);
    assert.equal(r.code, 0, r.stderr);
    const logins = captured.records().slice(before).filter((l) => l['msg'] === 'login complete');
    assert.ok(logins.some((l) => l['headerDigest'] === true), 'a login with HeaderDigest=CRC32C');
  });

  test('iscsi-inq logs in with CHAP and the right secret', async () => {
    const r = await run('iscsi-inq', [`iscsi://${CHAP.username}%${CHAP.secret}@127.0.0.1:${chap.port}/${TARGET}/0`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Vendor:VTLTEST/);
  });

  test('iscsi-inq with a wrong CHAP secret is refused with authentication failure', async () => {
    const r = await run('iscsi-inq', [`iscsi://${CHAP.username}%wrong-secret-12@127.0.0.1:${chap.port}/${TARGET}/0`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /Authentication failure/);
  });

  test('iscsi-inq with mutual CHAP verifies the target', async () => {
    const url = `iscsi://${CHAP.username}%${CHAP.secret}@127.0.0.1:${chap.port}/${TARGET}/0` +
      `?target_user=${CHAP.mutual.username}&target_password=${CHAP.mutual.secret}`;
    const ok = await run('iscsi-inq', [url]);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = await run('iscsi-inq', [url.replace(CHAP.mutual.secret, 'not-the-target-secret')]);
    assert.notEqual(bad.code, 0);
  });

  test('iscsi-ls lists the LUNs of a CHAP-protected target', async () => {
    const r = await run('iscsi-ls', ['-s', `iscsi://${CHAP.username}%${CHAP.secret}@127.0.0.1:${chap.port}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Lun:0\s+Type:SEQUENTIAL_ACCESS/);
  });

  test('no secret ever appears in the log', () => {
    const all = captured.lines.join('\n');
    assert.ok(!all.includes(CHAP.secret));
    assert.ok(!all.includes(CHAP.mutual.secret));
  });
});
