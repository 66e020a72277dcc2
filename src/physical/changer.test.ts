import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchDrives, type LunIdentity } from './changer.js';

const tape = (lun: number, serial: string): LunIdentity => ({ lun, deviceType: 1, vendor: 'IET     ', product: 'VIRTUAL-TAPE    ', serial });
const drive = (address: number, deviceIdentifier?: string) => ({ type: 4, address, full: false, except: false, ...(deviceIdentifier ? { deviceIdentifier } : {}) });

test('matchDrives() pairs drive elements with tape LUNs by their T10 identifiers, in any order', () => {
  const got = matchDrives([drive(256, 'IET     VIRTUAL-TAPE    beaf12'), drive(257, 'IET     VIRTUAL-TAPE    beaf11')], [tape(1, 'beaf11'), tape(2, 'beaf12')]);
  assert.deepEqual(got.map((d) => [d.address, d.lun]), [[256, 2], [257, 1]]);
});

test('matchDrives() settles an identifier cut short by elimination once the others are matched', () => {
  const got = matchDrives([drive(256, 'IET     VIRTUAL-TAPE    beaf11'), drive(257, 'IET     VIRTUAL-TAPE    be')], [tape(1, 'beaf11'), tape(2, 'beaf12')]);
  assert.deepEqual(got.map((d) => d.lun), [1, 2]);
});

test('matchDrives() leaves a drive unmatched when its identifier fits no tape LUN', () => {
  const got = matchDrives([drive(256, 'HP      Ultrium 8-SCSI  XYZ')], [tape(1, 'beaf11')]);
  assert.equal(got[0].lun, undefined);
});

test('matchDrives() pairs in order when the library reports no identifiers', () => {
  const got = matchDrives([drive(256), drive(257)], [tape(3, 'a'), tape(4, 'b')]);
  assert.deepEqual(got.map((d) => d.lun), [3, 4]);
});
