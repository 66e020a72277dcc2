import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32c } from '../../crc32c.js';
import { LocalStorage } from '../../storage/local-storage.js';
import { ChunkCodec, CONTAINER_HEADER_BYTES, decodeContainerHeader, decodeEntryHeader, ENTRY_HEADER_BYTES } from './chunk-container.js';
import { ContainerFiles } from './container-files.js';
import { ContainerWriter } from './container-writer.js';

async function withFolder(body: (files: ContainerFiles, directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-container-writer-'));
  const files = new ContainerFiles(new LocalStorage(directory), 'chunks');
  try {
    await new LocalStorage(directory).makeFolder('chunks');
    await body(files, directory);
  } finally {
    await files.closeAll();
    await rm(directory, { recursive: true, force: true });
  }
}

const raw = (bytes: Buffer): { codec: ChunkCodec; payload: Buffer } => ({ codec: ChunkCodec.RAW, payload: bytes });

test('ContainerWriter writes a container header, then each entry back to back with its CRCs, by sync()', async () => {
  await withFolder(async (files, directory) => {
    const writer = new ContainerWriter(files, undefined, 5);
    const first = await writer.append(Buffer.alloc(32, 1), 3, raw(Buffer.from('abc')));
    const second = await writer.append(Buffer.alloc(32, 2), 2, raw(Buffer.from('de')));
    assert.deepEqual(first, { container: 5, offset: CONTAINER_HEADER_BYTES, entryBytes: ENTRY_HEADER_BYTES + 3 });
    assert.deepEqual(second, { container: 5, offset: CONTAINER_HEADER_BYTES + ENTRY_HEADER_BYTES + 3, entryBytes: ENTRY_HEADER_BYTES + 2 });
    await writer.sync();
    const bytes = await readFile(path.join(directory, 'chunks', '00000005.vtchunk'));
    assert.equal(bytes.length, CONTAINER_HEADER_BYTES + 2 * ENTRY_HEADER_BYTES + 5);
    assert.deepEqual(decodeContainerHeader(bytes), { headerBytes: CONTAINER_HEADER_BYTES, salt: undefined });
    const header = decodeEntryHeader(bytes.subarray(second.offset));
    assert.ok(typeof header !== 'string', typeof header === 'string' ? header : '');
    assert.equal(header.payloadCrc, crc32c(Buffer.from('de')));
    assert.deepEqual(header.hash, Buffer.alloc(32, 2));
    assert.equal(bytes.subarray(second.offset + ENTRY_HEADER_BYTES).toString(), 'de');
  });
});

test('ContainerWriter keeps entries in memory until a read needs them or sync()', async () => {
  await withFolder(async (files, directory) => {
    const writer = new ContainerWriter(files, undefined, 0);
    const entry = await writer.append(Buffer.alloc(32, 1), 4, raw(Buffer.from('wxyz')));
    await assert.rejects(readFile(path.join(directory, 'chunks', '00000000.vtchunk')), { code: 'ENOENT' });
    await writer.beforeRead(entry.container, entry.offset, ENTRY_HEADER_BYTES);
    assert.equal((await readFile(path.join(directory, 'chunks', '00000000.vtchunk'))).length, CONTAINER_HEADER_BYTES + ENTRY_HEADER_BYTES + 4);
  });
});

test('ContainerWriter starts the next container, with its own header, when an entry would pass the size', async () => {
  await withFolder(async (files, directory) => {
    const writer = new ContainerWriter(files, undefined, 0, 250);
    const placed = [];
    for (let i = 0; i < 4; i++) placed.push(await writer.append(Buffer.alloc(32, i), 60, raw(Buffer.alloc(60, i))));
    await writer.sync();
    assert.deepEqual(placed.map((p) => [p.container, p.offset]), [[0, 16], [0, 128], [1, 16], [1, 128]]);
    assert.equal(writer.current, 1);
    for (const name of ['00000000.vtchunk', '00000001.vtchunk']) {
      const bytes = await readFile(path.join(directory, 'chunks', name));
      assert.equal(bytes.length, 16 + 2 * (ENTRY_HEADER_BYTES + 60));
      assert.ok(decodeContainerHeader(bytes) !== undefined, name);
    }
  });
});

test('ContainerWriter puts an entry larger than the size alone in a container rather than refusing it', async () => {
  await withFolder(async (files) => {
    const writer = new ContainerWriter(files, undefined, 0, 100);
    assert.deepEqual(await writer.append(Buffer.alloc(32), 500, raw(Buffer.alloc(500))), { container: 0, offset: 16, entryBytes: ENTRY_HEADER_BYTES + 500 });
    assert.equal((await writer.append(Buffer.alloc(32, 1), 5, raw(Buffer.alloc(5)))).container, 1);
  });
});
