import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog } from '../../src/library/catalog.js';
import { RetentionBook } from '../../src/library/retention-book.js';
import type { Logger } from '../../src/log.js';
import { harness, smallConfig } from './harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const policy = (days: number, mode = 'compliance') => ({ retention: { mode, days, from: 'unload', barcodes: 'A00001L8-A00002L8' } });

async function loadAndUnload(h: Awaited<ReturnType<typeof harness>>, slotAddress: number): Promise<void> {
  await h.manager.move('lib0', slotAddress, 0x100);
  await h.manager.move('lib0', 0x100, slotAddress);
}

test('an unload starts a from-unload policy for cartridges in its barcode range only', async () => {
  const h = await harness(smallConfig(policy(30)));
  try {
    const before = Date.now();
    await loadAndUnload(h, 0x1000);
    await loadAndUnload(h, 0x1002);
    const locked = h.manager.retention.retentionOf('A00001L8', new Date());
    assert.equal(locked.locked, true);
    assert.equal(locked.mode, 'compliance');
    const until = Date.parse(locked.until ?? '');
    assert.ok(until >= before + 30 * DAY_MS && until <= Date.now() + 30 * DAY_MS, locked.until ?? 'null');
    assert.deepEqual(h.manager.retention.retentionOf('A00003L8', new Date()), { locked: false, mode: null, until: null });
    await assert.rejects(h.manager.deleteCartridge('A00001L8'), /under a compliance retention lock until/);
  } finally {
    h.cleanup();
  }
});

test('retentionOf() answers for the instant asked: after the expiry the cartridge is unlocked', async () => {
  const h = await harness(smallConfig(policy(30)));
  try {
    await loadAndUnload(h, 0x1000);
    const until = h.manager.retention.retentionOf('A00001L8', new Date()).until ?? '';
    assert.deepEqual(h.manager.retention.retentionOf('A00001L8', new Date(Date.parse(until) + 1)), { locked: false, mode: 'compliance', until });
    assert.equal(h.manager.retention.retentionOf('A00001L8', new Date(Date.parse(until) - 1)).locked, true);
  } finally {
    h.cleanup();
  }
});

test('editing the config to a shorter compliance policy does not shorten the lock; a longer one extends it', async () => {
  const h = await harness(smallConfig(policy(30)));
  try {
    await loadAndUnload(h, 0x1000);
    const first = h.manager.retention.retentionOf('A00001L8', new Date()).until ?? '';
    await h.restart(smallConfig(policy(5)));
    assert.equal(h.manager.retention.retentionOf('A00001L8', new Date()).until, first);
    await h.restart(smallConfig({}));
    assert.equal(h.manager.retention.retentionOf('A00001L8', new Date()).until, first);
    await h.restart(smallConfig(policy(60)));
    const extended = h.manager.retention.retentionOf('A00001L8', new Date()).until ?? '';
    assert.equal(Date.parse(extended) - Date.parse(first), 30 * DAY_MS);
  } finally {
    h.cleanup();
  }
});

test('a policy that would shorten a stored compliance lock is ignored with a log line naming the cartridge', async () => {
  const h = await harness(smallConfig(policy(30)));
  try {
    await loadAndUnload(h, 0x1000);
    h.manager.close();
    const warnings: unknown[] = [];
    const log = { warn: (fields: unknown, message: string) => warnings.push([fields, message]) } as unknown as Logger;
    const catalog = new Catalog(h.catalogPath);
    try {
      const book = new RetentionBook(catalog, smallConfig(policy(5)), log);
      assert.equal(book.applyPolicies(), 0);
      assert.equal(warnings.length, 1);
      assert.match(JSON.stringify(warnings[0]), /"barcode":"A00001L8".*a retention policy would shorten a compliance lock/);
    } finally {
      catalog.close();
    }
    await h.restart();
  } finally {
    h.cleanup();
  }
});

test('a governance lock released with the bypass stays released across a restart until the next unload', async () => {
  const h = await harness(smallConfig(policy(30, 'governance')));
  try {
    await loadAndUnload(h, 0x1000);
    assert.throws(() => h.manager.retention.release('A00001L8', 'admin', false), /needs an admin token and bypassGovernance/);
    assert.equal(h.manager.retention.release('A00001L8', 'admin', true).locked, false);
    await h.restart();
    assert.equal(h.manager.retention.retentionOf('A00001L8', new Date()).locked, false);
    await loadAndUnload(h, 0x1000);
    assert.equal(h.manager.retention.retentionOf('A00001L8', new Date()).locked, true);
  } finally {
    h.cleanup();
  }
});

test('adoptFromMedium() keeps the stricter of the catalog\'s lock and the one the cartridge carries', async () => {
  const h = await harness(smallConfig());
  try {
    const now = Date.now();
    const at = (days: number): string => new Date(now + days * DAY_MS).toISOString();
    h.manager.retention.set('A00001L8', { mode: 'governance', until: at(10), by: 'admin', bypassGovernance: false });
    // A restored (older) catalog knows only the governance lock; the cartridge says compliance for longer.
    const adopted = h.manager.retention.adoptFromMedium('A00001L8', { mode: 'compliance', startedAt: at(-1), until: at(20), setBy: 'medium' });
    assert.deepEqual([adopted?.mode, adopted?.until], ['compliance', at(20)]);
    // An older copy on the medium changes nothing.
    h.manager.retention.adoptFromMedium('A00001L8', { mode: 'governance', startedAt: at(-1), until: at(5), setBy: 'medium' });
    assert.deepEqual(h.manager.retention.retentionOf('A00001L8', new Date(now)), { locked: true, mode: 'compliance', until: at(20) });
  } finally {
    h.cleanup();
  }
});
