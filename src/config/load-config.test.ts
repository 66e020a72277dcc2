import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatConfigIssue, loadConfig, parseConfig } from './load-config.js';
import { defaultConfig } from './schema.js';

/** The nearest `name` in this file's folder or above (tests run from src/ with tsx and from dist/src when built). */
async function findUp(name: string): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) throw new Error(`${name} not found above ${fileURLToPath(import.meta.url)}`);
      dir = parent;
    }
  }
}

/** The formatted lines of the ConfigError that parsing `text` throws. */
function errorsOf(text: string, fileName = 'vtl.yaml'): string[] {
  try {
    parseConfig(text, fileName);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.message, error.issues.map(formatConfigIssue).join('\n'));
    return error.issues.map(formatConfigIssue);
  }
  assert.fail('parseConfig() accepted the config');
}

describe('parseConfig()', () => {
  test('an empty file gives the embedded default library', () => {
    const config = parseConfig('', 'vtl.yaml');
    assert.equal(config.libraries.length, 1);
    const [lib] = config.libraries;
    assert.equal(lib?.name, 'lib0');
    assert.equal(lib?.driveCount, 4);
    assert.equal(lib?.slots, 24);
    assert.equal(lib?.mailSlots, 4);
    assert.equal(lib?.initialCartridges.count, 20);
    assert.equal(config.api.listen, '127.0.0.1:8090');
    assert.equal(config.server.listen, '127.0.0.1:3260');
  });

  test('a section whose fields are all commented out means its defaults', () => {
    const config = parseConfig('libraries:\n  - name: a\n    changer:\n      # serial: X\n    access:\n', 'vtl.yaml');
    assert.deepEqual(config.libraries[0]?.changer, {});
    assert.deepEqual(config.libraries[0]?.access, { initiators: [], readOnlyInitiators: [] });
  });

  test('the commented example in README "Configuration" parses to exactly the defaults', async () => {
    const readme = await readFile(await findUp('README.md'), 'utf8');
    const yaml = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(yaml, 'README has no yaml block under Configuration');
    assert.deepEqual(parseConfig(yaml, 'README.md'), defaultConfig());
  });

  test('a comment-only file gives the defaults too', () => {
    assert.equal(parseConfig('# nothing here\n', 'vtl.yaml').libraries[0]?.name, 'lib0');
  });

  test('a full valid config is accepted with its values', () => {
    const text = [
      'server:',
      '  listen: 0.0.0.0:3260',
      '  dataDir: /var/lib/vtl',
      'api:',
      '  listen: 127.0.0.1:9000',
      'libraries:',
      '  - name: backup',
      '    iqn: iqn.2026-11.org.example:backup',
      '    driveCount: 2',
      '    drives:',
      '      - serial: DRV0001',
      '      - serial: DRV0002',
      '        generation: 9',
      '    slots: 40',
      '    mailSlots: 2',
      '    initialCartridges: { count: 10, barcodePrefix: BK }',
      '    access:',
      '      initiators: [iqn.1993-08.org.debian:01:host1]',
      '      chap: { username: host1, secret: twelve-chars-ok }',
      '  - name: archive',
      '    initialCartridges: { count: 5, barcodePrefix: AR }',
    ].join('\n');
    const config = parseConfig(text, 'vtl.yaml');
    assert.equal(config.server.dataDir, '/var/lib/vtl');
    assert.equal(config.api.listen, '127.0.0.1:9000');
    assert.deepEqual(config.libraries.map((l) => l.name), ['backup', 'archive']);
    assert.equal(config.libraries[0]?.drives?.[1]?.generation, 9);
    assert.equal(config.libraries[0]?.access.chap?.username, 'host1');
  });

  test('a library that lists drives without driveCount has as many drives as it lists', () => {
    const config = parseConfig('libraries:\n  - name: a\n    drives: [{ serial: S1 }, { serial: S2 }]\n', 'vtl.yaml');
    assert.equal(config.libraries[0]?.driveCount, 2);
  });

  test('a value out of range names file, line, column, field path and reason', () => {
    const text = ['server:', '  logLevel: info', 'libraries:', '  - name: lib0', '    slots: 0', ''].join('\n');
    assert.deepEqual(errorsOf(text), ['vtl.yaml:5:5: libraries[0].slots: Too small: expected number to be >=1']);
  });

  test('several schema errors are reported together, in file order', () => {
    const text = [
      'libraries:', //                       1
      '  - name: Bad_Name', //               2
      '    driveCount: 65', //               3
      '    colour: blue', //                 4
      '    driveDefaults:', //               5
      '      generation: 4', //              6
      'api:', //                             7
      '  listen: localhost', //              8
      '',
    ].join('\n');
    assert.deepEqual(errorsOf(text, 'conf/vtl.yaml'), [
      'conf/vtl.yaml:2:5: libraries[0].name: must be 1-32 lower-case letters, digits or dashes',
      'conf/vtl.yaml:3:5: libraries[0].driveCount: Too big: expected number to be <=64',
      'conf/vtl.yaml:4:5: libraries[0].colour: unknown field',
      'conf/vtl.yaml:6:7: libraries[0].driveDefaults.generation: must be an LTO generation: 5, 6, 7, 8, 9 or 10',
      'conf/vtl.yaml:8:3: api.listen: must be HOST:PORT, e.g. 127.0.0.1:3260',
    ]);
  });

  test('a wrong type names the expected and received types', () => {
    assert.deepEqual(errorsOf('libraries:\n  - name: a\n    slots: many\n'), [
      'vtl.yaml:3:5: libraries[0].slots: Invalid input: expected number, received string',
    ]);
  });

  test('a missing required field points at its parent', () => {
    assert.deepEqual(errorsOf('libraries:\n  - slots: 10\n'), [
      'vtl.yaml:2:5: libraries[0].name: Invalid input: expected string, received undefined',
    ]);
  });

  test('a file that is not a mapping is refused at line 1', () => {
    assert.deepEqual(errorsOf('- just\n- a list\n'), ['vtl.yaml:1:1: Invalid input: expected object, received array']);
  });

  test('YAML syntax errors are reported with their position', () => {
    const lines = errorsOf('libraries:\n  - name: a\n    slots: [1, 2\n');
    assert.equal(lines.length >= 1, true);
    assert.match(lines[0] ?? '', /^vtl\.yaml:\d+:\d+: YAML syntax: /);
  });

  test('a duplicate key is a YAML error on its line', () => {
    assert.deepEqual(
      errorsOf('api:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n').map((l) => l.slice(0, 'vtl.yaml:3:3: YAML syntax'.length)),
      ['vtl.yaml:3:3: YAML syntax'],
    );
  });

  test('duplicate library names and target names are reported, a name\'s derived IQN only once', () => {
    const text = [
      'libraries:',
      '  - name: a',
      '    initialCartridges: { barcodePrefix: A }',
      '  - name: a',
      '    initialCartridges: { barcodePrefix: B }',
      '  - name: c',
      '    iqn: iqn.2026-11.org.vtl:a',
      '    initialCartridges: { barcodePrefix: C }',
    ].join('\n');
    assert.deepEqual(errorsOf(text), [
      'vtl.yaml:4:5: libraries[1].name: duplicate library name "a" (also libraries[0])',
      'vtl.yaml:7:5: libraries[2].iqn: duplicate target name "iqn.2026-11.org.vtl:a" (also libraries[0])',
    ]);
  });

  test('overlapping element address ranges are refused with both ranges in hex', () => {
    const text = ['libraries:', '  - name: a', '    slots: 300', '    elementAddresses:', '      storage: 256', ''].join('\n');
    assert.deepEqual(errorsOf(text), [
      'vtl.yaml:4:5: libraries[0].elementAddresses.dataTransfer: data transfer elements 0x0100-0x0103 overlap storage elements 0x0100-0x022b',
    ]);
  });

  test('an element range that runs past 0xffff is refused', () => {
    const text = ['libraries:', '  - name: a', '    slots: 100', '    elementAddresses: { storage: 65500 }', ''].join('\n');
    assert.deepEqual(errorsOf(text), [
      'vtl.yaml:4:25: libraries[0].elementAddresses.storage: storage elements 0xffdc-0x1003f run past the last element address 0xffff',
    ]);
  });

  test('a drive list whose length differs from driveCount is refused', () => {
    const more = ['libraries:', '  - name: a', '    driveCount: 1', '    drives: [{}, {}]', ''].join('\n');
    assert.deepEqual(errorsOf(more), ['vtl.yaml:4:5: libraries[0].drives: 2 drives listed but driveCount is 1']);
    const fewer = ['libraries:', '  - name: a', '    driveCount: 3', '    drives: [{}, {}]', ''].join('\n');
    assert.deepEqual(errorsOf(fewer), ['vtl.yaml:4:5: libraries[0].drives: 2 drives listed but driveCount is 3']);
  });

  test('libraries may share the default barcode prefix', () => {
    assert.equal(parseConfig('libraries:\n  - name: a\n  - name: b\n', 'vtl.yaml').libraries.length, 2);
  });

  test('duplicate serial numbers across libraries are refused', () => {
    const text = [
      'libraries:',
      '  - name: a',
      '    drives: [{ serial: S1 }]',
      '  - name: b',
      '    changer: { serial: S1 }',
      '    initialCartridges: { barcodePrefix: B }',
    ].join('\n');
    assert.deepEqual(errorsOf(text), ['vtl.yaml:5:16: libraries[1].changer.serial: duplicate serial number "S1" (also libraries[0].drives[0].serial)']);
  });

  test('a barcode prefix that leaves too few digits for the count is refused', () => {
    const text = ['libraries:', '  - name: a', '    initialCartridges:', '      barcodePrefix: ABCDE', '      count: 10', ''].join('\n');
    assert.deepEqual(errorsOf(text), [
      'vtl.yaml:5:7: libraries[0].initialCartridges.count: 10 cartridges do not fit the barcode prefix "ABCDE": it leaves 1 digit, room for 9 (numbered from 1)',
    ]);
  });

  test('exactly as many cartridges as the prefix allows are accepted', () => {
    const config = parseConfig('libraries:\n  - name: a\n    initialCartridges: { barcodePrefix: ABCDE, count: 9 }\n', 'vtl.yaml');
    assert.equal(config.libraries[0]?.initialCartridges.count, 9);
  });

  test('more initial cartridges than slots are refused', () => {
    assert.deepEqual(errorsOf('libraries:\n  - name: a\n    slots: 5\n    initialCartridges: { count: 6 }\n'), [
      'vtl.yaml:4:26: libraries[0].initialCartridges.count: 6 cartridges do not fit in 5 slots',
    ]);
  });

  test('a mutual CHAP secret equal to the initiator secret is refused', () => {
    const text = [
      'libraries:',
      '  - name: a',
      '    access:',
      '      chap:',
      '        username: u',
      '        secret: same-secret-123',
      '        mutual: { username: t, secret: same-secret-123 }',
    ].join('\n');
    assert.deepEqual(errorsOf(text), ['vtl.yaml:7:32: libraries[0].access.chap.mutual.secret: the mutual CHAP secret must differ from the initiator secret']);
  });
});

describe('loadConfig()', () => {
  test('reads and validates a file, naming it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-config-'));
    try {
      const good = join(dir, 'good.yaml');
      await writeFile(good, 'libraries:\n  - name: x1\n    slots: 8\n    initialCartridges: { count: 8 }\n');
      assert.equal((await loadConfig(good)).libraries[0]?.slots, 8);
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'api:\n  enabled: perhaps\n');
      await assert.rejects(loadConfig(bad), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, `${bad}:2:3: api.enabled: Invalid input: expected boolean, received string`);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is a ConfigError naming the file', async () => {
    await assert.rejects(loadConfig('/nonexistent/vtl.yaml'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^\/nonexistent\/vtl\.yaml: cannot read the config file: ENOENT/);
      return true;
    });
  });
});
