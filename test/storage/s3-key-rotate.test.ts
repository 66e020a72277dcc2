// `vtl key rotate` on a library stored in S3 (issue 16 for issue 20's backend): the data key wrapped in each
// cartridge's metadata object is re-wrapped under the new master key by one PUT of that object, no data segment is
// rewritten, and the cartridge reads back with the new key only. Against RGW, with vtl key rotate as a process.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { silentLogger } from '../../src/log.js';
import { decodeMetadata } from '../../src/media/cartridge-metadata.js';
import { MasterKey } from '../../src/media/crypto/master-key.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { openLibraryS3Storage } from '../../src/storage/s3/open-library-storage.js';
import type { S3Storage } from '../../src/storage/s3/s3-storage.js';
import { s3TestService, type S3TestService } from '../../src/storage/testing/s3-test-service.js';
import { cartridge } from '../media/cartridge-fixture.js';

const here = fileURLToPath(import.meta.url);
const MAIN = here.endsWith('.ts') ? join(here, '../../../src/main.ts') : join(here, '../../../src/main.js');
const BARCODE = 'K00001L8';

after(async () => {
  await (await s3TestService()).stop();
});

async function openLibrary(service: S3TestService, dataDir: string, prefix: string): Promise<S3Storage> {
  return openLibraryS3Storage(
    { name: 'lib0', retention: [] },
    { endpoint: service.endpoint, bucket: service.bucket, prefix, forcePathStyle: true, accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey, cacheBytes: 64 * 1024 * 1024, objectLock: false },
    dataDir,
    silentLogger(),
  );
}

function rotate(configFile: string, currentHex: string, newKeyFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...process.execArgv, MAIN, 'key', 'rotate', '--config', configFile, '--new-key-file', newKeyFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VTL_MASTER_KEY: currentHex },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('vtl key rotate on an S3 library', () => {
  test('re-wraps the data key in the metadata object, rewrites no data segment, and only the new key reads the cartridge', async () => {
    const service = await s3TestService();
    const dataDir = await mkdtemp(join(tmpdir(), 'vtl-s3-rotate-'));
    const prefix = `rotate-${randomBytes(4).toString('hex')}/`;
    const oldHex = randomBytes(32).toString('hex');
    const newHex = randomBytes(32).toString('hex');
    const oldKey = MasterKey.parse(oldHex, 'the old key');
    const newKey = MasterKey.parse(newHex, 'the new key');
    const block = randomBytes(100_000);
    try {
      const storage = await openLibrary(service, dataDir, prefix);
      try {
        const media = new FileMediaStore({ directory: '.', log: silentLogger(), storage, masterKey: oldKey });
        await media.create(cartridge({ barcode: BARCODE }));
        const medium = await media.open(cartridge({ barcode: BARCODE }));
        await medium.write(block, { compress: false });
        await medium.close();
      } finally {
        await storage.close();
      }
      const dataKey = `${prefix}${BARCODE}/data.vtape/seg-00000000`;
      const etagOf = async (s: S3Storage, key: string): Promise<string | undefined> => (await s.store.client.send(new HeadObjectCommand({ Bucket: s.store.bucket, Key: key }))).ETag;
      const probe = await openLibrary(service, dataDir, prefix);
      const dataBefore = await etagOf(probe, dataKey);
      await probe.close();

      const config = join(dataDir, 'vtl.yaml');
      const newKeyFile = join(dataDir, 'new.key');
      await writeFile(newKeyFile, `${newHex}\n`);
      await writeFile(config, [
        'server:', `  dataDir: ${dataDir}`, 'api:', '  enabled: false', 'libraries:', '  - name: lib0', '    driveCount: 1', '    slots: 4', '    initialCartridges:', '      count: 0', '    storage:', '      kind: s3',
        `      endpoint: ${service.endpoint}`, `      bucket: ${service.bucket}`, `      prefix: ${prefix}`, `      accessKeyId: ${service.accessKeyId}`, `      secretAccessKey: ${service.secretAccessKey}`, '      cacheBytes: 67108864', '',
      ].join('\n'));
      const { code, stdout, stderr } = await rotate(config, oldHex, newKeyFile);
      assert.equal(code, 0, `${stdout}${stderr}`);
      const report = JSON.parse(stdout) as { master: string; rotated: string[]; failed: unknown[] };
      assert.deepEqual({ master: report.master, rotated: report.rotated, failed: report.failed }, { master: newKey.id, rotated: [BARCODE], failed: [] });

      const after = await openLibrary(service, dataDir, prefix);
      try {
        assert.equal(await etagOf(after, dataKey), dataBefore, 'the data segment was not rewritten');
        const metadata = decodeMetadata((await after.store.get(`${prefix}${BARCODE}/cartridge.json/seg-00000000`)) ?? Buffer.alloc(0));
        assert.equal(typeof metadata === 'string' ? metadata : metadata.atRest?.master, newKey.id);
        await assert.rejects(new FileMediaStore({ directory: '.', log: silentLogger(), storage: after, masterKey: oldKey }).open(cartridge({ barcode: BARCODE })));
        const medium = await new FileMediaStore({ directory: '.', log: silentLogger(), storage: after, masterKey: newKey }).open(cartridge({ barcode: BARCODE }));
        const outcome = await medium.read();
        assert.ok(outcome.kind === 'block' && Buffer.compare(outcome.data, block) === 0, 'the block reads back with the new key');
        await medium.close();
      } finally {
        await after.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
