// The checker the fault sweep and the soak rely on must catch each way a tape can go wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FILEMARK, HostTapeModel, block, checkReadBack, type TapeObject } from './host-tape-model.js';

const b = (text: string): TapeObject => block(Buffer.from(text));

function written(): HostTapeModel {
  const m = new HostTapeModel();
  m.wrote([b('one'), b('two'), FILEMARK]);
  m.flushed();
  m.wrote([b('three'), b('four')]);
  return m;
}

test('checkReadBack accepts the flushed prefix followed by any prefix of what was acknowledged after it', () => {
  const m = written();
  for (let n = 3; n <= 5; n++) assert.equal(checkReadBack(m.objects.slice(0, n), m), undefined);
  assert.equal(checkReadBack(m.objects, m, { exact: true }), undefined);
});

test('checkReadBack reports a flushed record lost, altered, or a filemark turned into a block', () => {
  const m = written();
  assert.match(checkReadBack([b('one'), b('two')], m) ?? '', /flushed object 2 is lost/);
  assert.match(checkReadBack([b('one'), b('TWO'), FILEMARK], m) ?? '', /flushed object 1/);
  assert.match(checkReadBack([b('one'), b('two'), b('')], m) ?? '', /flushed object 2/);
});

test('checkReadBack reports an unflushed record altered, duplicated or resurrected after a cut', () => {
  const m = written();
  assert.match(checkReadBack([...m.objects.slice(0, 3), b('thr33')], m) ?? '', /object 3/);
  assert.match(checkReadBack([...m.objects.slice(0, 4), b('three')], m) ?? '', /object 4/);
  m.moveTo(3);
  m.wrote([b('new')]);
  assert.match(checkReadBack([...m.objects.slice(0, 3), b('three')], m) ?? '', /object 3/);
  assert.match(checkReadBack([...m.objects, b('four')], m) ?? '', /host wrote nothing there/);
  assert.match(checkReadBack([...m.objects, b('four')], m, { exact: true }) ?? '', /object 4 is lost or altered/);
});

test('checkReadBack in exact mode reports an acknowledged record missing after a clean end', () => {
  const m = written();
  m.flushed();
  assert.match(checkReadBack(m.objects.slice(0, 4), m, { exact: true }) ?? '', /lost or altered/);
});

test('a command in flight may have completed: its tape is accepted only when offered as possible', () => {
  const m = written();
  const inFlight = [...m.objects, b('five')];
  assert.notEqual(checkReadBack(inFlight, m), undefined);
  assert.equal(checkReadBack(inFlight, m, { possible: [{ objects: inFlight, durable: 3 }] }), undefined);
  // An overwrite at object 1 in flight: the flushed records after it may be gone, the ones before it may not.
  const overwrite = [b('one'), b('new')];
  assert.equal(checkReadBack(overwrite, m, { possible: [{ objects: overwrite, durable: 1 }] }), undefined);
  assert.equal(checkReadBack([b('one')], m, { possible: [{ objects: overwrite, durable: 1 }] }), undefined);
  assert.match(checkReadBack([], m, { possible: [{ objects: overwrite, durable: 1 }] }) ?? '', /flushed object 0/);
});

test('a deferred error may not take flushed objects', () => {
  const m = written();
  assert.match(m.lost(3) ?? '', /only 2 were not flushed/);
  assert.equal(m.lost(2), undefined);
  assert.equal(m.endOfData, 3);
});
