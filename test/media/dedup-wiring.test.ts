import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log.js';
import { createDedupMedia } from '../../src/media/dedup/create-dedup-media.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';

const parts = { directory: '/nonexistent', log: silentLogger(), libraryOf: () => 'a', describe: () => undefined, idle: () => true };

test('without a deduplicating library the media store is the plain one and there is no scheduler', () => {
  const made = createDedupMedia({ ...parts, libraries: [{ name: 'a', dedup: { enabled: false, scope: 'library' } }] });
  assert.ok(made.store instanceof FileMediaStore);
  assert.equal(made.scheduler, undefined);
});

test('a deduplicating library makes the store deduplicating and gives a scheduler', () => {
  const made = createDedupMedia({ ...parts, libraries: [{ name: 'a', dedup: { enabled: true, scope: 'global' } }] });
  assert.ok(made.store instanceof DedupMediaStore);
  assert.ok(made.scheduler !== undefined);
});
