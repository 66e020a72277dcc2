import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AuditTrail } from '../../src/library/audit-trail.js';
import { VaultKeeper } from '../../src/library/vault-keeper.js';
import { silentLogger } from '../../src/log.js';
import { harness, smallConfig } from './harness.js';

const HOUR_MS = 60 * 60 * 1000;

const visibleToHosts = (h: Awaited<ReturnType<typeof harness>>): string[] =>
  h.manager.elements('lib0').flatMap((e) => (e.cartridge ? [e.cartridge.barcode] : []));

test('with onExport, a cartridge exported by an operator or moved to a mail slot by a host goes on to the vault, out of every element', async () => {
  const config = smallConfig({ vault: { onExport: true } });
  const h = await harness(config);
  const keeper = new VaultKeeper(h.manager, config, silentLogger());
  keeper.start();
  try {
    await h.manager.exportCartridge('A00001L8');
    await h.manager.move('lib0', 0x1001, 0x11, { actor: 'host' });
    await keeper.idle();
    assert.equal(h.manager.cartridge('A00001L8').location.kind, 'shelf');
    assert.equal(h.manager.cartridge('A00002L8').location.kind, 'shelf');
    assert.deepEqual(visibleToHosts(h), ['A00003L8']);
  } finally {
    await keeper.stop();
    h.cleanup();
  }
});

test('with onExport, a cartridge an operator brings back from the vault stays in its mail slot, even through a sweep', async () => {
  const config = smallConfig({ vault: { onExport: true } });
  const h = await harness(config);
  const keeper = new VaultKeeper(h.manager, config, silentLogger());
  keeper.start();
  try {
    await h.manager.exportCartridge('A00001L8');
    await keeper.idle();
    await h.manager.unshelveCartridge('A00001L8');
    await keeper.idle();
    assert.deepEqual(await keeper.sweep(new Date()), []);
    assert.equal(h.manager.cartridge('A00001L8').location.kind, 'element');
    await h.manager.importCartridge('A00001L8');
    assert.deepEqual(visibleToHosts(h), ['A00001L8', 'A00002L8', 'A00003L8']);
  } finally {
    await keeper.stop();
    h.cleanup();
  }
});

test('without a vault policy an export stays in its mail slot', async () => {
  const config = smallConfig();
  const h = await harness(config);
  const keeper = new VaultKeeper(h.manager, config, silentLogger());
  keeper.start();
  try {
    await h.manager.exportCartridge('A00001L8');
    await keeper.idle();
    assert.equal(h.manager.cartridge('A00001L8').location.kind, 'element');
    assert.deepEqual(await keeper.sweep(new Date(Date.now() + 1000 * HOUR_MS)), []);
  } finally {
    await keeper.stop();
    h.cleanup();
  }
});

test('a host preventing medium removal keeps the export in its mail slot until a sweep after it allows removal', async () => {
  const config = smallConfig({ vault: { onExport: true } });
  const h = await harness(config);
  const keeper = new VaultKeeper(h.manager, config, silentLogger());
  keeper.start();
  try {
    h.manager.setRemovalPrevented('lib0', 'host-a', true);
    await h.manager.exportCartridge('A00001L8');
    await keeper.idle();
    assert.equal(h.manager.cartridge('A00001L8').location.kind, 'element');
    h.manager.setRemovalPrevented('lib0', 'host-a', false);
    assert.deepEqual(await keeper.sweep(new Date()), ['A00001L8']);
    assert.equal(h.manager.cartridge('A00001L8').location.kind, 'shelf');
  } finally {
    await keeper.stop();
    h.cleanup();
  }
});

test('with afterUnloadHours, a cartridge resting in its slot goes to the vault once that many hours have passed since its unload, and the audit log says why', async () => {
  const config = smallConfig({ vault: { afterUnloadHours: 2 } });
  const h = await harness(config);
  const audit = new AuditTrail({ file: join(h.dir, 'audit.log'), log: silentLogger() });
  const keeper = new VaultKeeper(h.manager, config, silentLogger(), audit);
  try {
    await h.manager.move('lib0', 0x1001, 0x100);
    await h.manager.move('lib0', 0x100, 0x1001);
    const unloaded = Date.parse(h.manager.retention.times('A00002L8').lastUnloadAt ?? '');
    assert.deepEqual(await keeper.sweep(new Date(unloaded + 2 * HOUR_MS - 1)), []);
    assert.deepEqual(await keeper.sweep(new Date(unloaded + 2 * HOUR_MS)), ['A00002L8']);
    assert.deepEqual(visibleToHosts(h), ['A00001L8', 'A00003L8']);
    assert.deepEqual((await audit.list()).map((e) => [e.kind, e.actor, e.barcode, e.detail]), [['vault.policy', 'vault-policy', 'A00002L8', { reason: 'after-unload' }]]);
  } finally {
    await keeper.stop();
    h.cleanup();
  }
});
