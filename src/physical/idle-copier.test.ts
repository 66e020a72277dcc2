import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cartridge } from '../library/cartridge.js';
import { createLogger } from '../log.js';
import type { CopyJob } from './copy-job-store.js';
import { HostActivity } from './host-activity.js';
import { IdleCopier, type IdleCopierOptions } from './idle-copier.js';

const log = createLogger({ level: 'silent' });

function cartridge(barcode: string, type: 'storage' | 'dataTransfer' = 'storage'): Cartridge {
  return { barcode, location: { kind: 'element', library: 'lib0', type, index: 0, address: 0 }, cleaning: false } as Cartridge;
}

function job(barcode: string, state: CopyJob['state'], sourceLastWriteAt: string | null, trigger: CopyJob['trigger'] = 'idle'): CopyJob {
  return { id: `${barcode}-${state}`, barcode, library: 'lib0', trigger, state, sourceLastWriteAt } as CopyJob;
}

function setup(o: { cartridges: Cartridge[]; jobs?: CopyJob[]; lastWrite?: Record<string, string>; held?: string[]; nowMs?: () => number }) {
  const enqueued: string[] = [];
  const resumed: string[] = [];
  const paused: string[] = [];
  let now = 100_000;
  const clock = o.nowMs ?? (() => now);
  const activity = new HostActivity(clock);
  const options: IdleCopierOptions = {
    engine: {
      list: () => o.jobs ?? [],
      enqueue: (barcode: string) => Promise.resolve(void enqueued.push(barcode)) as never,
      pauseIdle: (library: string) => void paused.push(library),
      resume: (id: string) => Promise.resolve(void resumed.push(id)),
      libraries: [{ name: 'tgt', inventory: () => Promise.resolve({ slots: (o.held ?? []).map((b) => ({ full: true, barcode: b })), mailSlots: [], drives: [] }) }] as never,
    },
    manager: {
      cartridges: () => o.cartridges,
      libraries: () => [{ name: 'lib0' }] as never,
      retention: { times: (b: string) => ({ lastWriteAt: o.lastWrite?.[b] ?? null }) } as never,
    },
    activity,
    idleMs: 1000,
    maxDrives: 2,
    log,
    nowMs: clock,
  };
  const copier = new IdleCopier(options);
  return { copier, activity, enqueued, resumed, paused, advance: (ms: number) => (now += ms) };
}

test('IdleCopier starts copies of written cartridges a physical library holds, once the library has been quiet long enough', async () => {
  const s = setup({
    cartridges: [cartridge('A1'), cartridge('A2'), cartridge('A3'), cartridge('A4', 'dataTransfer'), cartridge('A5')],
    lastWrite: { A1: 't1', A2: 't2', A4: 't4', A5: 't5' },
    held: ['A1', 'A2', 'A3', 'A4'],
    jobs: [job('A2', 'done', 't2', 'export')],
  });
  await s.copier.tick();
  assert.deepEqual(s.enqueued, [], 'not quiet long enough since the start');
  s.advance(1000);
  await s.copier.tick();
  // A2: its last write was copied; A3: never written; A4: in a drive; A5: no physical cartridge.
  assert.deepEqual(s.enqueued, ['A1']);
});

test('IdleCopier waits again after host I/O, tells the engine to pause the library at once, and resumes paused jobs when quiet', async () => {
  const s = setup({ cartridges: [], jobs: [job('B1', 'paused', 't1')] });
  s.copier.start();
  try {
    s.advance(5000);
    s.activity.commandDone('lib0', 'WRITE(6)');
    assert.deepEqual(s.paused, ['lib0']);
    await s.copier.tick();
    assert.deepEqual(s.resumed, [], 'the library is busy');
    s.advance(1000);
    await s.copier.tick();
    assert.deepEqual(s.resumed, ['B1-paused']);
  } finally {
    await s.copier.stop();
  }
});

test('IdleCopier keeps at most maxDrives idle jobs per physical library, and never copies the same data twice', async () => {
  const s = setup({
    cartridges: ['C1', 'C2', 'C3'].map((b) => cartridge(b)),
    lastWrite: { C1: 't1', C2: 't2', C3: 't3' },
    held: ['C1', 'C2', 'C3'],
    jobs: [job('C1', 'running', 't0'), job('C9', 'failed', 'tx'), job('C3', 'cancelled', 't3')],
  });
  s.advance(1000);
  await s.copier.tick();
  // One idle job runs (C1, for older data): room for one more; C3's data was cancelled by an operator once.
  assert.deepEqual(s.enqueued, ['C2']);
});
