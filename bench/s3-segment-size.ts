// How large a segment object should be (docs/FORMAT.md "Object store"): one client uploads and then downloads the
// same bytes as objects of several sizes, one request at a time, as the uploader and the reader do.
// Usage: node --import tsx bench/s3-segment-size.ts [MiB per size, default 256] (starts its own Ceph unless
// VTL_TEST_S3_ENDPOINT is set).
import { randomBytes } from 'node:crypto';
import { ObjectStore } from '../src/storage/s3/object-store.js';
import { s3TestService } from '../src/storage/testing/s3-test-service.js';

const MiB = 1024 * 1024;
const totalBytes = Number(process.argv[2] ?? 256) * MiB;
const service = await s3TestService();
const store = new ObjectStore({ endpoint: service.endpoint, bucket: service.bucket, credentials: { accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey } });
try {
  for (const sizeMiB of [1, 4, 8, 16, 32, 64]) {
    const body = randomBytes(sizeMiB * MiB);
    const count = Math.max(1, Math.floor(totalBytes / body.length));
    const prefix = `bench-segment-${sizeMiB}/`;
    let started = performance.now();
    for (let i = 0; i < count; i++) await store.put(`${prefix}${i}`, body);
    const putMiBs = (count * sizeMiB) / ((performance.now() - started) / 1000);
    started = performance.now();
    for (let i = 0; i < count; i++) await store.get(`${prefix}${i}`);
    const getMiBs = (count * sizeMiB) / ((performance.now() - started) / 1000);
    for (let i = 0; i < count; i++) await store.delete(`${prefix}${i}`);
    process.stdout.write(`${String(sizeMiB).padStart(3)} MiB objects x ${count}: PUT ${putMiBs.toFixed(0)} MiB/s, GET ${getMiBs.toFixed(0)} MiB/s\n`);
  }
} finally {
  store.destroy();
  await service.stop();
}
