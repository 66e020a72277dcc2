import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CapacityBudget } from './capacity-budget.js';
import { emptyLifetime, type CartridgeMetadata } from './cartridge-metadata.js';
import { MediumFullError } from './media-errors.js';

const metadataOf = (capacityBytes: number, nativeCapacityBytes?: number): CartridgeMetadata => ({
  format: 1, barcode: 'B00001L8', generation: 8, worm: false, capacityBytes, ...(nativeCapacityBytes === undefined ? {} : { nativeCapacityBytes }),
  pass: 0, loadCount: 1, lifetime: emptyLifetime(), attributes: {}, createdAt: '2026-01-01T00:00:00.000Z',
});

describe('CapacityBudget', () => {
  test('a record fits when it ends exactly at the capacity, and not one byte later', () => {
    const budget = new CapacityBudget(metadataOf(1000), undefined);
    assert.equal(budget.fits(900, 100), true);
    assert.equal(budget.fits(900, 101), false);
    assert.doesNotThrow(() => budget.checkRoom(900, 100, 'B00001L8'));
    assert.throws(() => budget.checkRoom(900, 101, 'B00001L8'), (error: unknown) => error instanceof MediumFullError && /100 bytes remain/.test(error.message));
  });

  test('the bytes reserved before the data file count against the capacity and in the report', () => {
    const budget = new CapacityBudget(metadataOf(1000), undefined);
    budget.reserve(400);
    assert.equal(budget.fits(500, 100), true);
    assert.equal(budget.fits(500, 101), false);
    assert.throws(() => budget.checkRoom(500, 101, 'B00001L8'), MediumFullError);
    const report = budget.report(500);
    assert.equal(report.capacityBytes, 1000);
    assert.equal(report.usedBytes, 900);
    assert.equal(report.remainingBytes, 100);
  });

  test("a partition's capacity is its own, not the cartridge's", () => {
    const budget = new CapacityBudget(metadataOf(1000), 300);
    assert.equal(budget.capacityBytes, 300);
    assert.equal(budget.fits(200, 101), false);
    assert.equal(budget.report(0).capacityBytes, 300);
  });

  test('SET CAPACITY accepts 1 to the native capacity and records both in the metadata', () => {
    const metadata = metadataOf(1000);
    const budget = new CapacityBudget(metadata, undefined);
    for (const bad of [0, -1, 1001, 1.5, Number.NaN]) assert.throws(() => budget.checkSetting(bad, 'B00001L8'), RangeError, String(bad));
    budget.checkSetting(1, 'B00001L8');
    budget.checkSetting(1000, 'B00001L8');
    budget.set(250);
    assert.equal(metadata.capacityBytes, 250);
    assert.equal(metadata.nativeCapacityBytes, 1000, 'an older cartridge without a native capacity gets its original one');
    assert.equal(budget.capacityBytes, 250);
    assert.equal(budget.fits(200, 51), false);
  });

  test('the native capacity of a cartridge whose capacity was set before is the recorded native one', () => {
    const budget = new CapacityBudget(metadataOf(250, 1000), undefined);
    assert.equal(budget.nativeCapacityBytes, 1000);
    assert.doesNotThrow(() => budget.checkSetting(1000, 'B00001L8'));
  });
});
