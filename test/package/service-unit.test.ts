import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkApiExposure } from '../../src/config/api-exposure.js';
import { loadConfig } from '../../src/config/load-config.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const UNIT = join(ROOT, 'packaging', 'vtl.service');

/** `Key=value` lines of a unit file, by key (a key may repeat). */
function directives(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match === null) continue;
    const [, key = '', value = ''] = match;
    found.set(key, [...(found.get(key) ?? []), value]);
  }
  return found;
}

test('systemd-analyze verify accepts packaging/vtl.service without a warning (every key known, every value valid)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-unit-'));
  try {
    // verify checks that ExecStart's program exists: point it at this build instead of /usr/local/bin/vtl.
    const unit = (await readFile(UNIT, 'utf8')).replace('/usr/local/bin/vtl', `${process.execPath} ${join(ROOT, 'dist', 'src', 'main.js')}`);
    await writeFile(join(dir, 'vtl.service'), unit);
    const { stderr } = await run('systemd-analyze', ['verify', '--man=no', join(dir, 'vtl.service')]);
    assert.equal(stderr, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the unit runs as its own user with no privilege, and the example config\'s data dir is its only writable path', async () => {
  const unit = directives(await readFile(UNIT, 'utf8'));
  const one = (key: string): string | undefined => unit.get(key)?.at(-1);
  assert.equal(one('User'), 'vtl');
  assert.equal(one('NoNewPrivileges'), 'yes');
  assert.equal(one('ProtectSystem'), 'strict');
  assert.equal(one('CapabilityBoundingSet'), '');
  assert.equal(one('PrivateTmp'), 'yes');
  assert.equal(one('ProtectHome'), 'yes');
  assert.equal(one('MemoryDenyWriteExecute'), undefined, 'node cannot run with MemoryDenyWriteExecute');
  assert.deepEqual(unit.get('ReadWritePaths'), ['/var/lib/vtl']);
  assert.equal(one('StateDirectory'), 'vtl');
  assert.equal(one('ExecStart'), '/usr/local/bin/vtl serve --config /etc/vtl/vtl.yaml');
  const config = await loadConfig(join(ROOT, 'packaging', 'vtl.yaml'));
  assert.equal(config.server.dataDir, '/var/lib/vtl');
  assert.doesNotThrow(() => checkApiExposure(config), 'the example config must start as it is');
  assert.match(await readFile(join(ROOT, 'packaging', 'vtl.sysusers'), 'utf8'), /^u vtl - ".*" \/var\/lib\/vtl /m);
});
