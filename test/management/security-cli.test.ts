import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { startApi, type ApiHarness } from './harness.js';
import { runCli } from './run-cli.js';

describe('vtl token and vtl audit', () => {
  let h: ApiHarness;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    h = await startApi();
    env = { VTL_API: h.url, VTL_TOKEN: h.token };
  });
  after(async () => {
    await h.close();
  });

  test('vtl token create prints the secret once; the token works with its role; list and revoke', async () => {
    const created = await runCli(['token', 'create', '--role', 'operator', '--name', 'backup01'], env);
    assert.equal(created.code, 0, created.stderr);
    const secret = /\n([0-9a-f]{64})\n$/.exec(created.stdout)?.[1];
    assert.ok(secret, created.stdout);
    const asOperator = { VTL_API: h.url, VTL_TOKEN: secret };
    assert.equal((await runCli(['tape', 'export', 'A00001L8'], asOperator)).code, 0);
    const refused = await runCli(['tape', 'delete', 'A00001L8'], asOperator);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /needs the admin role; token "backup01" has the operator role/);
    const list = await runCli(['token', 'list'], env);
    assert.match(list.stdout, /^NAME +ROLE +CREATED +BY\nbackup01 +operator +\S+ +api-token\n$/);
    assert.ok(!list.stdout.includes(secret));
    assert.equal((await runCli(['token', 'revoke', 'backup01'], env)).code, 0);
    const after = await runCli(['status'], asOperator);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /Missing or wrong bearer token/);
  });

  test('vtl token create refuses an unknown role before calling the API', async () => {
    const r = await runCli(['token', 'create', '--role', 'root', '--name', 'x'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Allowed choices are viewer, operator, admin/);
  });

  test('vtl audit list shows who did what, filtered by barcode', async () => {
    const r = await runCli(['audit', 'list', '--barcode', 'A00001L8'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n +\d+ +\S+ +cartridge\.export +done +backup01 +A00001L8\n/);
    assert.match(r.stdout, /\n +\d+ +\S+ +cartridge\.delete +refused +backup01 +A00001L8\n/);
    assert.equal((await runCli(['audit', 'list', '--since', 'yesterday'], env)).code, 2);
  });

  test('vtl audit verify passes on an untouched log and fails, naming the entry, after a line is removed', async () => {
    const ok = await runCli(['audit', 'verify'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Audit log intact: \d+ entries, last hash [0-9a-f]{64}\n$/);
    const text = await readFile(h.audit.file, 'utf8');
    const lines = text.split('\n');
    lines.splice(1, 1);
    await writeFile(h.audit.file, lines.join('\n'));
    const bad = await runCli(['audit', 'verify'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^Audit log TAMPERED: entry 2 of \d+ is the first that does not verify: sequence number 3 where 2 was expected/);
    assert.match(bad.stderr, /^vtl: the audit log does not verify at entry 2/);
    await writeFile(h.audit.file, text);
  });

  test('vtl tape retain, retention and release: governance needs --bypass-governance, compliance cannot be released', async () => {
    const set = await runCli(['tape', 'retain', 'A00002L8', '--mode', 'governance', '--days', '30'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^A00002L8: governance retention lock until \S+ \(since \S+, set by api-token\)\n$/);
    const refused = await runCli(['tape', 'release', 'A00002L8'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /releasing it needs an admin token and bypassGovernance/);
    const released = await runCli(['tape', 'release', 'A00002L8', '--bypass-governance'], env);
    assert.equal(released.code, 0, released.stderr);
    assert.match(released.stdout, /^A00002L8: not locked \(its governance lock ended \S+\)\n$/);
    assert.equal((await runCli(['tape', 'retain', 'A00003L8', '--mode', 'compliance', '--days', '3'], env)).code, 0);
    const compliance = await runCli(['tape', 'release', 'A00003L8', '--bypass-governance'], env);
    assert.equal(compliance.code, 1);
    assert.match(compliance.stderr, /compliance retention lock until .*, which nobody can shorten/);
    const shown = await runCli(['tape', 'retention', 'A00003L8', '--json'], env);
    assert.equal((JSON.parse(shown.stdout) as { mode: string }).mode, 'compliance');
    assert.equal((await runCli(['tape', 'retain', 'A00003L8', '--mode', 'compliance', '--days', 'many'], env)).code, 2);
  });
});
