// The configuration file's schema (YAML on disk, validated here). Every field has a default, so an empty file
// (or no file) gives the embedded default library. Loading with file/line diagnostics is in load-config.ts.
import { z } from 'zod';
import { catalogConfigSchema } from './catalog-config.js';

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

export const driveSchema = z.strictObject({
  ...identity,
  serial: z.string().min(1).max(32).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  generation: generation.optional(),
  /** Drive-side compression default (mode page 0Fh DCE). */
  compression: z.boolean().optional(),
});

const elementBase = z.number().int().min(0).max(0xffff);

/** RFC 5424 6.2.1: local0..local7 are facilities 16..23. */
export const SYSLOG_FACILITIES = ['local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

/**
 * A retention policy: cartridges it covers cannot be deleted or overwritten for `days` after `from`. `barcodes`
 * (FIRST-LAST, same length, compared as text) narrows it to a range; without it the policy covers the whole library.
 */
export const retentionPolicySchema = z.strictObject({
  mode: z.enum(['governance', 'compliance']),
  days: z.number().int().min(1).max(36500),
  from: z.enum(['first-write', 'last-write', 'unload']),
  barcodes: z
    .string()
    .regex(/^([A-Z0-9]{1,16})-([A-Z0-9]{1,16})$/, 'must be FIRST-LAST, e.g. A00000L8-A00099L8')
    .refine((v) => {
      const [first = '', last = ''] = v.split('-');
      return first.length === last.length && first <= last;
    }, 'FIRST and LAST must have the same length, FIRST not after LAST')
    .optional(),
});

export const librarySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 lower-case letters, digits or dashes'),
  iqn: iqn.optional(),
  alias: z.string().max(255).optional(),
  changer: z.strictObject({ ...identity, serial: driveSchema.shape.serial }).prefault({}),
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
  /** Where the catalog lives: SQLite in the data directory (default), or a PostgreSQL shared by several nodes. */
  catalog: catalogConfigSchema.prefault({ kind: 'sqlite' }),
  libraries: z.array(librarySchema).min(1).prefault([{ name: 'lib0' }]),
});

export type VtlConfig = z.infer<typeof configSchema>;
export type LibraryConfig = z.infer<typeof librarySchema>;
export type DriveConfig = z.infer<typeof driveSchema>;
export type AccessConfig = z.infer<typeof accessSchema>;
export type ChapConfig = z.infer<typeof chapSchema>;
export type RetentionPolicyConfig = z.infer<typeof retentionPolicySchema>;

/** The embedded default: one library, 4 LTO-8 drives, 24 slots, 4 mail slots, 20 blank cartridges. */
export function defaultConfig(): VtlConfig {
  return configSchema.parse({});
}

/** A library's target name: its configured IQN or `<targetPrefix>:<name>`. */
export function libraryIqn(config: VtlConfig, library: LibraryConfig): string {
  return library.iqn ?? `${config.server.targetPrefix}:${library.name}`;
}
