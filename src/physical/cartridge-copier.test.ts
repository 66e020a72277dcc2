import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadOutcome } from '../media/tape-medium.js';
import { SenseKey } from '../scsi/sense.js';
import { copyCartridge, HostEncryptedRecordError, type CopySource, type CopyTarget } from './cartridge-copier.js';
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
