import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../log.js';
import type { LogicalUnit, ScsiCommand } from './logical-unit.js';
import { TaskAttribute } from './logical-unit.js';
import { ScsiStatus } from './status.js';
import { ScsiTarget } from './target.js';

function cmd(lun: number, cdb: number[]): ScsiCommand {
  const c = Buffer.alloc(16);
  Buffer.from(cdb).copy(c);
  return {
    lun, cdb: c, dataOut: undefined, expectedDataInLength: 4096, expectedDataOutLength: 0, taskAttribute: TaskAttribute.SIMPLE,
    nexus: { id: 'n', initiatorPort: 'i', targetPort: 't', relativeTargetPort: 1 }, signal: new AbortController().signal,
  };
}

const okUnit: LogicalUnit = { execute: async () => ({ status: ScsiStatus.GOOD }), handleEvent: () => undefined };

test('REPORT LUNS to an unknown LUN lists the attached LUNs in order', async () => {
  const t = new ScsiTarget(silentLogger());
  t.attach(2, okUnit);
  t.attach(0, okUnit);
  const r = await t.execute(cmd(7, [0xa0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0]));
  assert.equal(r.status, ScsiStatus.GOOD);
  assert.deepEqual([...(r.dataIn ?? [])], [0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
});

test('REPORT LUNS with an allocation length under 16 is refused with a field pointer to byte 6', async () => {
  const t = new ScsiTarget(silentLogger());
  const r = await t.execute(cmd(7, [0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0]));
  assert.equal(r.status, ScsiStatus.CHECK_CONDITION);
  assert.deepEqual([r.sense?.[12], r.sense?.[17]], [0x24, 6]);
});

test('INQUIRY to an unknown LUN answers peripheral qualifier 011b and other commands LOGICAL UNIT NOT SUPPORTED', async () => {
  const t = new ScsiTarget(silentLogger());
  const inq = await t.execute(cmd(3, [0x12, 0, 0, 0, 36, 0]));
  assert.equal(inq.dataIn?.[0], 0x7f);
  const tur = await t.execute(cmd(3, [0x00, 0, 0, 0, 0, 0]));
  assert.deepEqual([tur.status, tur.sense?.[2], tur.sense?.[12]], [ScsiStatus.CHECK_CONDITION, 0x05, 0x25]);
  const rs = await t.execute(cmd(3, [0x03, 0, 0, 0, 18, 0]));
  assert.deepEqual([rs.status, rs.dataIn?.[12]], [ScsiStatus.GOOD, 0x25]);
});
