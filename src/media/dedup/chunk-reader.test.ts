import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../log.js';
import { LocalStorage } from '../../storage/local-storage.js';
import { ChunkReader, WINDOW_BYTES, WINDOWS, WINDOWS_AHEAD } from './chunk-reader.js';
import { ChunkDamagedError, ChunkStore } from './chunk-store.js';
import type { ChunkRef } from './recipe.js';

const CHUNK = 50 * 1024;
/** Chunks per window: a window holds about this many entries of the chunks below. */
const PER_WINDOW = Math.floor(WINDOW_BYTES / (CHUNK + 52));

async function withChunks(count: number, body: (store: ChunkStore, chunks: Buffer[], refs: ChunkRef[]) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-chunk-reader-'));
  const store = await ChunkStore.open(new LocalStorage(directory), 'chunks', silentLogger());
  try {
    const chunks = Array.from({ length: count }, () => randomBytes(CHUNK));
    const refs: ChunkRef[] = [];
    for (const chunk of chunks) refs.push(await store.put(chunk));
    await store.sync();
    await body(store, chunks, refs);
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

test('ChunkReader serves the chunks of one window with one read, and finds the window again after a step aside', async () => {
  await withChunks(PER_WINDOW * 2 + 4, async (store, chunks, refs) => {
    const reader = new ChunkReader(store);
    const read = async (i: number): Promise<void> => assert.deepEqual(await reader.get(refs[i] ?? refs[0] ?? { container: 0, offset: 0, length: 0 }), chunks[i]);
    await read(0);
    const oneWindow = reader.bytesRead;
    assert.equal(oneWindow, WINDOW_BYTES);
    await read(1);
    await read(PER_WINDOW - 1);
    assert.equal(reader.bytesRead, oneWindow, 'the first window held them');
    await read(PER_WINDOW * 2);
    assert.ok(reader.bytesRead > oneWindow, 'a chunk past the first window is read');
    const afterStep = reader.bytesRead;
    await read(2);
    assert.equal(reader.bytesRead, afterStep, 'the first window is still kept');
  });
});

test('ChunkReader keeps the last WINDOWS windows and reads the one used longest ago again', async () => {
  await withChunks(PER_WINDOW * (WINDOWS + 1) + 1, async (store, chunks, refs) => {
    const reader = new ChunkReader(store);
    for (let w = 0; w <= WINDOWS; w++) assert.deepEqual(await reader.get(refs[w * PER_WINDOW] ?? { container: 0, offset: 0, length: 0 }), chunks[w * PER_WINDOW]);
    const before = reader.bytesRead;
    assert.deepEqual(await reader.get(refs[PER_WINDOW] ?? { container: 0, offset: 0, length: 0 }), chunks[PER_WINDOW]);
    assert.equal(reader.bytesRead, before, 'window 1 is among the last WINDOWS');
    assert.deepEqual(await reader.get(refs[1] ?? { container: 0, offset: 0, length: 0 }), chunks[1]);
    assert.equal(reader.bytesRead, before + WINDOW_BYTES, 'window 0 was dropped');
  });
});

test('ChunkReader reads a window ahead once, and serves the chunks in it from that read', async () => {
  await withChunks(PER_WINDOW * 2 + 2, async (store, chunks, refs) => {
    const reader = new ChunkReader(store);
    const far = refs[PER_WINDOW + 1] ?? { container: 0, offset: 0, length: 0 };
    assert.equal(reader.covered(far), false);
    reader.readAhead(far);
    assert.equal(reader.covered(far), true, 'the window being read ahead covers it');
    reader.readAhead(far);
    assert.deepEqual(await reader.get(far), chunks[PER_WINDOW + 1]);
    assert.deepEqual(await reader.get(refs[PER_WINDOW + 2] ?? far), chunks[PER_WINDOW + 2]);
    assert.equal(reader.bytesRead, WINDOW_BYTES, 'one read, ahead');
  });
});

test('ChunkReader reports a failed read ahead only to a read that needs its window', async () => {
  await withChunks(2, async (_store, chunks, refs) => {
    const reader = new ChunkReader(_store);
    const missing = { container: 7, offset: 16, length: 100 };
    reader.readAhead(missing);
    assert.deepEqual(await reader.get(refs[1] ?? missing), chunks[1]);
    await assert.rejects(reader.get(missing), (error: unknown) => error instanceof ChunkDamagedError && /container 7 is missing/.test(error.message));
  });
});

test('ChunkReader reads WINDOWS_AHEAD windows ahead at most, and drops those the caller has passed', async () => {
  await withChunks(PER_WINDOW * (WINDOWS_AHEAD + 2) + 2, async (store, chunks, refs) => {
    const reader = new ChunkReader(store);
    const ref = (i: number): ChunkRef => refs[i] ?? { container: 0, offset: 0, length: 0 };
    for (let w = 1; w <= WINDOWS_AHEAD + 1; w++) reader.readAhead(ref(w * PER_WINDOW), WINDOW_BYTES, w);
    assert.equal(reader.readingAhead, true);
    assert.equal(reader.covered(ref((WINDOWS_AHEAD + 1) * PER_WINDOW)), false, 'no more than WINDOWS_AHEAD are read ahead');
    reader.dropAhead(2);
    assert.equal(reader.covered(ref(PER_WINDOW)), false, 'the one marked below 2 is dropped');
    assert.equal(reader.covered(ref(2 * PER_WINDOW)), true);
    assert.deepEqual(await reader.get(ref(2 * PER_WINDOW)), chunks[2 * PER_WINDOW]);
    assert.equal(reader.readingAhead, false, 'the window read ahead is now kept, one more may be read ahead');
    assert.equal(reader.covered(ref(2 * PER_WINDOW + 1)), true);
    reader.dropAhead();
    assert.equal(reader.covered(ref(3 * PER_WINDOW)), false);
  });
});

test('ChunkReader.close() waits for the windows being read ahead and keeps nothing after', async () => {
  await withChunks(PER_WINDOW * 2 + 2, async (store, _chunks, refs) => {
    const reader = new ChunkReader(store);
    const far = refs[PER_WINDOW + 1] ?? { container: 0, offset: 0, length: 0 };
    reader.readAhead(far);
    reader.readAhead({ container: 9, offset: 16, length: 100 }); // fails: its failure is not reported
    await reader.close();
    assert.equal(reader.bytesRead, WINDOW_BYTES, 'the read ahead ended before close() did');
    assert.equal(reader.covered(far), false);
  });
});
