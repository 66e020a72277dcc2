import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../log.js';
import { emptyLifetime, type CartridgeMetadata } from './cartridge-metadata.js';
import { MediumCounters } from './medium-counters.js';
import { ObjectIndex } from './object-index.js';
import { CHECKPOINT_EVERY_BYTES, CHECKPOINT_EVERY_RECORDS, METADATA_COUNTERS_EVERY_MS, PersistenceSchedule, type SmallFileSaver } from './persistence-schedule.js';

function setup(): { schedule: PersistenceSchedule; saved: string[]; metadata: CartridgeMetadata; counters: MediumCounters; clock: { now: number }; failCheckpoint: { next: boolean } } {
  const metadata: CartridgeMetadata = {
    format: 1, barcode: 'P00001L8', generation: 8, worm: false, capacityBytes: 1 << 30, pass: 0, loadCount: 1,
    lifetime: emptyLifetime(), attributes: {}, createdAt: '2026-01-01T00:00:00.000Z',
  };
  const saved: string[] = [];
  const failCheckpoint = { next: false };
  const saver: SmallFileSaver = {
    saveCheckpoint: (index, pass) => {
      if (failCheckpoint.next) return Promise.reject(new Error('disk says no'));
      saved.push(`checkpoint ${index.objectCount} pass ${pass}`);
      return Promise.resolve();
    },
    saveMetadata: (m) => {
      saved.push(`metadata pass ${m.pass} blocks ${m.lifetime.blocksWritten}`);
      return Promise.resolve();
    },
  };
  const clock = { now: 1000 };
  const counters = new MediumCounters(metadata.lifetime, 1);
  return { schedule: new PersistenceSchedule(saver, metadata, counters, silentLogger(), () => clock.now), saved, metadata, counters, clock, failCheckpoint };
}

const index = (objects: number): ObjectIndex => {
  const built = ObjectIndex.empty(16);
  for (let n = 0; n < objects; n++) built.append(false, built.endOffset, 28);
  return built;
};

describe('PersistenceSchedule', () => {
  test('a flush saves the checkpoint once CHECKPOINT_EVERY_RECORDS records or CHECKPOINT_EVERY_BYTES were appended, not before', async () => {
    const { schedule, saved } = setup();
    schedule.appended(CHECKPOINT_EVERY_RECORDS - 1, 1000);
    await schedule.afterSync(index(10), 0, false);
    assert.deepEqual(saved, []);
    schedule.appended(1, 28);
    await schedule.afterSync(index(10), 0, false);
    assert.deepEqual(saved, ['checkpoint 10 pass 0']);
    schedule.appended(1, CHECKPOINT_EVERY_BYTES);
    await schedule.afterSync(index(11), 0, false);
    assert.deepEqual(saved, ['checkpoint 10 pass 0', 'checkpoint 11 pass 0']);
  });

  test('on a huge cartridge the checkpoint waits for a sixteenth of its objects', async () => {
    const { schedule, saved } = setup();
    const big = index(32 * CHECKPOINT_EVERY_RECORDS);
    schedule.appended(CHECKPOINT_EVERY_RECORDS, 28);
    await schedule.afterSync(big, 0, false);
    assert.deepEqual(saved, []);
    schedule.appended(CHECKPOINT_EVERY_RECORDS, 28);
    await schedule.afterSync(big, 0, false);
    assert.equal(saved.length, 1);
  });

  test('close saves the checkpoint when anything was appended, and the counters whatever their age', async () => {
    const { schedule, saved, counters } = setup();
    await schedule.afterSync(index(0), 0, true);
    assert.deepEqual(saved, [], 'nothing changed: nothing saved');
    schedule.appended(1, 28);
    counters.add('blocksWritten', 1);
    await schedule.afterSync(index(1), 0, true);
    assert.deepEqual(saved, ['checkpoint 1 pass 0', 'metadata pass 0 blocks 1']);
  });

  test('changed counters alone are saved by a flush only METADATA_COUNTERS_EVERY_MS after the last metadata save', async () => {
    const { schedule, saved, counters, clock } = setup();
    counters.add('blocksWritten', 3);
    clock.now += METADATA_COUNTERS_EVERY_MS - 1;
    await schedule.afterSync(index(0), 0, false);
    assert.deepEqual(saved, []);
    clock.now += 1;
    await schedule.afterSync(index(0), 0, false);
    assert.deepEqual(saved, ['metadata pass 0 blocks 3']);
    await schedule.afterSync(index(0), 0, false);
    assert.equal(saved.length, 1, 'saved counters are not saved again');
  });

  test('a new pass is saved by the next flush, at once', async () => {
    const { schedule, saved, metadata } = setup();
    schedule.passChanged(4);
    assert.equal(metadata.pass, 4);
    await schedule.afterSync(index(0), 4, false);
    assert.deepEqual(saved, ['metadata pass 4 blocks 0']);
  });

  test('the checkpoint before a cut is saved now, and a failure to save it is only logged (it is a cache)', async () => {
    const { schedule, saved, failCheckpoint } = setup();
    schedule.appended(5, 140);
    await schedule.checkpointBeforeCut(index(3), 1);
    assert.deepEqual(saved, ['checkpoint 3 pass 1']);
    failCheckpoint.next = true;
    await schedule.checkpointBeforeCut(index(2), 2);
    assert.deepEqual(saved, ['checkpoint 3 pass 1']);
  });
});
