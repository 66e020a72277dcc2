// A library's `storage: {kind: s3, ...}` from the config as an opened S3Storage: defaults filled in, and the
// library's retention policies and its WORM cartridges turned into the Object Lock their objects are stored with.
import path from 'node:path';
import type { Logger } from '../../log.js';
import { S3Storage } from './s3-storage.js';

/** The config's `storage: {kind: s3}` (schema.ts), as this layer sees it (storage does not import config). */
export interface S3StorageSettings {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly bucket: string;
  readonly prefix?: string | undefined;
  readonly forcePathStyle: boolean;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly cacheDir?: string | undefined;
  readonly cacheBytes: number;
  readonly segmentBytes?: number | undefined;
  readonly objectLock: boolean;
}

export interface LibraryStorageOwner {
  readonly name: string;
  readonly retention: readonly { readonly mode: 'governance' | 'compliance'; readonly days?: number | undefined; readonly seconds?: number | undefined }[];
}

/**
 * A WORM cartridge's objects, when the library asks for Object Lock: kept this long unless a retention policy asks
 * for longer. 30 years is the archival life LTO media are rated for: the lock outlasts the physical WORM tape it
 * stands for.
 */
export const WORM_RETAIN_DAYS = 30 * 365 + 8;

/** Object Lock counts whole days: a policy given in seconds retains its objects for the days that cover it. */
function retainDaysOf(policy: LibraryStorageOwner['retention'][number]): number {
  return policy.days ?? Math.ceil((policy.seconds ?? 0) / 86_400);
}

/**
 * `isWormCartridge`: whether a top-level folder (a barcode) holds a WORM cartridge; the composition root knows the
 * barcode rules, this layer does not.
 */
export async function openLibraryS3Storage(
  library: LibraryStorageOwner, storage: S3StorageSettings, dataDir: string, log: Logger, isWormCartridge: (name: string) => boolean = () => false,
): Promise<S3Storage> {
  const policies = library.retention;
  const strictest = policies.some((p) => p.mode === 'compliance') ? ('COMPLIANCE' as const) : ('GOVERNANCE' as const);
  // Without a policy there is nothing to retain: the bucket is still checked, and objects go up unlocked.
  const objectLock = storage.objectLock && policies.length > 0 ? { mode: strictest, retainDays: Math.max(...policies.map(retainDaysOf)) } : undefined;
  // WORM cartridges are retained even without a policy: governance unless a policy of the library is compliance
  // (FORMAT.md "Object Lock" says why).
  const worm = storage.objectLock ? { mode: strictest, retainDays: Math.max(WORM_RETAIN_DAYS, objectLock?.retainDays ?? 0), isWormFolder: isWormCartridge } : undefined;
  return S3Storage.open({
    endpoint: storage.endpoint,
    region: storage.region,
    bucket: storage.bucket,
    forcePathStyle: storage.forcePathStyle,
    ...(storage.accessKeyId !== undefined && storage.secretAccessKey !== undefined ? { credentials: { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey } } : {}),
    prefix: storage.prefix ?? `${library.name}/`,
    cacheDir: path.resolve(storage.cacheDir ?? path.join(dataDir, 's3-cache', library.name)),
    cacheBytes: storage.cacheBytes,
    segmentBytes: storage.segmentBytes,
    objectLock,
    worm,
    requireObjectLock: storage.objectLock,
    log: log.child({ component: 's3', library: library.name }),
  });
}
