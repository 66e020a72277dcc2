// The configuration file's schema (YAML on disk, validated here). Every field has a default, so an empty file
// (or no file) gives the embedded default library. Loading with file/line diagnostics is in load-config.ts.
import { z } from 'zod';
import { catalogConfigSchema } from './catalog-config.js';
import { copySchema, physicalLibrarySchema } from './physical-schema.js';

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be HOST:PORT, e.g. 127.0.0.1:3260');

const iqn = z
  .string()
  .regex(/^(iqn\.\d{4}-\d{2}\.[^\s]+|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$/, 'must be an iSCSI name (iqn.YYYY-MM.reverse.domain[:id], eui. or naa.)')
  .max(223);

const generation = z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8), z.literal(9), z.literal(10)], {
  error: 'must be an LTO generation: 5, 6, 7, 8, 9 or 10',
});

/** RFC 7143 12.1.3: CHAP secrets of at least 12 bytes are recommended; we require it so weak secrets are refused. */
const chapSecret = z.string().min(12, 'CHAP secrets must be 12 to 255 characters').max(255);

export const chapSchema = z.strictObject({
  username: z.string().min(1).max(255),
  secret: chapSecret,
  /** Mutual CHAP: the target authenticates itself to the initiator with these. */
  mutual: z.strictObject({ username: z.string().min(1).max(255), secret: chapSecret }).optional(),
});

export const accessSchema = z.strictObject({
  /** Initiator names allowed to log in; empty or absent = any initiator. */
  initiators: z.array(iqn).default([]),
  /** Restore hosts: they load and read, but every command that changes a medium is refused (DATA PROTECT 27/00). */
  readOnlyInitiators: z.array(iqn).default([]),
  chap: chapSchema.optional(),
});

const identity = {
  vendor: z.string().max(8).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII').optional(),
  product: z.string().max(16).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII').optional(),
  revision: z.string().max(4).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII').optional(),
};

/** Vendor personalities (library/drive-identity.ts): the INQUIRY identity a drive or changer presents. */
export const DRIVE_PERSONALITIES = ['ibm', 'hpe'] as const;
export const CHANGER_PERSONALITIES = ['ibm-3584', 'stk-l700'] as const;

export const driveSchema = z.strictObject({
  ...identity,
  personality: z.enum(DRIVE_PERSONALITIES).optional(),
  serial: z.string().min(1).max(32).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  generation: generation.optional(),
  /** Drive-side compression default (mode page 0Fh DCE). */
  compression: z.boolean().optional(),
});

const elementBase = z.number().int().min(0).max(0xffff);

/** RFC 5424 6.2.1: local0..local7 are facilities 16..23. */
export const SYSLOG_FACILITIES = ['local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

/**
 * A retention policy: cartridges it covers cannot be deleted or overwritten for `days` (or `seconds`, for short
 * rotations and tests) after `from`. `barcodes` (FIRST-LAST, same length, compared as text) narrows it to a range;
 * without it the policy covers the whole library.
 */
export const retentionPolicySchema = z.strictObject({
  mode: z.enum(['governance', 'compliance']),
  days: z.number().int().min(1).max(36500).optional(),
  seconds: z.number().int().min(1).max(36500 * 86400).optional(),
  from: z.enum(['first-write', 'last-write', 'unload']),
  barcodes: z
    .string()
    .regex(/^([A-Z0-9]{1,16})-([A-Z0-9]{1,16})$/, 'must be FIRST-LAST, e.g. A00000L8-A00099L8')
    .refine((v) => {
      const [first = '', last = ''] = v.split('-');
      return first.length === last.length && first <= last;
    }, 'FIRST and LAST must have the same length, FIRST not after LAST')
    .optional(),
}).refine((p) => (p.days === undefined) !== (p.seconds === undefined), 'give exactly one of days and seconds');

/** Cartridges as files under the data directory (the default). */
const localStorageSchema = z.strictObject({ kind: z.literal('local') });

/**
 * Cartridges in an S3 bucket behind a bounded local cache (docs/FORMAT.md "Object store"). Credentials absent: the
 * AWS SDK's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role).
 */
const s3StorageSchema = z
  .strictObject({
    kind: z.literal('s3'),
    /** e.g. http://rgw.example:7480; absent: AWS itself (or AWS_ENDPOINT_URL_S3). */
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:7480' }).optional(),
    region: z.string().min(1).optional(),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3-63 lower-case letters, digits, dots or dashes'),
    /** Key prefix inside the bucket; absent: the library's name and a slash. */
    prefix: z.string().regex(/^([A-Za-z0-9_.-]+\/)*$/, 'must be empty or end with a slash, e.g. vtl/lib0/').optional(),
    /** Bucket in the path instead of the host name: what RGW, MinIO and most on-premises stores expect. */
    forcePathStyle: z.boolean().default(true),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    /** Absent: `<dataDir>/s3-cache/<library>`. One library's cache must not be another's. */
    cacheDir: z.string().min(1).optional(),
    /** The cache's size: writes beyond it wait for uploads. At least four segments. */
    cacheBytes: z.number().int().min(64 * 1024 * 1024).default(8 * 1024 ** 3),
    /** Size of the segment objects a cartridge's data is cut into (docs/FORMAT.md "Object store" on the choice). */
    segmentBytes: z.number().int().min(1024 * 1024).max(1024 ** 3).optional(),
    /**
     * Store every object with S3 Object Lock retention from the library's retention policies (their strictest mode,
     * their longest days); start-up refuses a bucket without Object Lock.
     */
    objectLock: z.boolean().default(false),
  })
  .refine((v) => (v.accessKeyId === undefined) === (v.secretAccessKey === undefined), 'accessKeyId and secretAccessKey go together')
  .refine((v) => v.segmentBytes === undefined || v.cacheBytes >= 4 * v.segmentBytes, 'cacheBytes must hold at least four segments');

export const storageSchema = z.discriminatedUnion('kind', [localStorageSchema, s3StorageSchema]);

export const librarySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 lower-case letters, digits or dashes'),
  iqn: iqn.optional(),
  alias: z.string().max(255).optional(),
  changer: z.strictObject({ ...identity, serial: driveSchema.shape.serial, personality: z.enum(CHANGER_PERSONALITIES).optional() }).prefault({}),
  /** Defaults for every drive; `drives` entries override per drive. */
  driveDefaults: driveSchema.prefault({}),
  driveCount: z.number().int().min(1).max(64).default(4),
  drives: z.array(driveSchema).max(64).optional(),
  slots: z.number().int().min(1).max(10000).default(24),
  mailSlots: z.number().int().min(0).max(240).default(4),
  elementAddresses: z
    .strictObject({
      transport: elementBase.default(0x0000),
      storage: elementBase.default(0x1000),
      importExport: elementBase.default(0x0010),
      dataTransfer: elementBase.default(0x0100),
    })
    .prefault({}),
  /** Blank cartridges created in the first slots when the library is first created. */
  initialCartridges: z
    .strictObject({
      count: z.number().int().min(0).max(10000).default(20),
      barcodePrefix: z.string().regex(/^[A-Z0-9]{1,5}$/, 'must be 1-5 upper-case letters or digits').default('A'),
      generation: generation.optional(),
      /** Explicit capacity in bytes instead of the generation's native capacity (small test cartridges). */
      capacityBytes: z.number().int().min(1024 * 1024).optional(),
    })
    .prefault({}),
  access: accessSchema.prefault({}),
  /**
   * The vault is the shelf: a cartridge there is in no element, so no SCSI host sees it; only an operator or admin
   * token brings it back. These policies send cartridges there without an operator.
   */
  vault: z
    .strictObject({
      /** A cartridge exported to a mail slot (by a host or an operator) goes on to the vault. */
      onExport: z.boolean().default(false),
      /** A cartridge resting in a storage slot this many hours after its last unload goes to the vault. */
      afterUnloadHours: z.number().int().min(1).max(87600).optional(),
    })
    .prefault({}),
  /** Where the library's cartridges live. */
  storage: storageSchema.prefault({ kind: 'local' }),
  /**
   * Deduplication (docs/FORMAT.md "Deduplication"): cartridges are written at line rate with compression deferred, and
   * moved into chunk recipes in the background while the drives are idle. `scope`: a chunk store for this library
   * alone, or the one shared by every library with `global` (repeated data across libraries is stored once).
   */
  dedup: z
    .strictObject({
      enabled: z.boolean().default(false),
      scope: z.enum(['library', 'global']).default('library'),
      /**
       * How the background pass compresses new unique chunks: `zstd` (at its measured default level), `zstd:LEVEL`
       * (1..19; above 3 the pass slows, docs/BENCHMARKS.md "Issue 17: session 10, zstd") or `lz4`. Chunks already
       * stored keep their codec. Libraries sharing the global chunk store must agree on it.
       */
      compression: z
        .string()
        .regex(/^(lz4|zstd(:([1-9]|1[0-9]))?)$/, 'must be lz4, zstd or zstd:LEVEL with LEVEL 1..19')
        .default('zstd'),
    })
    .prefault({}),
  /** One policy or a list; a cartridge covered by several gets the strictest (compliance over governance, the latest expiry). */
  retention: z
    .union([retentionPolicySchema, z.array(retentionPolicySchema).max(100)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      listen: hostPort.default('127.0.0.1:3260'),
      dataDir: z.string().min(1).default('./vtl-data'),
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      targetPrefix: z.string().default('iqn.2026-11.org.vtl'),
    })
    .prefault({}),
  api: z
    .strictObject({
      listen: hostPort.default('127.0.0.1:8090'),
      enabled: z.boolean().default(true),
      /** PEM files: with them the API speaks only HTTPS. */
      tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
      /** Allow plain HTTP on an address other than loopback (tokens then cross the network in clear). */
      insecure: z.boolean().default(false),
      /** Serve GET /metrics without a token (Prometheus scrapers often have none); every other path still needs one. */
      metricsPublic: z.boolean().default(false),
    })
    .prefault({}),
  iscsi: z
    .strictObject({
      /** Largest data segment we accept (our MaxRecvDataSegmentLength), bytes. */
      maxRecvDataSegmentLength: z.number().int().min(512).max(16777215).default(1048576),
      maxBurstLength: z.number().int().min(512).max(16777215).default(16776192),
      firstBurstLength: z.number().int().min(512).max(16777215).default(1048576),
      /** Seconds of silence before a NOP-In ping, and before a connection that does not answer is dropped. */
      nopInIntervalSeconds: z.number().int().min(1).max(3600).default(10),
      nopInTimeoutSeconds: z.number().int().min(1).max(3600).default(30),
      /** Connections open at once; one more is closed at accept (docs/ISCSI.md, "Memory bounds"). */
      maxConnections: z.number().int().min(1).max(4096).default(64),
      /** CHAP for discovery sessions (SendTargets). */
      discoveryChap: chapSchema.optional(),
    })
    .prefault({}),
  defaults: z
    .strictObject({ generation: generation.default(8) })
    .prefault({}),
  audit: z
    .strictObject({
      /** Copy every audit entry, as it is written, to this syslog receiver (RFC 5424 over UDP). */
      syslog: z
        .strictObject({
          address: hostPort,
          facility: z.enum(SYSLOG_FACILITIES).default('local0'),
        })
        .optional(),
    })
    .prefault({}),
  encryption: z
    .strictObject({
      /**
       * A file holding the master key (64 hex digits) that wraps every cartridge's data key (docs/SECURITY.md
       * "Encryption at rest"); the environment variable VTL_MASTER_KEY (64 hex digits) is used when this is absent.
       */
      masterKeyFile: z.string().min(1).optional(),
    })
    .prefault({}),
  /** Where the catalog lives: SQLite in the data directory (default), or a PostgreSQL shared by several nodes. */
  catalog: catalogConfigSchema.prefault({ kind: 'sqlite' }),
  /**
   * Several nodes sharing the libraries (src/cluster/CLUSTER.md): needs a PostgreSQL catalog and storage every node
   * reaches. Absent: this node serves every library, as a single node always did.
   */
  cluster: z
    .strictObject({
      /** Unique among the nodes: the owner named in the leases and in `vtl status`. */
      nodeId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores'),
      /** The iSCSI portal hosts are sent to for this node's libraries (SendTargets); default server.listen. */
      portal: hostPort.optional(),
      /** The management API as the other nodes reach it (requests forwarded to the owner); default api.listen. */
      apiAddress: hostPort.optional(),
      /** How long a lease lasts without renewal: a dead owner's libraries move after at most lease + renew time. */
      leaseSeconds: z.number().min(1).max(600).default(15),
      /** How often the owner renews and the others try to take over; default leaseSeconds / 3. */
      renewSeconds: z.number().min(0.1).max(200).optional(),
    })
    .optional(),
  libraries: z.array(librarySchema).min(1).prefault([{ name: 'lib0' }]),
  /** Physical tape libraries cartridges are staged to (physical-schema.ts). */
  physicalLibraries: z.array(physicalLibrarySchema).max(64).default([]),
  copy: copySchema,
});

export type VtlConfig = z.infer<typeof configSchema>;
export type LibraryConfig = z.infer<typeof librarySchema>;
export type DriveConfig = z.infer<typeof driveSchema>;
export type AccessConfig = z.infer<typeof accessSchema>;
export type ChapConfig = z.infer<typeof chapSchema>;
export type RetentionPolicyConfig = z.infer<typeof retentionPolicySchema>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type S3StorageConfig = z.infer<typeof s3StorageSchema>;

/** The embedded default: one library, 4 LTO-8 drives, 24 slots, 4 mail slots, 20 blank cartridges. */
export function defaultConfig(): VtlConfig {
  return configSchema.parse({});
}

/** A library's target name: its configured IQN or `<targetPrefix>:<name>`. */
export function libraryIqn(config: VtlConfig, library: LibraryConfig): string {
  return library.iqn ?? `${config.server.targetPrefix}:${library.name}`;
}
