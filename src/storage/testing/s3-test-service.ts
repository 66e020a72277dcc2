// Test support: the S3 store the tests run against, a one-node Ceph with radosgw (scripts/services/ceph.sh).
// `npm test` starts it once and exports VTL_TEST_S3_*; a test file run alone starts its own and stops it at the end.
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { silentLogger, type Logger } from '../../log.js';
import { S3Storage, type S3StorageOptions } from '../s3/s3-storage.js';

const run = promisify(execFile);
/** The script beside the repository root: four folders up from dist/src/storage/testing, three from the source. */
const CEPH_SCRIPT = [
  new URL('../../../../scripts/services/ceph.sh', import.meta.url),
  new URL('../../../scripts/services/ceph.sh', import.meta.url),
].map((u) => fileURLToPath(u)).find((p) => existsSync(p)) ?? fileURLToPath(new URL('../../../../scripts/services/ceph.sh', import.meta.url));

export interface S3TestService {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
  readonly lockBucket: string;
  /** The Ceph folder, for stopping and restarting radosgw (outage tests). */
  readonly dir: string;
  /** Stop the cluster if this process started it (a no-op under `npm test`). */
  stop(): Promise<void>;
}

function fromEnv(stop: () => Promise<void>): S3TestService | undefined {
  const env = process.env;
  const endpoint = env['VTL_TEST_S3_ENDPOINT'];
  if (endpoint === undefined) return undefined;
  return {
    endpoint,
    accessKeyId: env['VTL_TEST_S3_ACCESS_KEY'] ?? '',
    secretAccessKey: env['VTL_TEST_S3_SECRET_KEY'] ?? '',
    bucket: env['VTL_TEST_S3_BUCKET'] ?? '',
    lockBucket: env['VTL_TEST_S3_LOCK_BUCKET'] ?? '',
    dir: env['VTL_TEST_S3_DIR'] ?? '',
    stop,
  };
}

let started: Promise<S3TestService> | undefined;

/** The shared store, started on first use when `npm test` did not start it. */
export function s3TestService(): Promise<S3TestService> {
  started ??= (async () => {
    const shared = fromEnv(async () => undefined);
    if (shared !== undefined) return shared;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vtl-ceph-'));
    const { stdout } = await run('bash', [CEPH_SCRIPT, 'start', dir], { maxBuffer: 1 << 20 });
    for (const m of stdout.matchAll(/^export (VTL_TEST_S3_\w+)=(.*)$/gm)) process.env[m[1]] = m[2];
    const own = fromEnv(async () => {
      await run('bash', [CEPH_SCRIPT, 'stop', dir]);
      await rm(dir, { recursive: true, force: true });
    });
    if (own === undefined) throw new Error(`ceph.sh start printed no endpoint: ${stdout}`);
    return own;
  })();
  return started;
}

/**
 * A radosgw of the test's own on the shared cluster (same port after a stop): stopping it takes the store away from
 * this test only, and starting it again brings it back with its data. Returns its endpoint.
 */
export async function startGateway(service: S3TestService, name: string): Promise<string> {
  const { stdout } = await run('bash', [CEPH_SCRIPT, 'start-rgw', service.dir, name]);
  return stdout.trim();
}

export async function stopGateway(service: S3TestService, name: string): Promise<void> {
  await run('bash', [CEPH_SCRIPT, 'stop-rgw', service.dir, name]);
}

export interface TestS3Storage {
  readonly storage: S3Storage;
  readonly options: S3StorageOptions;
  readonly cacheDir: string;
  /** Close the storage and remove its cache folder. */
  done(): Promise<void>;
}

/** An S3Storage under a fresh key prefix with a fresh cache folder. */
export async function openTestS3Storage(overrides: Partial<S3StorageOptions> & { log?: Logger } = {}): Promise<TestS3Storage> {
  const service = await s3TestService();
  const cacheDir = overrides.cacheDir ?? (await mkdtemp(path.join(os.tmpdir(), 'vtl-s3-cache-')));
  const options: S3StorageOptions = {
    endpoint: service.endpoint,
    bucket: service.bucket,
    forcePathStyle: true,
    credentials: { accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey },
    prefix: `test-${randomBytes(6).toString('hex')}/`,
    cacheBytes: 64 * 1024 * 1024,
    log: silentLogger(),
    ...overrides,
    cacheDir,
  };
  const storage = await S3Storage.open(options);
  return {
    storage,
    options,
    cacheDir,
    done: async () => {
      await storage.close();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}
