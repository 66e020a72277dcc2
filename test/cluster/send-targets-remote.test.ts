// SendTargets on a cluster node: the libraries it serves at its own portal, those other nodes serve at theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendTargets } from '../../src/iscsi/send-targets.js';
import { StaticTargetRegistry, type IscsiTarget, type RemoteTarget, type TargetRegistry } from '../../src/iscsi/target-registry.js';

const local = { name: 'iqn.2026-11.org.vtl:lib0', portalGroupTag: 1, device: {} as IscsiTarget['device'], access: { initiators: [] } } satisfies IscsiTarget;
const remote: RemoteTarget[] = [
  { name: 'iqn.2026-11.org.vtl:lib1', portalGroupTag: 1, address: '192.0.2.2:3260', access: { initiators: [] } },
  { name: 'iqn.2026-11.org.vtl:lib2', portalGroupTag: 1, address: '[2001:db8::3]:3260', access: { initiators: ['iqn.2026-11.org.example:other'] } },
];
const registry: TargetRegistry = Object.assign(new StaticTargetRegistry([local]), { remoteTargets: () => remote });
const ME = 'iqn.2026-11.org.example:host';
const portal = { host: '192.0.2.1', port: 3260 };

test('SendTargets=All in a discovery session lists remote libraries at their owners\' portals, after the ACL', () => {
  assert.deepEqual(sendTargets('All', registry, ME, undefined, portal), [
    ['TargetName', 'iqn.2026-11.org.vtl:lib0'], ['TargetAddress', '192.0.2.1:3260,1'],
    ['TargetName', 'iqn.2026-11.org.vtl:lib1'], ['TargetAddress', '192.0.2.2:3260,1'],
  ]);
  assert.deepEqual(sendTargets('All', registry, 'iqn.2026-11.org.example:other', undefined, portal).filter(([k]) => k === 'TargetAddress').map(([, v]) => v),
    ['192.0.2.1:3260,1', '192.0.2.2:3260,1', '[2001:db8::3]:3260,1']);
});

test('SendTargets naming a remote library answers its owner\'s portal; a normal session lists only its own target', () => {
  assert.deepEqual(sendTargets('IQN.2026-11.org.vtl:lib1', registry, ME, undefined, portal), [['TargetName', 'iqn.2026-11.org.vtl:lib1'], ['TargetAddress', '192.0.2.2:3260,1']]);
  assert.deepEqual(sendTargets('All', registry, ME, local, portal), [['TargetName', 'iqn.2026-11.org.vtl:lib0'], ['TargetAddress', '192.0.2.1:3260,1']]);
});
