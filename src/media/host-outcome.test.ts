import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RecordFlag, RecordType, type DecodedHeader } from './record-header.js';
import { hostOutcome, logicalBytesOf, type AtRestOpening, type CheckedRecord } from './host-outcome.js';
import type { OpenedRecord } from './crypto/record-opener.js';

/** The header of data object 5, pass 2 (only the fields the outcome reads matter; a sealed record is not decoded here). */
function header(flags: number, logicalLength = 8): DecodedHeader {
  return { type: RecordType.DATA, flags, objectNumber: 5, pass: 2, storedLength: 8, logicalLength, payloadCrc: 0, headerCrc: 0 };
}

/** A record whose release() counts its calls. */
function lent(flags: number, opened?: OpenedRecord): CheckedRecord & { released: () => number } {
  let calls = 0;
  return {
    header: header(flags), data: Buffer.from('stored!!'), storedBytes: 8, ...(opened ? { opened } : {}),
    release: () => void calls++,
    released: () => calls,
  };
}

/** An at-rest seal that opens everything to `inner`, or refuses with `problem`. */
function seal(answer: Buffer | string): AtRestOpening {
  return { open: () => answer, unpack: () => answer };
}

describe('hostOutcome()', () => {
  test('a plain record is the block as read, its memory still lent with the outcome', () => {
    const record = lent(0);
    const outcome = hostOutcome(record, undefined);
    assert.ok('kind' in outcome && outcome.kind === 'block');
    assert.equal(outcome.data, record.data);
    outcome.release?.();
    assert.equal(record.released(), 1);
  });

  test('a host-encrypted record is its envelope with the place its nonce was made for', () => {
    const record = lent(RecordFlag.ENCRYPTED);
    const outcome = hostOutcome(record, undefined);
    assert.ok('kind' in outcome && outcome.kind === 'encrypted-block');
    assert.equal(outcome.envelope, record.data);
    assert.deepEqual(outcome.place, { objectNumber: 5, pass: 2, logicalLength: 8, compressed: false });
    assert.equal(record.released(), 0);
    outcome.release?.();
    assert.equal(record.released(), 1);
  });

  test('an at-rest record opened here gives back the memory it was read into at once', () => {
    const record = lent(RecordFlag.AT_REST);
    const inner = Buffer.from('the data');
    const outcome = hostOutcome(record, seal(inner));
    assert.deepEqual(outcome, { kind: 'block', data: inner });
    assert.equal(record.released(), 1);
  });

  test('an at-rest record the reader opened in lent memory keeps it lent with the outcome', () => {
    const opened: OpenedRecord = { data: Buffer.from('opened!!'), slabs: [] };
    const record = lent(RecordFlag.AT_REST, opened);
    const outcome = hostOutcome(record, { open: () => 'not called', unpack: (data) => data });
    assert.ok('kind' in outcome && outcome.kind === 'block');
    assert.equal(outcome.data, opened.data);
    assert.equal(record.released(), 0);
    outcome.release?.();
    assert.equal(record.released(), 1);
  });

  test('an at-rest record that does not open is a problem, and its memory goes back once', () => {
    for (const [atRest, opened] of [
      [undefined, undefined],
      [seal('the envelope fails its tag'), undefined],
      [seal(Buffer.alloc(1)), { data: Buffer.alloc(8), slabs: [], atRestRefused: 'integrity' }],
    ] as const) {
      const record = lent(RecordFlag.AT_REST, opened);
      const outcome = hostOutcome(record, atRest);
      assert.ok('problem' in outcome, JSON.stringify(outcome));
      assert.equal(record.released(), 1);
    }
  });

  test('an at-rest record that was host-encrypted too is the host envelope inside', () => {
    const envelope = Buffer.from('host env');
    const outcome = hostOutcome(lent(RecordFlag.AT_REST | RecordFlag.ENCRYPTED), seal(envelope));
    assert.ok('kind' in outcome && outcome.kind === 'encrypted-block');
    assert.equal(outcome.envelope, envelope);
  });

  test('logicalBytesOf() counts sealed records by their header, plain ones by the data returned', () => {
    assert.equal(logicalBytesOf(lent(0)), 8);
    assert.equal(logicalBytesOf({ ...lent(RecordFlag.ENCRYPTED), header: header(RecordFlag.ENCRYPTED, 4096) }), 4096);
  });
});
