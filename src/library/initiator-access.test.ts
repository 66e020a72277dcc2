import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../config/schema.js';
import { isReadOnlyInitiator } from './initiator-access.js';

test('isReadOnlyInitiator() names the restore hosts of the access list, whatever the case', () => {
  const config = configSchema.parse({ libraries: [{ name: 'lib0', access: { readOnlyInitiators: ['iqn.2026-12.example:Restore'] } }] });
  const lib = config.libraries[0];
  assert.equal(isReadOnlyInitiator(lib, 'iqn.2026-12.example:restore'), true);
  assert.equal(isReadOnlyInitiator(lib, 'iqn.2026-12.example:backup'), false);
  assert.equal(isReadOnlyInitiator(configSchema.parse({}).libraries[0], 'iqn.2026-12.example:restore'), false);
});

test('a read-only initiator that is not an iSCSI name is refused by the config', () => {
  const r = configSchema.safeParse({ libraries: [{ name: 'lib0', access: { readOnlyInitiators: ['restore-host'] } }] });
  assert.equal(r.success, false);
  assert.deepEqual(r.success ? [] : r.error.issues.map((i) => i.path.join('.')), ['libraries.0.access.readOnlyInitiators.0']);
});
