// The JSON of the API's security routes: tokens, retention locks and the audit log (docs/SECURITY.md).
import { z } from 'zod';
import { RETENTION_MODES } from '../../library/retention.js';
import { ROLES } from '../../library/role.js';
import { booleanText, component, count, instant, int } from './schema-kit.js';

export const PrincipalSchema = component('Principal', z.strictObject({ name: z.string(), role: z.enum(ROLES) }), 'The token making the request');

export const TokenSchema = component('Token', z.strictObject({ name: z.string(), role: z.enum(ROLES), createdAt: instant, createdBy: z.string() }));

export const NewTokenSchema = component(
  'NewToken',
  z.strictObject({ name: z.string(), role: z.enum(ROLES), createdAt: instant, createdBy: z.string(), secret: z.string().describe('Shown once: only its hash is kept') }),
);

export const RetentionSchema = component(
  'Retention',
  z.strictObject({
    barcode: z.string(),
    locked: z.boolean().describe('Locked now'),
    mode: z.enum(RETENTION_MODES).nullable().describe('The last lock\'s mode (kept after expiry); null when never locked'),
    until: z.string().nullable().describe('ISO 8601; null when never locked'),
    startedAt: z.string().nullable(),
    setBy: z.string().nullable(),
  }),
  "A cartridge's retention lock: locked now or not, and the last lock it had",
);

export const AuditEntrySchema = component(
  'AuditEntry',
  z.strictObject({
    seq: count,
    at: instant,
    kind: z.string().describe('Dotted: cartridge.delete, token.create, retention.set, scsi.erase...'),
    outcome: z.enum(['done', 'refused']),
    actor: z.string().nullable().describe('The API token\'s name; null for a SCSI host'),
    barcode: z.string().nullable(),
    initiator: z.string().nullable(),
    isid: z.string().nullable(),
    lun: int.nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    prev: z.string(),
    hash: z.string(),
  }),
);

export const AuditVerdictSchema = component(
  'AuditVerdict',
  z.discriminatedUnion('status', [
    z.strictObject({ status: z.literal('intact'), entries: count, lastHash: z.string() }),
    z.strictObject({ status: z.literal('torn-tail'), entries: count, lastHash: z.string(), tornBytes: count }).describe('The last line was cut short by a crash mid-append'),
    z.strictObject({ status: z.literal('tampered'), line: count, reason: z.string(), entries: count }).describe('`line` (1-based) is the first entry that does not verify'),
  ]),
);

// Requests.
export const CreateTokenSchema = z.strictObject({ name: z.string().min(1).max(64), role: z.enum(ROLES) });

export const SetRetentionSchema = z.strictObject({
  mode: z.enum(RETENTION_MODES),
  days: int.min(1, 'must be 1..36500 days').max(36500, 'must be 1..36500 days'),
  bypassGovernance: z.boolean().optional().describe('Needed to shorten a governance lock'),
});

export const ReleaseRetentionQuerySchema = z.strictObject({ bypassGovernance: booleanText.optional().describe('Required to end a governance lock early') });

export const AuditQuerySchema = z.strictObject({
  since: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or date-time')
    .optional()
    .describe('Only entries at or after this ISO 8601 instant'),
  barcode: z.string().min(1).max(32).optional().describe('Only entries about this cartridge'),
  limit: z
    .string()
    .regex(/^\d{1,6}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().min(1))
    .optional()
    .describe('At most this many (the newest)'),
});

export type Principal = z.infer<typeof PrincipalSchema>;
export type TokenView = z.infer<typeof TokenSchema>;
export type NewTokenView = z.infer<typeof NewTokenSchema>;
export type RetentionView = z.infer<typeof RetentionSchema>;
export type AuditEntryView = z.infer<typeof AuditEntrySchema>;
export type AuditVerdictView = z.infer<typeof AuditVerdictSchema>;
export type CreateTokenBody = z.input<typeof CreateTokenSchema>;
export type SetRetentionBody = z.input<typeof SetRetentionSchema>;
