import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobScheduler } from './job-scheduler.js';

test('JobScheduler runs a job once when it is scheduled again before its timer fired', async () => {
  const runs: string[] = [];
  const scheduler = new JobScheduler<{ id: string }>((job) => Promise.resolve(void runs.push(job.id)));
  scheduler.schedule({ id: 'a' }, 0);
  scheduler.schedule({ id: 'a' }, 0);
  // A timer created after both: it fires after them.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await scheduler.idle();
  assert.deepEqual(runs, ['a']);
});

test('JobScheduler starts nothing once stopping, and stop() waits for the run going on', async () => {
  let finish: () => void = () => undefined;
  let ended = false;
  const runs: string[] = [];
  const scheduler = new JobScheduler<{ id: string }>((job) => {
    runs.push(job.id);
    return new Promise<void>((resolve) => (finish = resolve)).then(() => void (ended = true));
  });
  scheduler.schedule({ id: 'a' }, 0);
  scheduler.schedule({ id: 'b' }, 1000);
  while (!scheduler.runOf('a')) await new Promise((resolve) => setTimeout(resolve, 1));
  const stopped = scheduler.stop();
  assert.equal(scheduler.stopped, true);
  scheduler.schedule({ id: 'c' }, 0);
  finish();
  await stopped;
  assert.equal(ended, true, 'stop() resolved after the run ended');
  assert.deepEqual(runs, ['a'], 'b lost its timer and c was never scheduled');
  assert.equal(scheduler.runOf('a'), undefined);
});

test('JobScheduler.unschedule() keeps a job from running', async () => {
  const runs: string[] = [];
  const scheduler = new JobScheduler<{ id: string }>((job) => Promise.resolve(void runs.push(job.id)));
  scheduler.schedule({ id: 'a' }, 0);
  scheduler.unschedule('a');
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(runs, []);
});
