import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../log.js';
import type { CopyJob } from './copy-job-store.js';
import { releaseAfterCopy, type ReleaseContext } from './release-after-copy.js';

const log = createLogger({ level: 'silent' });

function setup(o: { inDrive?: boolean; lastWriteAt?: string | null; stubs?: boolean }) {
  const released: string[] = [];
  const job = { id: 'j1', barcode: 'A00001L8', sourceLastWriteAt: '2026-12-05T20:00:00.000Z', objectsVerified: 3, bytesVerified: 300 } as CopyJob;
  const c: ReleaseContext = {
    manager: {
      cartridge: () => ({ location: { kind: 'element', type: o.inDrive ? 'dataTransfer' : 'storage' } }) as never,
      retention: { times: () => ({ lastWriteAt: o.lastWriteAt === undefined ? job.sourceLastWriteAt : o.lastWriteAt }) } as never,
    },
    stubs: o.stubs === false ? undefined : { release: (stub) => Promise.resolve(void released.push(`${stub.barcode} ${stub.objects} ${stub.bytes} ${stub.physicalLibrary}`)) },
    nowIso: () => '2026-12-05T21:00:00.000Z',
    log,
  };
  return { job, c, released };
}

test('releaseAfterCopy() releases an unchanged cartridge and keeps the verified size on the stub', async () => {
  const { job, c, released } = setup({});
  await releaseAfterCopy(job, 'tgt', c);
  assert.deepEqual(released, ['A00001L8 3 300 tgt']);
  assert.equal(job.releasedAt, '2026-12-05T21:00:00.000Z');
  assert.equal(job.reason, undefined);
});

test('releaseAfterCopy() keeps a cartridge a host wrote to after the copy began, and says why', async () => {
  const { job, c, released } = setup({ lastWriteAt: '2026-12-05T20:30:00.000Z' });
  await releaseAfterCopy(job, 'tgt', c);
  assert.deepEqual(released, []);
  assert.equal(job.reason, 'verified, but the disk copy was not released: a host wrote to it after the copy began');
});

test('releaseAfterCopy() keeps a cartridge that is in a drive, or when there is nowhere to release to', async () => {
  const inDrive = setup({ inDrive: true });
  await releaseAfterCopy(inDrive.job, 'tgt', inDrive.c);
  assert.match(inDrive.job.reason ?? '', /it is in a drive$/);
  const noStore = setup({ stubs: false });
  await releaseAfterCopy(noStore.job, 'tgt', noStore.c);
  assert.match(noStore.job.reason ?? '', /staging has no media store to release into$/);
  assert.equal(noStore.job.releasedAt, undefined);
});
