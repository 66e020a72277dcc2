import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadOutcome } from '../media/tape-medium.js';
import { SenseKey } from '../scsi/sense.js';
import { copyCartridge, CopyPausedError, HostEncryptedRecordError, PhysicalCartridgeTooSmallError, type CopySource, type CopyTarget } from './cartridge-copier.js';
import { PhysicalDeviceError } from './physical-device-error.js';

/** A virtual cartridge of the given objects, read in order (positioning is not exercised here). */
function sourceOf(objects: ReadOutcome[]): CopySource {
  let at = 0;
  return {
    position: () => ({ objectNumber: at, fileNumber: 0, atEndOfData: at >= objects.length }),
    read: () => Promise.resolve(objects[at++] ?? ({ kind: 'end-of-data' } as const)),
    rewind: () => Promise.resolve(void (at = 0)),
    spaceFilemarks: () => Promise.resolve(),
    locate: (n: number) => Promise.resolve(void (at = n)),
  };
}

function recordingTarget(): CopyTarget & { written: Buffer[] } {
  const written: Buffer[] = [];
  return {
    written,
    rewind: () => Promise.resolve(),
    space: () => Promise.resolve(),
    write: (record) => Promise.resolve(void written.push(Buffer.from(record))).then(() => ({ earlyWarning: false })),
    writeFilemarks: () => Promise.resolve({ earlyWarning: false }),
    read: () => Promise.reject(new Error('not read in this test')),
  };
}

const hooks = { cancelled: () => false, progress: () => undefined, checkpoint: () => Promise.resolve() };

test('copyCartridge() stops at a record the host encrypted, naming it, after copying what came before', async () => {
  let released = 0;
  const source = sourceOf([
    { kind: 'block', data: Buffer.from('plain record') },
    { kind: 'encrypted-block', envelope: Buffer.alloc(64), place: {} as never, release: () => void released++ },
    { kind: 'block', data: Buffer.from('never reached') },
  ]);
  const target = recordingTarget();
  await assert.rejects(copyCartridge(source, target, { objects: 0, bytes: 0 }, 3, hooks), (err: unknown) => {
    assert.ok(err instanceof HostEncryptedRecordError);
    assert.match(err.message, /object 1 was written encrypted by the host/);
    return true;
  });
  assert.deepEqual(target.written.map((b) => b.toString()), ['plain record']);
  assert.equal(released, 1, 'the encrypted block read ahead is given back');
});

test('copyCartridge() copies from the beginning when the physical tape ends before the checkpoint, and says why', async () => {
  const records = ['a', 'b', 'c', 'd'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  // tgt answers a SPACE that meets end of data with NO SENSE 00/05.
  target.space = () => Promise.reject(new PhysicalDeviceError('SPACE', 2, { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x05 } as never, false));
  const reasons: string[] = [];
  const done = await copyCartridge(sourceOf(records), target, { objects: 2, bytes: 2 }, 4, { ...hooks, restarted: (r) => reasons.push(r) });
  assert.deepEqual(done, { objects: 4, bytes: 4 });
  assert.deepEqual(target.written.map((b) => b.toString()), ['a', 'b', 'c', 'd']);
  assert.equal(reasons.length, 1);
  assert.match(reasons[0], /ended before the checkpoint at object 2/);
});

test('copyCartridge() resumes on a tape that ends at the checkpoint: tgt reports END OF DATA after spacing onto it, without a residue', async () => {
  const records = ['a', 'b', 'c', 'd'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  const spaced: string[] = [];
  target.space = (code, count) => {
    spaced.push(`${code === 1 ? 'filemarks' : 'blocks'} ${count}`);
    // The last SPACE lands on end of data; tgt says so although it spaced the block.
    return spaced.length === 3 ? Promise.reject(new PhysicalDeviceError('SPACE', 2, { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x05 } as never, false)) : Promise.resolve();
  };
  const restarted: string[] = [];
  const done = await copyCartridge(sourceOf(records), target, { objects: 2, bytes: 2 }, 4, { ...hooks, restarted: (r) => restarted.push(r) });
  assert.deepEqual(done, { objects: 4, bytes: 4 });
  assert.deepEqual(spaced, ['filemarks 0', 'blocks 1', 'blocks 1'], 'one block short of the checkpoint, then the last one');
  assert.deepEqual(target.written.map((b) => b.toString()), ['c', 'd'], 'went on from the checkpoint');
  assert.deepEqual(restarted, []);
});

test('copyCartridge() starts again when the last SPACE reports END OF DATA with a residue (the block was not there)', async () => {
  const records = ['a', 'b', 'c'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  let calls = 0;
  target.space = () => (++calls === 3 ? Promise.reject(new PhysicalDeviceError('SPACE', 2, { key: SenseKey.BLANK_CHECK, asc: 0x00, ascq: 0x05, information: 1 } as never, false)) : Promise.resolve());
  const restarted: string[] = [];
  await copyCartridge(sourceOf(records), target, { objects: 2, bytes: 2 }, 3, { ...hooks, restarted: (r) => restarted.push(r) });
  assert.equal(restarted.length, 1);
  assert.deepEqual(target.written.map((b) => b.toString()), ['a', 'b', 'c']);
});

test('copyCartridge() positions by LOCATE when the drive has it, and SPACE is not used', async () => {
  const records = ['a', 'b', 'c'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  const located: number[] = [];
  target.locate = (n) => Promise.resolve(located.push(n) > 0);
  target.space = () => Promise.reject(new Error('SPACE is not used when LOCATE works'));
  await copyCartridge(sourceOf(records), target, { objects: 2, bytes: 2 }, 3, hooks);
  assert.deepEqual(located, [2]);
  assert.deepEqual(target.written.map((b) => b.toString()), ['c']);
});

test('copyCartridge() pauses between objects: the drive flushes, a checkpoint is saved there, and a copy from it writes the rest', async () => {
  const records = ['a', 'b', 'c', 'd'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  const flushes: number[] = [];
  target.writeFilemarks = (count) => Promise.resolve(void flushes.push(count)).then(() => ({ earlyWarning: false }));
  const checkpoints: number[] = [];
  const pausing = { ...hooks, paused: () => target.written.length === 2, checkpoint: (at: { objects: number }) => Promise.resolve(void checkpoints.push(at.objects)) };
  await assert.rejects(copyCartridge(sourceOf(records), target, { objects: 0, bytes: 0 }, 4, pausing), (err: unknown) => {
    assert.ok(err instanceof CopyPausedError);
    assert.deepEqual(err.at, { objects: 2, bytes: 2 });
    return true;
  });
  assert.deepEqual(flushes, [0], 'WRITE FILEMARKS 0 before the checkpoint');
  assert.deepEqual(checkpoints, [2]);
  const rest = recordingTarget();
  await copyCartridge(sourceOf(records), rest, { objects: 2, bytes: 2 }, 4, hooks);
  assert.deepEqual(rest.written.map((b) => b.toString()), ['c', 'd']);
});

test('copyCartridge() keeps several writes in flight, and a too-small tape stops it at the first early warning in order', async () => {
  const records = ['a', 'b', 'c', 'd', 'e', 'f'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  let inFlight = 0;
  let most = 0;
  target.unsolicitedBytes = () => 1024;
  target.write = async (record, o) => {
    assert.equal(o?.inFlightWithOthers, true);
    target.written.push(Buffer.from(record));
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    // Early warning on the third record; the drive then runs out of tape on the fourth.
    if (record.toString() === 'd') throw new PhysicalDeviceError('WRITE', 2, { key: SenseKey.VOLUME_OVERFLOW, asc: 0x00, ascq: 0x02 } as never, false);
    return { earlyWarning: record.toString() === 'c' };
  };
  const progress: number[] = [];
  await assert.rejects(
    copyCartridge(sourceOf(records), target, { objects: 0, bytes: 0 }, 6, { ...hooks, progress: (_, at) => progress.push(at.objects), window: { writes: 3, bytes: 1024 } }),
    (err: unknown) => err instanceof PhysicalCartridgeTooSmallError && /after 3 of 6 objects \(3 bytes\)/.test(err.message),
  );
  assert.equal(most, 3, 'three writes in flight at once');
  assert.deepEqual(progress, [1, 2], 'progress counts only what the drive confirmed, in order');
  assert.equal(inFlight, 0, 'the writes after the early warning ended before the copy did');
});

test('copyCartridge() writes on while a checkpoint is saved, in order, and returns only after the last save', async () => {
  const records = ['aa', 'bb', 'cc', 'dd'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  const saves: { objects: number; finish: () => void }[] = [];
  const checkpoint = (at: { objects: number }): Promise<void> => new Promise((resolve) => saves.push({ objects: at.objects, finish: resolve }));
  let returned = false;
  const copy = copyCartridge(sourceOf(records), target, { objects: 0, bytes: 0 }, 4, { ...hooks, checkpoint, checkpointBytes: 2 }).then((r) => ((returned = true), r));
  while (target.written.length < 4 || saves.length < 1) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(saves.length, 1, 'the next save waits for the first');
  assert.equal(saves[0].objects, 1);
  saves[0].finish();
  for (let i = 1; i < 5; i++) {
    while (saves.length <= i) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(returned, false);
    saves[i].finish();
  }
  assert.deepEqual(await copy, { objects: 4, bytes: 8 });
  assert.deepEqual(saves.map((s) => s.objects), [1, 2, 3, 4, 4], 'every 2 bytes, then the end');
});

test('copyCartridge() ends with the error of a checkpoint that could not be saved', async () => {
  const records = ['aa', 'bb', 'cc'].map((t) => ({ kind: 'block', data: Buffer.from(t) }) as const);
  const target = recordingTarget();
  const failing = { ...hooks, checkpointBytes: 2, checkpoint: () => Promise.reject(new Error('disk full')) };
  await assert.rejects(copyCartridge(sourceOf(records), target, { objects: 0, bytes: 0 }, 3, failing), /disk full/);
});
