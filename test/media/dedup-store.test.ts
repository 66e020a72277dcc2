// Deduplicated cartridges (src/media/dedup/, FORMAT.md "Deduplication"): stored once, read back whole, a damaged
// chunk fails exactly the blocks that use it, the background pass survives a crash at each of its steps, and the
// collector removes only containers no recipe references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import { DedupScheduler } from '../../src/media/dedup/dedup-scheduler.js';
import type { BlockKey } from '../../src/media/crypto/record-envelope.js';
import { MediaFormatError, type CartridgeDescriptor, type TapeMedium } from '../../src/media/tape-medium.js';
import { cartridge } from './cartridge-fixture.js';

const BLOCK = 64 * 1024;
const DATA = Array.from({ length: 24 }, () => randomBytes(BLOCK));

async function withDirectory(body: (directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-dedup-store-'));
  try {
    await body(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Write DATA with a filemark after every eighth block, and close. */
async function writeSet(store: DedupMediaStore, descriptor: CartridgeDescriptor): Promise<void> {
  await store.create(descriptor);
  const medium = await store.open(descriptor);
  for (const [n, block] of DATA.entries()) {
    await medium.write(block, { compress: true });
    if (n % 8 === 7) await medium.writeFilemarks(1);
  }
  await medium.close();
}

/** Every object from the start: blocks compared with DATA, 'F' for filemarks; errors by object number. */
async function readSet(medium: TapeMedium): Promise<{ layout: string; errors: number[] }> {
  let layout = '';
  const errors: number[] = [];
  let block = 0;
  for (;;) {
    const object = medium.position().objectNumber;
    const outcome = await medium.read().catch((error: unknown) => error);
    if (outcome instanceof MediaFormatError) {
      errors.push(outcome.objectNumber);
      assert.equal(outcome.objectNumber, object);
      await medium.spaceBlocks(1);
      block++;
      continue;
    }
    if (outcome instanceof Error) throw outcome;
    const read = outcome as Awaited<ReturnType<TapeMedium['read']>>;
    if (read.kind === 'end-of-data') return { layout, errors };
    if (read.kind === 'filemark') layout += 'F';
    else {
      assert.equal(read.kind, 'block', `block ${block} was not written encrypted`);
      if (read.kind === 'block') assert.ok(read.data.equals(DATA[block]), `block ${block}`);
      layout += 'b';
      block++;
    }
  }
}

const LAYOUT = 'bbbbbbbbF'.repeat(3);

test('a second cartridge of the same data adds no chunks, and both read back whole from their recipes', () =>
  withDirectory(async (directory) => {
    const store = new DedupMediaStore({ directory, log: silentLogger() });
    const pass = new DedupPass(store, silentLogger());
    const first = cartridge({ barcode: 'D00001L8' });
    const second = cartridge({ barcode: 'D00002L8' });
    await writeSet(store, first);
    assert.deepEqual(await pass.absorb(first), { objects: 27, logicalBytes: 24 * BLOCK, chunks: (await store.chunks()).stats().uniqueChunks });
    const afterFirst = (await store.chunks()).stats();
    await writeSet(store, second);
    await pass.absorb(second);
    const afterSecond = (await store.chunks()).stats();
    assert.equal(afterSecond.uniqueChunks, afterFirst.uniqueChunks);
    assert.equal(afterSecond.storedBytes, afterFirst.storedBytes);
    for (const descriptor of [first, second]) {
      const medium = await store.open(descriptor);
      assert.deepEqual(await readSet(medium), { layout: LAYOUT, errors: [] });
      assert.deepEqual(medium.position(), { objectNumber: 27, fileNumber: 3, atEndOfData: true });
      await medium.close();
    }
    // A fresh store rebuilds its index from the containers and still finds every chunk.
    const reopened = new DedupMediaStore({ directory, log: silentLogger() });
    assert.equal((await reopened.chunks()).stats().uniqueChunks, afterSecond.uniqueChunks);
    const again = await reopened.open(second);
    assert.deepEqual(await readSet(again), { layout: LAYOUT, errors: [] });
    await again.close();
  }));

test('a damaged chunk is a MEDIUM ERROR on exactly the blocks that use it, and scrub names it and its cartridge', () =>
  withDirectory(async (directory) => {
    const store = new DedupMediaStore({ directory, log: silentLogger() });
    const descriptor = cartridge();
    await writeSet(store, descriptor);
    await new DedupPass(store, silentLogger()).absorb(descriptor);
    const recipe = await store.readRecipe(descriptor.barcode);
    const victim = recipe.chunks[5];
    assert.ok(victim !== undefined);
    const [name] = (await readdir(path.join(directory, '.dedup'))).filter((n) => n.endsWith('.vtchunk'));
    const file = path.join(directory, '.dedup', name ?? '');
    const bytes = await readFile(file);
    bytes[victim.offset + 52 + 10] ^= 0xff; // inside the payload
    await writeFile(file, bytes);
    // The blocks whose stream range meets the chunk's.
    let chunkStart = 0;
    for (const ref of recipe.chunks.slice(0, 5)) chunkStart += ref.length;
    const expected: number[] = [];
    for (let object = 0, start = 0; object < recipe.objectCount; object++) {
      const span = recipe.span(object);
      if (span.kind === 'filemark') continue;
      if (start < chunkStart + victim.length && start + span.length > chunkStart) expected.push(object);
      start += span.length;
    }
    assert.ok(expected.length >= 1);
    const medium = await store.open(descriptor);
    const { errors } = await readSet(medium);
    assert.deepEqual(errors, expected);
    await medium.close();
    const report = await new DedupPass(store, silentLogger()).scrub();
    assert.equal(report.chunks, recipe.chunks.length);
    assert.deepEqual(report.damaged.map((d) => [d.container, d.offset, d.cartridges]), [[victim.container, victim.offset, [descriptor.barcode]]]);
    assert.deepEqual(report.affectedCartridges, [descriptor.barcode]);
  }));

for (const step of ['chunked', 'synced', 'switched'] as const) {
  test(`a pass stopped after its step "${step}" loses nothing and duplicates nothing`, () =>
    withDirectory(async (directory) => {
      const store = new DedupMediaStore({ directory, log: silentLogger() });
      const descriptor = cartridge();
      await writeSet(store, descriptor);
      const crashing = new DedupPass(store, silentLogger(), undefined, (at) => {
        if (at === step) throw new Error(`crash after ${at}`);
      });
      await assert.rejects(crashing.absorb(descriptor), /crash after/);
      // A new process: a new store over the same files.
      const restarted = new DedupMediaStore({ directory, log: silentLogger() });
      const medium = await restarted.open(descriptor);
      assert.deepEqual(await readSet(medium), { layout: LAYOUT, errors: [] });
      await medium.close();
      await new DedupPass(restarted, silentLogger()).absorb(descriptor);
      const again = await restarted.open(descriptor);
      assert.deepEqual(await readSet(again), { layout: LAYOUT, errors: [] });
      await again.close();
    }));
}

test('the collector removes a container only when no recipe references it', () =>
  withDirectory(async (directory) => {
    const store = new DedupMediaStore({ directory, log: silentLogger() });
    const kept = cartridge({ barcode: 'K00001L8' });
    const doomed = cartridge({ barcode: 'X00001L8' });
    await writeSet(store, kept);
    await new DedupPass(store, silentLogger()).absorb(kept); // container 0
    // Restarted twice: each store appends to a container of its own.
    const second = new DedupMediaStore({ directory, log: silentLogger() });
    await second.create(doomed);
    const medium = await second.open(doomed);
    await medium.write(randomBytes(3 * BLOCK), { compress: false });
    await medium.close();
    await new DedupPass(second, silentLogger()).absorb(doomed); // container 1
    await second.delete(doomed.barcode);
    const third = new DedupMediaStore({ directory, log: silentLogger() });
    const removed = await new DedupPass(third, silentLogger()).collect();
    assert.deepEqual(removed, [1]);
    assert.deepEqual((await readdir(path.join(directory, '.dedup'))).sort(), ['00000000.vtchunk']);
    const reread = await third.open(kept);
    assert.deepEqual(await readSet(reread), { layout: LAYOUT, errors: [] });
    await reread.close();
  }));

test('a scheduler round moves every idle cartridge, and the second copy of the same data is stored almost for free', () =>
  withDirectory(async (directory) => {
    const store = new DedupMediaStore({ directory, log: silentLogger() });
    const first = cartridge({ barcode: 'D00001L8' });
    const second = cartridge({ barcode: 'D00002L8' });
    await writeSet(store, first);
    await writeSet(store, second);
    let idle = false;
    const scheduler = new DedupScheduler({
      store, pass: new DedupPass(store, silentLogger()), idle: () => idle, log: silentLogger(),
      describe: (barcode) => [first, second].find((c) => c.barcode === barcode),
    });
    await scheduler.round();
    assert.equal(scheduler.status.movedBytes, 0, 'nothing moves while a drive streams');
    assert.ok(scheduler.status.backlogBytes > 2 * 24 * BLOCK);
    idle = true;
    await scheduler.round();
    assert.equal(scheduler.status.movedBytes, 2 * 24 * BLOCK);
    assert.equal(scheduler.status.backlogBytes, 0);
    const one = await store.usage(first.barcode);
    const two = await store.usage(second.barcode);
    assert.equal(one.logicalBytes, 24 * BLOCK);
    assert.equal(two.logicalBytes, 24 * BLOCK);
    assert.ok(one.ratio > 0.95 && one.ratio <= 1, `random data: ratio ${one.ratio}`);
    assert.ok(two.storedBytes < BLOCK, `the copy added ${two.storedBytes} bytes`);
    assert.equal(two.backlogBytes, 0);
  }));

test('a cartridge of a library that does not deduplicate keeps inline compression; one that does is stored as written', () =>
  withDirectory(async (directory) => {
    const store = new DedupMediaStore({ directory, log: silentLogger(), deduplicates: (barcode) => barcode.startsWith('D') });
    const compressible = Buffer.alloc(BLOCK, 'the same words again ');
    const used: number[] = [];
    for (const barcode of ['D00001L8', 'P00001L8']) {
      const descriptor = cartridge({ barcode });
      await store.create(descriptor);
      const medium = await store.open(descriptor);
      await medium.write(compressible, { compress: true });
      await medium.flush();
      used.push(medium.capacity().usedBytes);
      await medium.close();
    }
    assert.equal(used[0], 28 + BLOCK);
    assert.ok((used[1] ?? 0) < BLOCK / 4, `inline stored ${used[1]}`);
  }));

test('a mount during a pass makes the pass stop before its switch, and the mount sees the cartridge whole', () =>
  withDirectory(async (directory) => {
    const store = new DedupMediaStore({ directory, log: silentLogger() });
    const descriptor = cartridge();
    await writeSet(store, descriptor);
    let mounting: Promise<TapeMedium> | undefined;
    const pass = new DedupPass(store, silentLogger(), undefined, (step) => {
      if (step === 'chunked') mounting = store.open(descriptor); // the drive loads it now; not awaited by the pass
    });
    assert.equal(await pass.absorb(descriptor), undefined);
    assert.ok(mounting !== undefined);
    const medium = await mounting;
    assert.equal((await store.readRecipe(descriptor.barcode)).objectCount, 0);
    assert.deepEqual(await readSet(medium), { layout: LAYOUT, errors: [] });
    await medium.close();
  }));

test('a cartridge with records the host encrypted stays out of the pass and reads back as written', () =>
  withDirectory(async (directory) => {
    const store = new DedupMediaStore({ directory, log: silentLogger() });
    const d = cartridge({ barcode: 'D00009L8' });
    const key: BlockKey = { key: Buffer.alloc(32, 0x42), ukad: Buffer.from('k1'), akad: Buffer.alloc(0), kadFormat: 2, rawReadDisabled: false };
    await store.create(d);
    const medium = await store.open(d);
    await medium.write(DATA[0], { compress: true });
    await medium.write(DATA[1], { compress: true, encrypt: key });
    await medium.close();
    const pass = new DedupPass(store, silentLogger());
    assert.equal(await pass.absorb(d), undefined, 'nothing moved');
    assert.equal(await pass.absorb(d), undefined, 'and not tried again');
    assert.ok((await store.usage(d.barcode)).backlogBytes > 0, 'the data stays in the data file');
    const again = await store.open(d);
    const first = await again.read();
    assert.ok(first.kind === 'block' && first.data.equals(DATA[0]));
    assert.equal((await again.read()).kind, 'encrypted-block');
    await again.close();
  }));
