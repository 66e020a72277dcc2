// The short SIGKILL soak of `npm test` (the long one is `npm run soak`): the same code with 20 kills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from './sigkill-soak.js';

test('20 SIGKILLs of a real vtl serve at random points lose no flushed record, alter none, and keep every cartridge in the catalog once', async () => {
  // maxMinutes is only a safety bound; the run is over when the 20 kills are done.
  const summary = await runSoak({ kills: 20, maxMinutes: 15, seed: 13 });
  assert.deepEqual(summary.problems, [], `the data folder is kept in ${summary.dataDir}`);
  assert.equal(summary.kills, 20);
  // The soak did what it claims: it wrote, overwrote, moved, and read back and compared cartridges after restarts.
  assert.ok(summary.commandsAcknowledged > 100, `${summary.commandsAcknowledged} commands acknowledged`);
  assert.ok(summary.overwrites > 0 && summary.moves > 0, `${summary.overwrites} overwrites, ${summary.moves} moves`);
  assert.ok(summary.cartridgeChecks >= 10 && summary.recordsVerified > 50, `${summary.cartridgeChecks} cartridge checks, ${summary.recordsVerified} records`);
  assert.ok(summary.catalogChecks >= 15, `${summary.catalogChecks} catalog checks`);
});
