import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalStorage } from '../../storage/local-storage.js';
import { ContainerFiles, containerName } from './container-files.js';

test('ContainerFiles lists only container names in order, opens each once, and removes a container\'s file', async () => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-container-files-'));
  const files = new ContainerFiles(new LocalStorage(directory), 'chunks');
  try {
    await new LocalStorage(directory).makeFolder('chunks');
    for (const name of [containerName(12), containerName(3), 'store.key', '0001.vtchunk', `${containerName(4)}.tmp`]) await writeFile(path.join(directory, 'chunks', name), 'x');
    assert.deepEqual(await files.onDisk(), [3, 12]);
    const first = await files.open(3, false);
    assert.equal(await files.open(3, false), first);
    assert.equal(files.handle(12), undefined);
    await files.open(12, false);
    assert.deepEqual(files.numbers(), [3, 12]);
    assert.equal(await files.readEntryHeader(7, 0), 'container missing');
    assert.equal(await files.readEntryHeader(3, 0), 'short entry header');
    await files.remove(3);
    assert.deepEqual(files.numbers(), [12]);
    assert.deepEqual((await readdir(path.join(directory, 'chunks'))).filter((name) => name.endsWith('.vtchunk')).sort(), [containerName(12), '0001.vtchunk']);
  } finally {
    await files.closeAll();
    await rm(directory, { recursive: true, force: true });
  }
});
