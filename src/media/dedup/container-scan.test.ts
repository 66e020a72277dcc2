import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { LocalStorage } from '../../storage/local-storage.js';
import { ChunkCodec, ENTRY_HEADER_BYTES } from './chunk-container.js';
import { ChunkIndex } from './chunk-index.js';
import { ContainerFiles } from './container-files.js';
import { scanContainer } from './container-scan.js';
import { ContainerWriter } from './container-writer.js';

/** A container 00000000 of three 100-byte raw chunks with ids 1, 2, 3 (each id 32 bytes of that value). */
async function withContainer(body: (file: string, scan: () => Promise<{ bytes: number; index: ChunkIndex; warnings: string[] }>) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-container-scan-'));
  try {
    const storage = new LocalStorage(directory);
    await storage.makeFolder('chunks');
    const files = new ContainerFiles(storage, 'chunks');
    const writer = new ContainerWriter(files, undefined, 0);
    for (const id of [1, 2, 3]) await writer.append(Buffer.alloc(32, id), 100, { codec: ChunkCodec.RAW, payload: Buffer.alloc(100, id) });
    await writer.sync();
    await files.closeAll();
    const scan = async (): Promise<{ bytes: number; index: ChunkIndex; warnings: string[] }> => {
      const warnings: string[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push((JSON.parse(line) as { msg: string }).msg) });
      const index = new ChunkIndex();
      const again = new ContainerFiles(storage, 'chunks');
      try {
        return { bytes: await scanContainer(again, 0, index, undefined, log), index, warnings };
      } finally {
        await again.closeAll();
      }
    };
    await body(path.join(directory, 'chunks', '00000000.vtchunk'), scan);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const entry = ENTRY_HEADER_BYTES + 100;

test('scanContainer() indexes every entry of a whole container and counts its bytes', async () => {
  await withContainer(async (_file, scan) => {
    const { bytes, index, warnings } = await scan();
    assert.equal(bytes, 3 * entry);
    assert.deepEqual([1, 2, 3].map((id) => index.find(Buffer.alloc(32, id))?.offset), [16, 16 + entry, 16 + 2 * entry]);
    assert.deepEqual(warnings, []);
  });
});

test('scanContainer() indexes the entries before a torn tail, at every cut inside the last entry, and says so', async () => {
  await withContainer(async (file, scan) => {
    for (const cut of [16 + 2 * entry + 1, 16 + 2 * entry + ENTRY_HEADER_BYTES, 16 + 3 * entry - 1]) {
      await truncate(file, cut);
      const { bytes, index, warnings } = await scan();
      assert.equal(bytes, 2 * entry, `cut at ${cut}`);
      assert.equal(index.find(Buffer.alloc(32, 3)), undefined);
      assert.deepEqual(warnings, ['chunk container entries past this offset are not indexed']);
    }
  });
});

test('scanContainer() stops at a damaged entry header and warns of a last chunk that fails its CRC', async () => {
  await withContainer(async (file, scan) => {
    const bytes = await readFile(file);
    bytes[16 + entry + 30] ^= 1; // inside entry 2's id: its header CRC fails
    bytes[16 + ENTRY_HEADER_BYTES + 5] ^= 1; // inside entry 1's payload
    await writeFile(file, bytes);
    const scanned = await scan();
    assert.equal(scanned.bytes, entry);
    assert.equal(scanned.index.size, 1);
    assert.deepEqual(scanned.warnings, ['chunk container entries past this offset are not indexed', 'the last chunk of a container fails its CRC: kept for the reads to report']);
  });
});

test('scanContainer() indexes nothing of a container whose header is damaged', async () => {
  await withContainer(async (file, scan) => {
    const bytes = await readFile(file);
    bytes[3] ^= 1;
    await writeFile(file, bytes);
    const scanned = await scan();
    assert.equal(scanned.bytes, 0);
    assert.equal(scanned.index.size, 0);
    assert.deepEqual(scanned.warnings, ['chunk container without a valid header: its chunks are not offered again']);
  });
});
