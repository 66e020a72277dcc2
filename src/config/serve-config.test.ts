import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './load-config.js';
import { defaultConfig } from './schema.js';
import { applyServeFlags, resolveServeConfig } from './serve-config.js';

describe('vtl serve flags', () => {
  test('override the config file values they name', () => {
    const config = applyServeFlags(defaultConfig(), { dataDir: '/srv/vtl', listen: '0.0.0.0:3261', apiListen: '127.0.0.1:9999', logLevel: 'debug' });
    assert.equal(config.server.dataDir, '/srv/vtl');
    assert.equal(config.server.listen, '0.0.0.0:3261');
    assert.equal(config.api.listen, '127.0.0.1:9999');
    assert.equal(config.server.logLevel, 'debug');
    assert.equal(config.libraries[0]?.name, 'lib0');
  });

  test('--insecure-api sets api.insecure; without it the config file decides', () => {
    assert.equal(applyServeFlags(defaultConfig(), { insecureApi: true }).api.insecure, true);
    assert.equal(applyServeFlags(defaultConfig(), {}).api.insecure, false);
  });

  test('bad flags are reported together, each by its flag name', () => {
    assert.throws(
      () => applyServeFlags(defaultConfig(), { listen: 'localhost', logLevel: 'chatty', dataDir: '' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.message.split('\n'), [
          'command line: --listen: must be HOST:PORT, e.g. 127.0.0.1:3260',
          'command line: --data-dir: Too small: expected string to have >=1 characters',
          'command line: --log-level: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"',
        ]);
        return true;
      },
    );
  });

  test('resolveServeConfig() reads --config, else $VTL_CONFIG, else the embedded default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-serve-'));
    try {
      const file = join(dir, 'vtl.yaml');
      await writeFile(file, 'libraries:\n  - name: from-file\n');
      assert.equal((await resolveServeConfig({ config: file }, {})).libraries[0]?.name, 'from-file');
      assert.equal((await resolveServeConfig({}, { VTL_CONFIG: file })).libraries[0]?.name, 'from-file');
      const plain = await resolveServeConfig({ listen: '127.0.0.1:3300' }, {});
      assert.equal(plain.libraries[0]?.name, 'lib0');
      assert.equal(plain.server.listen, '127.0.0.1:3300');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
