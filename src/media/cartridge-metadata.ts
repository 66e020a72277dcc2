// FORMAT.md "Metadata file": the cartridge's identity, MAM attributes and lifetime counters, as JSON.
import { z } from 'zod';

const counter = z.number().int().min(0);

const lifetimeSchema = z.strictObject({
  hostBytesWritten: counter,
  hostBytesRead: counter,
  storedBytesWritten: counter,
  storedBytesRead: counter,
  blocksWritten: counter,
  blocksRead: counter,
  filemarksWritten: counter,
  readErrors: counter,
  writeErrors: counter,
});

export type LifetimeCounters = z.infer<typeof lifetimeSchema>;

/**
 * A retention lock as the cartridge itself carries it (FORMAT.md "Metadata file"): a second copy beside the
 * catalog's, so a catalog restored from an old backup unlocks nothing (the library keeps the stricter of the two).
 */
const retentionSchema = z.strictObject({
  mode: z.enum(['governance', 'compliance']),
  startedAt: z.string(),
  until: z.string(),
  setBy: z.string(),
});

export type MediumRetentionLock = z.infer<typeof retentionSchema>;

const metadataSchema = z.strictObject({
  format: z.literal(1),
  barcode: z.string().min(1).max(32),
  generation: z.number().int().min(1).max(99),
  worm: z.boolean(),
  capacityBytes: z.number().int().min(1),
  /** The capacity as created, kept once SET CAPACITY changed `capacityBytes`; absent: equal to `capacityBytes`. */
  nativeCapacityBytes: z.number().int().min(1).optional(),
  /** The highest write pass used (FORMAT.md "Passes"). */
  pass: z.number().int().min(0).max(0xffffffff),
  loadCount: counter,
  lifetime: lifetimeSchema,
  /** MAM attributes: identifier as 4 hex digits -> raw value in base64. */
  attributes: z.record(z.string().regex(/^[0-9a-f]{4}$/), z.base64()),
  createdAt: z.string(),
  /** Absent on cartridges never locked (and on every cartridge written before the field existed). */
  retention: retentionSchema.optional(),
  /**
   * FORMAT.md "Encrypted records": the salt (16 bytes, base64) and the last write generation taken for encrypted
   * records. Absent until the first one is written.
   */
  sealing: z.strictObject({ salt: z.base64().length(24), generation: z.number().int().min(1).max(0xffffffff) }).optional(),
  /**
   * FORMAT.md "Partitions": absent, the cartridge has one partition in `data.vtape` (layout 0). Present since the
   * first FORMAT MEDIUM: layout `number` (each format takes the next) and, with two or more partitions, the capacity
   * of each (`partitionBytes`, empty for one partition of `capacityBytes`).
   */
  layout: z.strictObject({ number: z.number().int().min(1).max(0xffffffff), partitionBytes: z.array(z.number().int().min(1)).max(4) }).optional(),
  /** FORMAT.md "Encryption at rest": the cartridge's data key wrapped by the master key `master` (its id). */
  atRest: z.strictObject({ wrapped: z.base64().length(80), master: z.string().regex(/^[0-9a-f]{16}$/) }).optional(),
});

export type CartridgeMetadata = z.infer<typeof metadataSchema>;

export function emptyLifetime(): LifetimeCounters {
  return {
    hostBytesWritten: 0,
    hostBytesRead: 0,
    storedBytesWritten: 0,
    storedBytesRead: 0,
    blocksWritten: 0,
    blocksRead: 0,
    filemarksWritten: 0,
    readErrors: 0,
    writeErrors: 0,
  };
}

export function encodeMetadata(metadata: CartridgeMetadata): Buffer {
  return Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`, 'utf8');
}

/** The metadata, or why the file cannot be used. */
export function decodeMetadata(bytes: Buffer): CartridgeMetadata | string {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return `it is not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const parsed = metadataSchema.safeParse(json);
  if (!parsed.success) return `it does not match the schema (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`;
  const { capacityBytes, nativeCapacityBytes } = parsed.data;
  if (nativeCapacityBytes !== undefined && capacityBytes > nativeCapacityBytes) {
    return `its capacity (${capacityBytes} bytes) exceeds its native capacity (${nativeCapacityBytes} bytes)`;
  }
  const partitionBytes = parsed.data.layout?.partitionBytes ?? [];
  if (partitionBytes.length === 1) return 'its layout lists one partition size (one partition lists none)';
  const total = partitionBytes.reduce((sum, bytes) => sum + bytes, 0);
  if (total > capacityBytes) return `its partitions (${total} bytes) exceed its capacity (${capacityBytes} bytes)`;
  return parsed.data;
}

export function attributesToMap(attributes: Readonly<Record<string, string>>): Map<number, Buffer> {
  const map = new Map<number, Buffer>();
  for (const [id, value] of Object.entries(attributes)) map.set(Number.parseInt(id, 16), Buffer.from(value, 'base64'));
  return map;
}

export function attributesToRecord(map: ReadonlyMap<number, Buffer>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const id of [...map.keys()].sort((a, b) => a - b)) record[id.toString(16).padStart(4, '0')] = map.get(id)!.toString('base64');
  return record;
}

/** Keep `lock` as the cartridge's retention lock: only the schema's fields, since the file is validated strictly on open. */
export function setRetention(metadata: CartridgeMetadata, lock: MediumRetentionLock): void {
  metadata.retention = { mode: lock.mode, startedAt: lock.startedAt, until: lock.until, setBy: lock.setBy };
}

/** Apply WRITE ATTRIBUTE updates: a zero-length value deletes the attribute (SPC-4), any other is copied in. */
export function updateAttributes(attributes: Map<number, Buffer>, updates: ReadonlyMap<number, Buffer>): void {
  for (const [id, value] of updates) {
    if (value.length === 0) attributes.delete(id);
    else attributes.set(id, Buffer.from(value));
  }
}
