import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from './schema.js';

const s3 = { kind: 's3', endpoint: 'http://127.0.0.1:7480', bucket: 'vtl-cartridges' };

function issues(storage: unknown): string[] {
  const parsed = configSchema.safeParse({ libraries: [{ name: 'lib0', storage }] });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

test('a library without storage keeps its cartridges in local files', () => {
  assert.deepEqual(configSchema.parse({}).libraries[0].storage, { kind: 'local' });
});

test('an S3 storage gets path-style addressing, an 8 GiB cache and no Object Lock unless told', () => {
  const storage = configSchema.parse({ libraries: [{ name: 'lib0', storage: s3 }] }).libraries[0].storage;
  assert.deepEqual(storage, { ...s3, forcePathStyle: true, cacheBytes: 8 * 1024 ** 3, objectLock: false });
});

test('S3 storage settings that cannot work are refused with the field and the reason', () => {
  assert.deepEqual(issues({ ...s3, bucket: 'Bad_Bucket' }), ['libraries.0.storage.bucket: must be an S3 bucket name: 3-63 lower-case letters, digits, dots or dashes']);
  assert.deepEqual(issues({ ...s3, endpoint: 'ftp://x' }), ['libraries.0.storage.endpoint: must be an http(s) URL, e.g. http://127.0.0.1:7480']);
  assert.deepEqual(issues({ ...s3, accessKeyId: 'AKIA' }), ['libraries.0.storage: accessKeyId and secretAccessKey go together']);
  assert.deepEqual(issues({ ...s3, prefix: 'no-slash' }), ['libraries.0.storage.prefix: must be empty or end with a slash, e.g. vtl/lib0/']);
  assert.deepEqual(issues({ ...s3, cacheBytes: 1024 ** 3, segmentBytes: 512 * 1024 ** 2 }), ['libraries.0.storage: cacheBytes must hold at least four segments']);
  assert.equal(issues({ kind: 'tape' }).length, 1);
  assert.deepEqual(issues({ ...s3, region: 'eu-west-1', accessKeyId: 'a', secretAccessKey: 'b', prefix: 'vtl/lib0/', cacheDir: '/var/cache/vtl', segmentBytes: 16 * 1024 ** 2, objectLock: true }), []);
});
