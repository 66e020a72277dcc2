import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SenseKey } from '../scsi/sense.js';
import { PhysicalDeviceError } from './physical-device-error.js';
import { WriteWindow, type Confirmed, type WindowTarget } from './write-window.js';

interface Sent {
  readonly what: string;
  readonly inFlightWithOthers: boolean;
  answer(earlyWarning?: boolean): void;
  fail(err: Error): void;
}

/** A drive whose every command waits until the test answers it, in any order the test likes. */
function manualDrive(unsolicitedBytes = 1024): WindowTarget & { sent: Sent[] } {
  const sent: Sent[] = [];
  const command = (what: string, o?: { inFlightWithOthers?: boolean }): Promise<{ earlyWarning: boolean }> =>
    new Promise((resolve, reject) => {
      sent.push({ what, inFlightWithOthers: o?.inFlightWithOthers === true, answer: (earlyWarning = false) => resolve({ earlyWarning }), fail: reject });
    });
  return {
    sent,
    write: (record, o) => command(record.toString(), o),
    writeFilemarks: (count, o) => command(`filemarks ${count}`, o),
    unsolicitedBytes: () => unsolicitedBytes,
  };
}

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('WriteWindow confirms objects in the order they were sent, even when the drive answers the later ones first', async () => {
  const drive = manualDrive();
  const confirmed: Confirmed[] = [];
  const window = new WriteWindow(drive, { writes: 4, bytes: 1024 }, (c) => confirmed.push(c));
  await window.write(Buffer.from('aa'));
  await window.writeFilemark();
  await window.write(Buffer.from('bbb'));
  assert.deepEqual(drive.sent.map((s) => s.what), ['aa', 'filemarks 1', 'bbb'], 'three in flight, none waited for');
  drive.sent[2].answer();
  drive.sent[1].answer();
  await settle();
  assert.deepEqual(confirmed, [], 'nothing is confirmed before the first write in order');
  drive.sent[0].answer();
  await window.drain();
  assert.deepEqual(confirmed, [
    { bytes: 2, filemark: false, earlyWarning: false },
    { bytes: 0, filemark: true, earlyWarning: false },
    { bytes: 3, filemark: false, earlyWarning: false },
  ]);
});

test('WriteWindow keeps at most `writes` commands in flight and sends them ORDERED without retries', async () => {
  const drive = manualDrive();
  const window = new WriteWindow(drive, { writes: 2, bytes: 1024 }, () => undefined);
  await window.write(Buffer.from('a'));
  await window.write(Buffer.from('b'));
  const third = window.write(Buffer.from('c'));
  await settle();
  assert.equal(drive.sent.length, 2, 'the third waits for room');
  drive.sent[0].answer();
  await third;
  assert.deepEqual(drive.sent.map((s) => s.what), ['a', 'b', 'c']);
  assert.ok(drive.sent.every((s) => s.inFlightWithOthers));
  drive.sent[1].answer();
  drive.sent[2].answer();
  await window.drain();
  assert.equal(window.inFlight, 0);
});

test('WriteWindow keeps the record bytes in flight under its limit, but always lets one write of any size go', async () => {
  const drive = manualDrive();
  const window = new WriteWindow(drive, { writes: 8, bytes: 4 }, () => undefined);
  await window.write(Buffer.from('123456'));
  assert.equal(drive.sent.length, 1, 'a record over the byte limit goes alone');
  const next = window.write(Buffer.from('12'));
  await settle();
  assert.equal(drive.sent.length, 1, 'the next waits until the big one is answered');
  drive.sent[0].answer();
  await next;
  await window.write(Buffer.from('34'));
  assert.equal(drive.sent.length, 3, 'two records of 2 bytes fit the 4 bytes together');
  drive.sent[1].answer();
  drive.sent[2].answer();
  await window.drain();
});

test('WriteWindow with room for one write waits for each status and lets the device repeat a command (no ORDERED)', async () => {
  const drive = manualDrive();
  const confirmed: number[] = [];
  const window = new WriteWindow(drive, { writes: 1, bytes: 1024 }, (c) => confirmed.push(c.bytes));
  const first = window.write(Buffer.from('abc'));
  await settle();
  assert.equal(drive.sent[0].inFlightWithOthers, false);
  drive.sent[0].answer();
  await first;
  assert.deepEqual(confirmed, [3], 'confirmed before write() returns');
});

test('WriteWindow stops at the first failed write in order; the writes sent after it end, unconfirmed, with their buffers given back', async () => {
  const drive = manualDrive();
  const confirmed: string[] = [];
  const released: string[] = [];
  const window = new WriteWindow(drive, { writes: 3, bytes: 1024 }, (c) => confirmed.push(String(c.bytes)));
  for (const t of ['a', 'bb', 'ccc']) await window.write(Buffer.from(t), () => released.push(t));
  // The later write fails first: its rejection waits in the queue and must not count as unhandled.
  drive.sent[2].fail(new Error('the third failed too'));
  await settle();
  drive.sent[0].answer();
  drive.sent[1].fail(new PhysicalDeviceError('WRITE', 2, { key: SenseKey.MEDIUM_ERROR, asc: 0x0c, ascq: 0x00 } as never, false));
  await assert.rejects(window.drain(), (err: unknown) => err instanceof PhysicalDeviceError);
  await window.abandon();
  assert.deepEqual(confirmed, ['1'], 'only what came before the failure in order');
  assert.deepEqual(released.sort(), ['a', 'bb', 'ccc']);
  assert.equal(window.inFlight, 0);
});

test('WriteWindow ends the copy where its confirm callback throws (early warning), with the later writes still awaited', async () => {
  const drive = manualDrive();
  const window = new WriteWindow(drive, { writes: 3, bytes: 1024 }, (c) => {
    if (c.earlyWarning) throw new Error('too small');
  });
  for (const t of ['a', 'b', 'c']) await window.write(Buffer.from(t));
  drive.sent[0].answer(true);
  drive.sent[1].fail(new Error('VOLUME OVERFLOW'));
  await assert.rejects(window.drain(), /too small/, 'the early warning came first in order, so it is the reason');
  const abandoned = window.abandon();
  drive.sent[2].answer();
  await abandoned;
});

test('WriteWindow sends a record that would wait for an R2T alone: after the writes before it, and before the next', async () => {
  // tgt queues a command once all its data is in: a small record sent after a solicited one would overtake it.
  const drive = manualDrive(4);
  const window = new WriteWindow(drive, { writes: 4, bytes: 1024 }, () => undefined);
  await window.write(Buffer.from('a'));
  const big = window.write(Buffer.from('bbbbbbbb'));
  await settle();
  assert.deepEqual(drive.sent.map((s) => s.what), ['a'], 'the big record waits for the one in flight');
  drive.sent[0].answer();
  await settle();
  assert.deepEqual(drive.sent.map((s) => s.what), ['a', 'bbbbbbbb']);
  assert.equal(drive.sent[1].inFlightWithOthers, false, 'alone, so the device may repeat it');
  let returned = false;
  void big.then(() => (returned = true));
  await settle();
  assert.equal(returned, false, 'write() returns only once the record sent alone has its status, so nothing follows it sooner');
  drive.sent[1].answer();
  await big;
  await window.write(Buffer.from('c'));
  assert.deepEqual(drive.sent.map((s) => s.what), ['a', 'bbbbbbbb', 'c']);
  drive.sent[2].answer();
  await window.drain();
});

test('WriteWindow refuses limits that leave no room for a write', () => {
  assert.throws(() => new WriteWindow(manualDrive(), { writes: 0, bytes: 1024 }, () => undefined), RangeError);
  assert.throws(() => new WriteWindow(manualDrive(), { writes: 2, bytes: 0 }, () => undefined), RangeError);
});
