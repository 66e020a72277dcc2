// The few S3 calls the backend needs, over `@aws-sdk/client-s3`, with the error mapping in one place: a missing
// object is `undefined`, an unreachable store or a 5xx is a retryable StorageError (EIO), anything else a StorageError
// that retrying cannot fix (EACCES for 403, EINVAL otherwise).
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type ObjectLockRetentionMode,
} from '@aws-sdk/client-s3';
import { StorageFencedError, type StorageFence } from '../fenced-storage.js';
import { StorageError } from '../storage.js';

// The SDK warns once per process that its releases from 2027 on need Node 22; the version locked here supports the
// Node 20 this project runs on, and the warning would only clutter the server's log.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface ObjectStoreOptions {
  /** e.g. http://127.0.0.1:7480; absent: the SDK's default (AWS, or AWS_ENDPOINT_URL_S3). */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly bucket: string;
  /** Path-style addressing (bucket in the path): what RGW, MinIO and most on-premises stores want. */
  readonly forcePathStyle?: boolean | undefined;
  /** Absent: the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profile, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

/** What Object Lock a PUT asks for: the mode and the date until which the object version cannot be removed. */
export interface PutRetention {
  readonly mode: ObjectLockRetentionMode;
  readonly retainUntil: Date;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/** The store cannot be reached, or answered a server error: worth trying again later. */
export function isRetryable(error: unknown): boolean {
  // A fence that refused stays closed: waiting cannot fix it.
  return error instanceof StorageError && error.code === 'EIO' && !(error instanceof StorageFencedError);
}

function mapError(what: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode ?? 0;
    const code = status >= 500 || status === 429 || status === 0 ? 'EIO' : status === 403 ? 'EACCES' : 'EINVAL';
    return new StorageError(`Cannot ${what}: the object store answered ${status} ${error.name}: ${error.message}`, code, { cause: error });
  }
  // Connection refused or reset, timeouts, DNS: the store is not reachable right now.
  const reason = error instanceof Error ? error.message || error.name : String(error);
  return new StorageError(`Cannot ${what}: the object store is unreachable: ${reason}`, 'EIO', { cause: error });
}

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchKey' || error.name === 'NotFound');
}

/** The body's SHA-256 adds nothing over https (TLS protects it) or on loopback http (no network to cross). */
export function unsignedPayloadFits(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return true; // AWS itself: https
  const url = new URL(endpoint);
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export class ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  /**
   * A cluster node's lease on the library stored here (fenced-storage.ts): every change to the bucket (a put, a
   * copy, a removal, the uploader's included) asks it right before the request is sent.
   */
  fence: StorageFence | undefined;

  constructor(options: ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      region: options.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? true,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Retries are ours (with the cache absorbing writes meanwhile): one attempt per call here.
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 30_000 },
      // No CRC32 of every body (0.22 CPU s/GB of upload, FORMAT.md "Upload cost"): every record carries its own
      // CRC32C, checked at every read, and the transport below is TLS or loopback (see unsignedPayload).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    if (unsignedPayloadFits(options.endpoint ?? process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL'])) {
      // SigV4 otherwise hashes every body with SHA-256 (0.5 CPU s/GB of upload). Over TLS the body cannot be altered
      // unseen anyway, and over loopback it never leaves the machine; on plain http across a network it stays signed.
      this.client.middlewareStack.add(
        (next) => (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers !== undefined) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
          return next(args);
        },
        { step: 'build', name: 'vtlUnsignedPayload' },
      );
    }
  }

  async put(key: string, body: Buffer, retention?: PutRetention): Promise<void> {
    this.checkFence(`store object ${key}`);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.retainUntil } : {}),
        }),
      );
    } catch (error) {
      throw mapError(`store object ${key}`, error);
    }
  }

  /** The whole object, or undefined when it does not exist. */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (answer.Body === undefined) return Buffer.alloc(0);
      return Buffer.from(await answer.Body.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw mapError(`fetch object ${key}`, error);
    }
  }

  /** Removing a missing object is not an error (S3 answers 204 either way). */
  async delete(key: string): Promise<void> {
    this.checkFence(`remove object ${key}`);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw mapError(`remove object ${key}`, error);
    }
  }

  async copy(from: string, to: string, retention?: PutRetention): Promise<void> {
    this.checkFence(`copy object ${from} to ${to}`);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}`,
          ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.retainUntil } : {}),
        }),
      );
    } catch (error) {
      throw mapError(`copy object ${from} to ${to}`, error);
    }
  }

  private checkFence(what: string): void {
    const reason = this.fence?.refusal();
    if (reason !== undefined) throw new StorageFencedError(what, reason);
  }

  /** Every object under `prefix` (all pages), in key order. */
  async listAll(prefix: string): Promise<ListedObject[]> {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      try {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key !== undefined) objects.push({ key: o.Key, size: o.Size ?? 0 });
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } catch (error) {
        throw mapError(`list objects under ${prefix}`, error);
      }
    } while (token !== undefined);
    return objects;
  }

  /** The names one level below `prefix` (which ends in '/' or is empty): S3's common prefixes. */
  async listNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      try {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) names.push(p.Prefix.slice(prefix.length, -1));
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } catch (error) {
        throw mapError(`list names under ${prefix}`, error);
      }
    } while (token !== undefined);
    return names;
  }

  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw mapError(`reach bucket ${this.bucket}`, error);
    }
  }

  /** The bucket's Object Lock setting: undefined when it has none. */
  async objectLock(): Promise<{ readonly enabled: boolean; readonly defaultMode: string | undefined } | undefined> {
    try {
      const answer = await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.bucket }));
      const config = answer.ObjectLockConfiguration;
      if (config?.ObjectLockEnabled !== 'Enabled') return undefined;
      return { enabled: true, defaultMode: config.Rule?.DefaultRetention?.Mode };
    } catch (error) {
      if (error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'ObjectLockConfigurationNotFoundError')) return undefined;
      throw mapError(`read the Object Lock setting of bucket ${this.bucket}`, error);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
