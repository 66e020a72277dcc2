import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApi, type ApiHarness } from './harness.js';
import { runCli } from './run-cli.js';
import type { CartridgeView } from '../../src/management/views.js';

describe('vtl management commands', () => {
  let h: ApiHarness;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    h = await startApi();
    env = { VTL_API: h.url, VTL_TOKEN: h.token };
  });
  after(async () => {
    await h.close();
  });

  test('vtl status prints the version and a row per library', async () => {
    const r = await runCli(['status'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^vtl 9\.9\.9-test, up \d+m \d\ds \(since .+\), pid \d+\n/);
    assert.match(r.stdout, /\nLIBRARY +IQN +DRIVES LOADED +CARTRIDGES +FREE SLOTS +FREE MAIL SLOTS\n/);
    assert.match(r.stdout, /\nlib0 +iqn\.2026-11\.org\.vtl:lib0 +0\/2 +3 +3 +2\n/);
    assert.match(r.stdout, /No iSCSI sessions\./);
  });

  test('--json prints exactly what the API returned', async () => {
    const r = await runCli(['library', 'list', '--json'], env);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), (await h.call('GET', '/api/v1/libraries')).body);
  });

  test('vtl library show lists every element with its contents', async () => {
    const r = await runCli(['library', 'show', 'lib0'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Library: +lib0\n/);
    assert.match(r.stdout, /\nSlots: +6, 3 free \(1000h-1005h\)\n/);
    assert.match(r.stdout, /\nslot 1 \(1000h\) +A00001L8 +-\n/);
    assert.match(r.stdout, /\ndrive 1 \(0101h\) +- +-\n/);
    assert.match(r.stdout, /\nmail slot 2 \(0011h\) +- +-\n/);
  });

  test('an unknown library is exit code 1 with the API message on stderr', async () => {
    const r = await runCli(['library', 'show', 'nope'], env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^vtl: .*nope/);
  });

  test('vtl tape create --range creates the range and prints a table', async () => {
    const r = await runCli(['tape', 'create', '--range', 'C00008L8-C00009L8', '--library', 'lib0', '--capacity', '2Mi', '--mail-slot'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Created 2 cartridges:\nBARCODE +MEDIA +CAPACITY +LOCATION +FLAGS\n/);
    assert.match(r.stdout, /\nC00008L8 +LTO-8 +2\.10 MB +lib0 mail slot 1 \(0010h\) +-\n/);
    assert.match(r.stdout, /\nC00009L8 +LTO-8 +2\.10 MB +lib0 mail slot 2 \(0011h\) +-\n/);
  });

  test('vtl tape import, export, shelve, unshelve, protect and delete move a cartridge through its life', async () => {
    const step = async (...args: string[]): Promise<string> => {
      const r = await runCli(['tape', ...args], env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await step('create', 'D00001L8', '--library', 'lib1', '--mail-slot');
    assert.equal(await step('import', 'D00001L8'), 'D00001L8: lib1 slot 2 (1001h)\n');
    assert.equal(await step('export', 'D00001L8'), 'D00001L8: lib1 mail slot 1 (0010h)\n');
    assert.equal(await step('shelve', 'D00001L8'), 'D00001L8: shelf (lib1)\n');
    assert.match(await step('list', '--location', 'shelf'), /\nD00001L8 +LTO-8 +12 TB +shelf \(lib1\) +-\n/);
    assert.equal(await step('unshelve', 'D00001L8'), 'D00001L8: lib1 mail slot 1 (0010h)\n');
    assert.equal(await step('protect', 'D00001L8', 'on'), 'D00001L8: write protection on\n');
    assert.match(await step('list', '--barcode', 'D'), /write-protected/);
    assert.equal(await step('protect', 'D00001L8', 'off'), 'D00001L8: write protection off\n');
    assert.equal(await step('delete', 'D00001L8'), 'D00001L8: deleted\n');
    const gone = await runCli(['tape', 'import', 'D00001L8'], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^vtl: .*D00001L8/);
  });

  test('vtl tape list filters by library and location', async () => {
    const r = await runCli(['tape', 'list', '--library', 'lib0', '--location', 'slot', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as CartridgeView[]).map((c) => c.barcode), ['A00001L8', 'A00002L8', 'A00003L8']);
    const none = await runCli(['tape', 'list', '--barcode', 'ZZ'], env);
    assert.equal(none.stdout, 'No cartridges.\n');
  });

  test('vtl drive list and unload show and return a loaded cartridge', async () => {
    await h.manager.move('lib0', 0x1002, 0x100);
    const list = await runCli(['drive', 'list', '--library', 'lib0'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /\nlib0 +0 +0100h +\S+ +A00003L8 +loaded +file 2, block 42 +4\.10 kB +512 B\n/);
    assert.match(list.stdout, /\nlib0 +1 +0101h +\S+ +- +empty +- +- +-\n/);
    const unload = await runCli(['drive', 'unload', 'lib0', '0'], env);
    assert.equal(unload.code, 0, unload.stderr);
    assert.equal(unload.stdout, 'A00003L8: unloaded to lib0 slot 3 (1002h)\n');
    const again = await runCli(['drive', 'unload', 'lib0', '0'], env);
    assert.equal(again.stdout, 'lib0 drive 0 was empty\n');
  });

  test('WORM cartridges are created with --worm, listed with --worm and kept out by --no-worm', async () => {
    const created = await runCli(['tape', 'create', 'W00005LY', '--library', 'lib0', '--worm', '--generation', '8'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /\nW00005LY +LTO-8 WORM +12 TB +lib0 slot \d+ \(\w+\) +-\n/);
    const worm = await runCli(['tape', 'list', '--worm', '--json'], env);
    assert.deepEqual((JSON.parse(worm.stdout) as CartridgeView[]).map((c) => c.barcode), ['W00005LY']);
    const rewritable = await runCli(['tape', 'list', '--no-worm', '--json'], env);
    assert.ok(!(JSON.parse(rewritable.stdout) as CartridgeView[]).some((c) => c.worm));
    const mismatch = await runCli(['tape', 'create', 'X00001L7', '--library', 'lib0', '--generation', '8'], env);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /L7 is not LTO-8/);
  });

  test('vtl tape shelve --direct and unshelve --library move a cartridge between libraries', async () => {
    await runCli(['tape', 'create', 'G00001L8', '--library', 'lib0'], env);
    const shelved = await runCli(['tape', 'shelve', 'G00001L8', '--direct'], env);
    assert.equal(shelved.stdout, 'G00001L8: shelf (lib0)\n', shelved.stderr);
    const back = await runCli(['tape', 'unshelve', 'G00001L8', '--library', 'lib1'], env);
    assert.equal(back.stdout, 'G00001L8: lib1 mail slot 1 (0010h)\n', back.stderr);
    assert.equal((await runCli(['tape', 'import', 'G00001L8'], env)).code, 0);
  });

  test('usage errors exit with code 2', async () => {
    const cases: string[][] = [
      ['tape', 'protect', 'A00001L8', 'maybe'],
      ['tape', 'create', '--library', 'lib0'],
      ['tape', 'create', 'A00001L8'],
      ['tape', 'create', '--range', 'A00009L8-A00001L8', '--library', 'lib0'],
      ['tape', 'create', 'X00001L8', '--library', 'lib0', '--capacity', 'lots'],
      ['tape', 'list', '--location', 'attic'],
      ['tape', 'frobnicate'],
      ['tape'],
      ['drive', 'unload', 'lib0'],
      ['drive', 'unload', 'lib0', 'first'],
      ['status', '--bogus'],
    ];
    for (const args of cases) {
      const r = await runCli(args, env);
      assert.equal(r.code, 2, `vtl ${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
      assert.notEqual(r.stderr, '', `vtl ${args.join(' ')} said nothing`);
    }
  });

  test('a refused operation exits 1 with the reason', async () => {
    const r = await runCli(['tape', 'create', 'A00001L8', '--library', 'lib0'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vtl: .*A00001L8.*already exists/);
  });

  test('the token is read from <data-dir>/api-token and the address from --api without a scheme', async () => {
    const r = await runCli(['status', '--json', '--api', h.url.replace('http://', ''), '--data-dir', h.dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { version: string }).version, '9.9.9-test');
  });

  test('the API address and data directory come from --config', async () => {
    const file = join(h.dir, 'client.yaml');
    await writeFile(file, `server:\n  dataDir: ${h.dir}\napi:\n  listen: 0.0.0.0:${new URL(h.url).port}\n`);
    const r = await runCli(['library', 'list', '--config', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME +IQN/);
  });

  test('a wrong token exits 1, a missing one 2, an unreachable server 1', async () => {
    const wrong = await runCli(['status'], { VTL_API: h.url, VTL_TOKEN: 'nope' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /bearer token/);
    const missing = await runCli(['status', '--data-dir', join(h.dir, 'nowhere')], { VTL_API: h.url });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No API token: .*nowhere\/api-token/);
    const unreachable = await runCli(['status', '--api', 'http://127.0.0.1:1', '--token', 'x']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^vtl: Cannot reach the vtl API at http:\/\/127\.0\.0\.1:1/);
  });
});
