import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCpio } from './newc-cpio.js';

describe('encodeCpio()', () => {
  test('an empty archive is exactly the hand-written newc trailer, padded to 4 bytes', () => {
    const fields = ['00000000', '00000000', '00000000', '00000000', '00000001', '00000000', '00000000',
      '00000000', '00000000', '00000000', '00000000', '0000000b', '00000000'];
    const expected = Buffer.concat([Buffer.from(`070701${fields.join('')}TRAILER!!!\0`, 'ascii'), Buffer.alloc(3)]);
    assert.deepEqual(encodeCpio([]), expected);
  });

  test('GNU cpio extracts the files with their directories, contents and modes', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cpio-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const archive = encodeCpio([
      { path: 'vtl/run.sh', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
      { path: 'vtl/sub/env', data: Buffer.from('A=1'), mode: 0o644 },
      { path: 'empty', data: Buffer.alloc(0), mode: 0o600 },
    ]);
    assert.equal(archive.length % 4, 0);
    const result = spawnSync('cpio', ['-idm', '--quiet'], { cwd: dir, input: archive });
    if (result.error) return t.skip('cpio is not installed');
    assert.equal(result.status, 0, result.stderr.toString());
    assert.equal(readFileSync(join(dir, 'vtl/run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(statSync(join(dir, 'vtl/run.sh')).mode & 0o777, 0o755);
    assert.equal(readFileSync(join(dir, 'vtl/sub/env'), 'utf8'), 'A=1');
    assert.equal(statSync(join(dir, 'vtl/sub')).isDirectory(), true);
    assert.equal(statSync(join(dir, 'empty')).size, 0);
  });
});
