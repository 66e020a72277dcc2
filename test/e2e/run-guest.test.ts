import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseChecks, qemuArgs, type RunGuestOptions } from './run-guest.js';

describe('parseChecks()', () => {
  test('parseChecks() reads ok, fail and skip lines and ignores everything else', () => {
    const text = [
      'noise before',
      'VTLCHECK ok sg_inq-lun0 VTL      ULT3580-TD8      PDT=1',
      '\rVTLCHECK fail mt-eod-file-number /dev/nst0 at file/block \'-1 -1\', expected \'3 0\'\r',
      'VTLCHECK skip worm no WORM_BARCODE given',
      'VTLCHECK ok bare',
      'VTLCHECK maybe other thing',
    ].join('\n');
    const { checks, completed } = parseChecks(text);
    assert.equal(completed, false);
    assert.deepEqual(checks, [
      { status: 'ok', name: 'sg_inq-lun0', detail: 'VTL      ULT3580-TD8      PDT=1' },
      { status: 'fail', name: 'mt-eod-file-number', detail: "/dev/nst0 at file/block '-1 -1', expected '3 0'" },
      { status: 'skip', name: 'worm', detail: 'no WORM_BARCODE given' },
      { status: 'ok', name: 'bare', detail: '' },
    ]);
  });

  test('parseChecks() reports completion only when VTLDONE arrived', () => {
    assert.equal(parseChecks('VTLCHECK ok a\nVTLDONE\n').completed, true);
    assert.equal(parseChecks('VTLCHECK ok a\nVTLDON').completed, false);
  });
});

describe('qemuArgs()', () => {
  const base: RunGuestOptions = {
    guestDir: '/g', scriptPath: '/s.sh', env: {}, portal: '127.0.0.1:3261', iqn: 'iqn.2026-11.org.vtl:lib0',
    luns: [0, 3], outDir: '/o', name: 'n', timeoutMs: 1000,
  };

  test('qemuArgs() passes every LUN through as its own iSCSI drive and scsi-generic device, without network', () => {
    const args = qemuArgs(base, '/o/n.initrd', '/o/c.log', '/o/r.log');
    const joined = args.join(' ');
    assert.match(joined, /-drive if=none,id=lun0,file=iscsi:\/\/127\.0\.0\.1:3261\/iqn\.2026-11\.org\.vtl:lib0\/0,format=raw/);
    assert.match(joined, /-device scsi-generic,drive=lun3,bus=scsi0\.0,channel=0,scsi-id=3,lun=0/);
    assert.ok(args.includes('-nodefaults') && args.includes('none'), 'no default devices, no NIC');
    assert.deepEqual(args.slice(0, 4), ['-accel', 'tcg,thread=multi', '-cpu', 'max']);
    assert.ok(!joined.includes('password-secret'));
  });

  test('qemuArgs() attaches second-initiator LUNs as their own iSCSI drives with that initiator name, at SCSI id 8 + LUN', () => {
    const args = qemuArgs({ ...base, secondInitiator: { name: 'iqn.2026-11.org.vtl:e2e-other', luns: [4] }, chap: { username: 'u1', secret: 'abcdefghijkl' } }, '/i', '/c', '/r');
    const joined = args.join(' ');
    assert.match(joined, /-drive if=none,id=alt4,driver=iscsi,transport=tcp,portal=127\.0\.0\.1:3261,target=iqn\.2026-11\.org\.vtl:lib0,lun=4,initiator-name=iqn\.2026-11\.org\.vtl:e2e-other,user=u1,password-secret=chapsecret,cache=none/);
    assert.match(joined, /-device scsi-generic,drive=alt4,bus=scsi0\.0,channel=0,scsi-id=12,lun=0/);
  });

  test('qemuArgs() attaches other targets\' LUNs at their SCSI ids, with the guest\'s CHAP only where asked', () => {
    const args = qemuArgs({
      ...base, chap: { username: 'u1', secret: 'abcdefghijkl' },
      otherLuns: [{ portal: '127.0.0.1:3261', iqn: 'iqn.2026-11.org.vtl:lib1', lun: 1, scsiId: 17, chap: true }, { portal: '127.0.0.1:4000', iqn: 'iqn.x:tgt', lun: 3, scsiId: 20 }],
    }, '/i', '/c', '/r');
    const joined = args.join(' ');
    assert.match(joined, /-drive if=none,id=other17,driver=iscsi,transport=tcp,portal=127\.0\.0\.1:3261,target=iqn\.2026-11\.org\.vtl:lib1,lun=1,initiator-name=iqn\.2026-11\.org\.vtl:e2e-guest,user=u1,password-secret=chapsecret,cache=none/);
    assert.match(joined, /-drive if=none,id=other20,driver=iscsi,transport=tcp,portal=127\.0\.0\.1:4000,target=iqn\.x:tgt,lun=3,initiator-name=iqn\.2026-11\.org\.vtl:e2e-guest,cache=none/);
    assert.match(joined, /-device scsi-generic,drive=other20,bus=scsi0\.0,channel=0,scsi-id=20,lun=0/);
  });

  test('qemuArgs() gives QEMU the CHAP secret as a secret object, not in the URL', () => {
    const args = qemuArgs({ ...base, chap: { username: 'u1', secret: 'abcdefghijkl' } }, '/i', '/c', '/r');
    const joined = args.join(' ');
    assert.match(joined, /-object secret,id=chapsecret,data=abcdefghijkl/);
    assert.match(joined, /-iscsi initiator-name=[^ ]+,user=u1,password-secret=chapsecret/);
    assert.ok(!/iscsi:\/\/[^ ]*abcdefghijkl/.test(joined));
  });
});
