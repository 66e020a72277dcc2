import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageError } from '../storage.js';
import { READ_AHEAD_SEGMENTS, SegmentFetcher } from './segment-fetcher.js';

function countingGets(answer: (index: number, call: number) => Promise<Buffer | undefined>): { get: (index: number) => Promise<Buffer | undefined>; calls: number[] } {
  const calls: number[] = [];
  return { calls, get: (index) => answer(index, calls.push(index)) };
}

test('a read and a read-ahead of the same segment share one GET until its bytes are installed', async () => {
  const { get, calls } = countingGets((index) => Promise.resolve(Buffer.from([index])));
  const fetcher = new SegmentFetcher(get, 'A/data', 1);
  const [a, b] = await Promise.all([fetcher.fetch(3), fetcher.fetch(3)]);
  assert.deepEqual([a, b], [Buffer.from([3]), Buffer.from([3])]);
  await fetcher.fetch(3);
  assert.deepEqual(calls, [3], 'still awaiting installation: no second GET');
  fetcher.done(3);
  await fetcher.fetch(3);
  assert.deepEqual(calls, [3, 3]);
});

test('a failed GET is forgotten at once, so the next read asks the store again', async () => {
  const { get, calls } = countingGets((_index, call) => (call === 1 ? Promise.reject(new StorageError('Cannot fetch: 403', 'EACCES')) : Promise.resolve(Buffer.from('x'))));
  const fetcher = new SegmentFetcher(get, 'A/data', 1);
  await assert.rejects(fetcher.fetch(0), /403/);
  assert.equal(fetcher.has(0), false);
  assert.deepEqual(await fetcher.fetch(0), Buffer.from('x'));
  assert.deepEqual(calls, [0, 0]);
});

test('a segment missing from the store is an EIO naming the file and the segment', async () => {
  const fetcher = new SegmentFetcher(() => Promise.resolve(undefined), 'A/data', 1);
  await assert.rejects(fetcher.fetch(4), (error: unknown) => error instanceof StorageError && error.code === 'EIO' && /A\/data: its segment 4 is missing/.test(error.message));
});

test('read-ahead fetches the next segments not skipped nor in flight, and hands each over with its generation', async () => {
  const { get, calls } = countingGets((index) => Promise.resolve(Buffer.from([index])));
  const fetcher = new SegmentFetcher(get, 'A/data', 1);
  void fetcher.fetch(2);
  const kept: [number, number][] = [];
  let settled = 0;
  await new Promise<void>((resolve) => {
    fetcher.readAhead(
      0,
      (i) => i > READ_AHEAD_SEGMENTS + 5,
      (i, _data, generation) => {
        kept.push([i, generation]);
        if (++settled === 1) resolve();
        return Promise.resolve();
      },
      () => assert.fail('no read-ahead fails here'),
    );
  });
  assert.deepEqual(calls, [2, 1], 'segment 2 was in flight already');
  assert.deepEqual(kept, [[1, 0]]);
  await new Promise(setImmediate);
  assert.equal(fetcher.has(1), false, 'handed over: done');
});

test('a new generation forgets fetches in flight, and their late hand-over leaves the new ones alone', async () => {
  const releases: (() => void)[] = [];
  const { get } = countingGets((index) => new Promise((resolve) => releases.push(() => resolve(Buffer.from([index])))));
  const fetcher = new SegmentFetcher(get, 'A/data', 1);
  const handed = new Promise<number>((resolve) => fetcher.readAhead(0, (i) => i !== 1, (_i, _d, generation) => Promise.resolve(resolve(generation)), () => undefined));
  fetcher.newGeneration();
  void fetcher.fetch(1);
  assert.equal(fetcher.has(1), true);
  releases[0]();
  assert.equal(await handed, 0, 'the stale hand-over carries the old generation, so keep() drops it');
  assert.equal(fetcher.has(1), true, 'the fetch of the new generation is still known');
});
