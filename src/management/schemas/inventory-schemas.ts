// The JSON the API answers about libraries, drives, cartridges, events and the server (views.ts builds them), and the
// bodies and queries it takes for them. The server validates with these, the OpenAPI document is generated from them,
// and the CLI and the console take their types from them (`import type` only: the console bundle carries no zod).
import { z } from 'zod';
import { DedupFiguresSchema, DedupSummarySchema } from './dedup-schemas.js';
import { LOCATION_KINDS } from './location-kinds.js';
import { booleanText, component, count, instant, int } from './schema-kit.js';

export const ELEMENT_KINDS = ['robot', 'slot', 'mailslot', 'drive'] as const;
export const EVENT_TYPES = [
  'cartridge-created',
  'cartridge-moved',
  'cartridge-deleted',
  'cartridge-updated',
  'drive-attached',
  'removal-prevention-changed',
  'copy-job-changed',
] as const;
const GENERATION_MESSAGE = 'must be an LTO generation 5..10';

export const LocationSchema = component(
  'Location',
  z.strictObject({
    kind: z.enum(LOCATION_KINDS).describe('`robot` is the transport element, `shelf` the offline vault'),
    library: z.string(),
    address: int.nullable().describe('Element address; null on the shelf'),
    index: int.nullable().describe('0-based position among the elements of its kind; null on the shelf'),
  }),
);

export const CartridgeSchema = component(
  'Cartridge',
  z.strictObject({
    barcode: z.string(),
    generation: int.min(5).max(10).nullable().describe('LTO generation; null for universal cleaning cartridges (CLNxxxCU)'),
    media: z.string(),
    worm: z.boolean(),
    cleaning: z.boolean(),
    writeProtected: z.boolean(),
    capacityBytes: count,
    location: LocationSchema,
    sourceAddress: int.nullable().describe('The element it last left (where an unload returns it); null when at home'),
    placedByOperator: z.boolean(),
    mediaMissing: z.boolean(),
    loadError: z.string().optional().describe('Why its last load into a drive failed (e.g. its data key does not unwrap); absent when none did'),
    releasedTo: z.string().optional().describe('The physical library holding its data: the disk copy was released after a verified copy (a load recalls it)'),
    dedup: DedupFiguresSchema.optional().describe('In a deduplicating library: logical and stored bytes, ratio and backlog (absent until first measured)'),
    createdAt: instant,
    updatedAt: instant,
  }),
);

const ElementRangeSchema = component('ElementRange', z.strictObject({ first: count, count }));

export const LibrarySchema = component(
  'Library',
  z.strictObject({
    name: z.string(),
    iqn: z.string(),
    slots: count,
    mailSlots: count,
    drives: count,
    cartridges: count,
    freeSlots: count,
    freeMailSlots: count,
    removalPrevented: z.boolean().describe('A host holds PREVENT MEDIUM REMOVAL on the changer: the mail slots are locked'),
    elementAddresses: z.strictObject({ robot: ElementRangeSchema, slot: ElementRangeSchema, mailslot: ElementRangeSchema, drive: ElementRangeSchema }),
  }),
);

export const ElementSchema = component(
  'Element',
  z.strictObject({
    kind: z.enum(ELEMENT_KINDS),
    address: count,
    index: count,
    barcode: z.string().nullable(),
    accessible: z.boolean(),
    open: z.boolean().describe('A mail slot opened by OPEN IMPORT/EXPORT ELEMENT (out of the robot\'s reach)'),
    exception: z.string().nullable(),
  }),
);

export const DrivePositionSchema = component(
  'DrivePosition',
  z.strictObject({
    partition: count,
    blockNumber: count.describe('Logical object (block) number, as READ POSITION reports it'),
    fileNumber: count.nullable().describe('Filemarks before the position; null when the drive does not track it'),
  }),
);

export const DriveSchema = component(
  'Drive',
  z.strictObject({
    library: z.string(),
    index: count.describe('0-based, as mtx numbers data transfer elements'),
    address: count,
    vendor: z.string(),
    product: z.string(),
    revision: z.string(),
    serial: z.string(),
    attached: z.boolean().describe('A drive is connected to this element (false only during start-up)'),
    barcode: z.string().nullable().describe('The cartridge in the drive element (the catalog\'s view)'),
    mounted: z.boolean().describe('The drive has the cartridge mounted (the drive\'s own view)'),
    ejected: z.boolean(),
    removalPrevented: z.boolean(),
    position: DrivePositionSchema.nullable(),
    bytesWritten: count.nullable().describe('Host bytes written since the cartridge was loaded; null when none is mounted'),
    bytesRead: count.nullable().describe('Host bytes read since the cartridge was loaded; null when none is mounted'),
  }),
);

export const CopyEventSchema = component(
  'CopyEvent',
  z.strictObject({
    id: z.string(),
    state: z.string(),
    phase: z.string(),
    percent: z.number().min(0).max(100),
    bytesCopied: count,
    bytesVerified: count,
    physicalLibrary: z.string().nullable(),
    reason: z.string().nullable(),
  }),
);

export const EventSchema = component(
  'Event',
  z.strictObject({
    id: int.min(1).describe('Increasing from 1 since the server started; `since` and SSE `Last-Event-ID` take it'),
    type: z.enum(EVENT_TYPES),
    library: z.string(),
    barcode: z.string().nullable(),
    from: LocationSchema.nullable(),
    to: LocationSchema.nullable(),
    actor: z.enum(['operator', 'host', 'system']),
    at: instant,
    copy: CopyEventSchema.optional().describe('For `copy-job-changed` (staging to physical tape): the job\'s state and progress'),
    node: z.string().optional().describe('On a cluster: the node the event happened on (every node\'s stream carries every node\'s events)'),
  }),
);

export const SessionSchema = component(
  'Session',
  z.strictObject({
    tsih: count,
    initiator: z.string(),
    initiatorAlias: z.string().nullable(),
    isid: z.string().describe('12 hex digits'),
    target: z.string().nullable().describe('null for a discovery session'),
    discovery: z.boolean(),
    connections: count,
    remoteAddress: z.string(),
    activeTasks: count,
  }),
);

export const ClusterStatusSchema = component(
  'ClusterStatus',
  z.strictObject({
    nodeId: z.string(),
    nodes: z.array(z.strictObject({ nodeId: z.string(), portal: z.string(), apiAddress: z.string(), live: z.boolean() })),
    owners: z.array(z.strictObject({ library: z.string(), owner: z.string(), portal: z.string(), token: count, live: z.boolean() })),
  }),
);

export const StatusSchema = component(
  'Status',
  z.strictObject({
    version: z.string(),
    startedAt: instant,
    uptimeSeconds: count,
    pid: count,
    libraries: z.array(
      z.strictObject({
        name: z.string(),
        iqn: z.string(),
        drives: count,
        mountedDrives: count,
        cartridges: count,
        freeSlots: count,
        freeMailSlots: count,
        owner: z
          .strictObject({ nodeId: z.string(), portal: z.string(), token: count })
          .optional()
          .describe('On a cluster: the node serving it (its lease holder); absent while nobody holds a live lease'),
        dedup: DedupFiguresSchema.optional().describe("A deduplicating library's cartridges in all"),
      }),
    ),
    sessions: z.array(SessionSchema),
    cluster: ClusterStatusSchema.optional().describe('Present on a cluster node (config `cluster:`): this node, the nodes heard of, and who serves which library'),
    dedup: DedupSummarySchema.optional().describe('With a deduplicating library: the chunk stores and the background pass'),
    catalog: z
      .strictObject({ writable: z.boolean(), problem: z.enum(['no-space', 'io-error']).nullable(), since: z.string().nullable().describe('ISO 8601; when it stopped') })
      .describe('Whether the catalog can write; while it cannot, every change is refused with 507 or 503'),
  }),
);

// Requests.
const generation = int.min(5, GENERATION_MESSAGE).max(10, GENERATION_MESSAGE);

export const CreateCartridgesSchema = component(
  'CreateCartridges',
  z.strictObject({
    library: z.string().min(1),
    barcode: z.string().min(1).max(32).describe('The barcode, or the first of a range of `count`'),
    count: int.min(1).max(10000).optional().describe('How many (default 1)'),
    generation: generation.optional(),
    capacityBytes: int.min(1024 * 1024).max(Number.MAX_SAFE_INTEGER).optional(),
    worm: z.boolean().optional(),
    mailSlot: z.boolean().optional().describe('Create them in free mail slots instead of storage slots'),
  }),
);

export const CartridgeQuerySchema = z.strictObject({
  library: z.string().min(1).optional().describe('In (or last in) this library'),
  barcode: z.string().min(1).max(32).optional().describe('Barcode prefix, or a glob with * and ?'),
  location: z.enum(LOCATION_KINDS).optional().describe('Where it is'),
  generation: z
    .string()
    .regex(/^(5|6|7|8|9|10)$/, GENERATION_MESSAGE)
    .transform(Number)
    .optional()
    .describe('LTO generation'),
  worm: booleanText.optional().describe('WORM or not'),
});

export const UnloadBodySchema = z.strictObject({ force: z.boolean().optional().describe("Override a host's PREVENT MEDIUM REMOVAL") });
export const UnloadAnswerSchema = z.strictObject({ cartridge: CartridgeSchema.nullable().describe('The cartridge put back, or null if the drive was empty') });
export const ShelveBodySchema = z.strictObject({ direct: z.boolean().optional().describe('From a storage slot too, not only from a mail slot') });
export const UnshelveBodySchema = z.strictObject({ library: z.string().min(1).optional().describe('Into this library instead of its last one') });
export const ProtectBodySchema = z.strictObject({ on: z.boolean() });

export type LocationView = z.infer<typeof LocationSchema>;
export type CartridgeView = z.infer<typeof CartridgeSchema>;
export type LibraryView = z.infer<typeof LibrarySchema>;
export type ElementView = z.infer<typeof ElementSchema>;
export type DrivePosition = z.infer<typeof DrivePositionSchema>;
export type DriveView = z.infer<typeof DriveSchema>;
export type CopyEventView = z.infer<typeof CopyEventSchema>;
export type EventView = z.infer<typeof EventSchema>;
export type SessionView = z.infer<typeof SessionSchema>;
export type ServerStatus = z.infer<typeof StatusSchema>;
export type ClusterStatus = z.infer<typeof ClusterStatusSchema>;
export type CreateCartridgesBody = z.input<typeof CreateCartridgesSchema>;
export type CartridgeQueryText = z.input<typeof CartridgeQuerySchema>;
export type UnloadAnswer = z.infer<typeof UnloadAnswerSchema>;
export type UnloadBody = z.input<typeof UnloadBodySchema>;
export type ShelveBody = z.input<typeof ShelveBodySchema>;
export type UnshelveBody = z.input<typeof UnshelveBodySchema>;
export type ProtectBody = z.input<typeof ProtectBodySchema>;
