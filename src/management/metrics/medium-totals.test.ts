import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediumTotals } from './medium-totals.js';
import type { MediumCounters, MediumHandle } from './metrics-sources.js';

function cartridge(hostBytesWritten: number): MediumHandle & { counters: { -readonly [K in keyof MediumCounters]: number } } {
  const counters = { hostBytesWritten, hostBytesRead: 0, storedBytesWritten: hostBytesWritten / 2, storedBytesRead: 0, blocksWritten: 1, blocksRead: 0, filemarksWritten: 0 };
  return { counters, statistics: () => ({ ...counters }) };
}

test('MediumTotals adds up every cartridge the drive held, with the final counts of those it no longer holds', () => {
  const totals = new MediumTotals();
  const a = cartridge(1000);
  totals.see(a);
  a.counters.hostBytesWritten = 3000; // written after the last look: still counted when it leaves
  totals.see(undefined);
  assert.equal(totals.totals().hostBytesWritten, 3000);
  const b = cartridge(500);
  totals.see(b);
  totals.see(b);
  assert.deepEqual(totals.totals(), { hostBytesWritten: 3500, hostBytesRead: 0, storedBytesWritten: 750, storedBytesRead: 0, blocksWritten: 2, blocksRead: 0, filemarksWritten: 0 });
});

test('MediumTotals counts a cartridge replaced by another without a look at an empty drive in between', () => {
  const totals = new MediumTotals();
  totals.see(cartridge(100));
  totals.see(cartridge(10));
  assert.equal(totals.totals().hostBytesWritten, 110);
});
