import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocalStorage } from '../local-storage.js';
import { FileJournal } from './file-journal.js';
import { decodeJournal, type Journal } from './journal.js';

/** The few LocalStorage calls the journal makes, recorded; `failWrites` makes the next replacements throw. */
function recordingLocal(): { local: LocalStorage; calls: string[]; files: Map<string, Buffer>; failWrites: { count: number } } {
  const calls: string[] = [];
  const files = new Map<string, Buffer>();
  const failWrites = { count: 0 };
  const local = {
    makeFolder: (folder: string) => Promise.resolve(void calls.push(`mkdir ${folder}`)),
    writeFileAtomic: (file: string, data: Buffer) => {
      calls.push(`write ${file}`);
      if (failWrites.count > 0) {
        failWrites.count--;
        return Promise.reject(new Error('disk full'));
      }
      files.set(file, data);
      return Promise.resolve();
    },
    removeFile: (file: string) => Promise.resolve(void (calls.push(`rm ${file}`), files.delete(file))),
    removeFolder: (folder: string) => Promise.resolve(void calls.push(`rmdir ${folder}`)),
  } as unknown as LocalStorage;
  return { local, calls, files, failWrites };
}

const state = (length: number): Journal => ({ path: 'A/data', length, trim: false, segments: [{ index: 0, file: '0.1' }] });

test('the journal is replaced only when something changed since the last replacement', async () => {
  const { local, calls, files } = recordingLocal();
  const journal = new FileJournal(local, 'files/A/data');
  await journal.write(() => state(1));
  assert.equal(calls.length, 0, 'nothing changed yet');
  journal.markStale();
  await journal.write(() => state(5));
  await journal.write(() => state(6));
  assert.equal(calls.filter((c) => c.startsWith('write')).length, 1);
  const written = decodeJournal(files.get('files/A/data/journal.json') ?? Buffer.alloc(0));
  assert.equal(typeof written === 'string' ? written : written.length, 5);
});

test('a failed replacement leaves the journal due, so the next sync writes it', async () => {
  const { local, files, failWrites } = recordingLocal();
  const journal = new FileJournal(local, 'files/A/data');
  journal.markStale();
  failWrites.count = 1;
  await assert.rejects(journal.write(() => state(3)), /disk full/);
  await journal.write(() => state(3));
  assert.ok(files.has('files/A/data/journal.json'));
});

test('the journal is removed only if the file is still clean when the removal gets its turn', async () => {
  const { local, files } = recordingLocal();
  const journal = new FileJournal(local, 'files/A/data');
  journal.markStale();
  await journal.write(() => state(3));
  let clean = false;
  await journal.remove(() => clean);
  assert.ok(files.has('files/A/data/journal.json'), 'a dirty file keeps its journal');
  clean = true;
  await journal.remove(() => clean);
  assert.ok(!files.has('files/A/data/journal.json'));
});

test('replacements and removals run in call order, and once the file left the storage nothing is written', async () => {
  const { local, calls } = recordingLocal();
  const journal = new FileJournal(local, 'files/A/data');
  journal.markStale();
  const first = journal.write(() => state(1));
  const removal = journal.remove(() => true);
  await Promise.all([first, removal]);
  assert.deepEqual(calls, ['mkdir files/A/data', 'write files/A/data/journal.json', 'rm files/A/data/journal.json']);
  journal.markStale();
  const queued = journal.write(() => state(2));
  const gone = journal.removeFolder();
  journal.markStale();
  await Promise.all([queued, gone, journal.write(() => state(3))]);
  assert.deepEqual(calls.slice(3), ['rmdir files/A/data']);
});
