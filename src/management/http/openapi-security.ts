// The OpenAPI paths and schemas of the security routes (tokens, audit log), beside openapi.ts's.
import { arrayOf, body, errors, int, json, nullable, object, pathParam, queryParam, ref, str, type Json } from './openapi-schema.js';

const ROLE = { enum: ['viewer', 'operator', 'admin'] };
const RETENTION_MODE = { enum: ['governance', 'compliance'] };

export function securitySchemas(): Record<string, Json> {
  return {
    Retention: object({
      barcode: str,
      locked: { type: 'boolean' },
      mode: { enum: ['governance', 'compliance', null] },
      until: nullable('string'),
      startedAt: nullable('string'),
      setBy: nullable('string'),
    }),
    Token: object({ name: str, role: ROLE, createdAt: { type: 'string', format: 'date-time' }, createdBy: str }),
    NewToken: object({ name: str, role: ROLE, createdAt: { type: 'string', format: 'date-time' }, createdBy: str, secret: str }),
    AuditEntry: object({
      seq: int,
      at: { type: 'string', format: 'date-time' },
      kind: str,
      outcome: { enum: ['done', 'refused'] },
      actor: nullable('string'),
      barcode: nullable('string'),
      initiator: nullable('string'),
      isid: nullable('string'),
      lun: nullable('integer'),
      detail: { type: ['object', 'null'] },
      prev: str,
      hash: str,
    }),
    AuditVerdict: {
      oneOf: [
        object({ status: { enum: ['intact'] }, entries: int, lastHash: str }),
        object({ status: { enum: ['torn-tail'] }, entries: int, lastHash: str, tornBytes: int }),
        object({ status: { enum: ['tampered'] }, line: int, reason: str, entries: int }),
      ],
    },
  };
}

export function securityPaths(): Record<string, Json> {
  const BARCODE = pathParam('barcode', 'Cartridge barcode, e.g. A00001L8');
  const lockAnswer = { '200': json(ref('Retention'), 'The lock after the change'), ...errors(400, 401, 404, 409, 503, 507) };
  return {
    '/cartridges/{barcode}/retention': {
      get: { summary: "A cartridge's retention lock", parameters: [BARCODE], responses: { '200': json(ref('Retention'), 'The lock'), ...errors(401, 404) } },
      post: {
        summary: 'Lock or extend for `days` from now; shortening a governance lock needs bypassGovernance, a compliance lock is never shortened (409)',
        parameters: [BARCODE],
        requestBody: body(object({ mode: RETENTION_MODE, days: { type: 'integer', minimum: 1, maximum: 36500 }, bypassGovernance: { type: 'boolean' } }, ['mode', 'days']), true),
        responses: lockAnswer,
      },
      delete: {
        summary: 'End a governance lock now (needs bypassGovernance=true); a compliance lock is refused (409)',
        parameters: [BARCODE, queryParam('bypassGovernance', 'Required to end a governance lock early', { enum: ['true', 'false', '1', '0'] })],
        responses: lockAnswer,
      },
    },
    '/tokens': {
      get: { summary: 'API tokens (names and roles; secrets are never kept)', responses: { '200': json(arrayOf(ref('Token')), 'Tokens'), ...errors(401) } },
      post: {
        summary: 'Create a token; the answer is the only place its secret ever appears',
        requestBody: body(object({ name: str, role: ROLE }), true),
        responses: { '201': json(ref('NewToken'), 'The token and its secret'), ...errors(400, 401, 409, 503, 507) },
      },
    },
    '/tokens/{name}': {
      delete: { summary: 'Revoke a token', parameters: [pathParam('name', 'Token name')], responses: { '204': { description: 'Revoked' }, ...errors(401, 404, 503, 507) } },
    },
    '/audit': {
      get: {
        summary: 'Audit log entries, oldest first',
        parameters: [
          queryParam('since', 'Only entries at or after this ISO 8601 instant', { type: 'string', format: 'date-time' }),
          queryParam('barcode', 'Only entries about this cartridge'),
          queryParam('limit', 'At most this many (the newest)', { type: 'integer', minimum: 1 }),
        ],
        responses: { '200': json(arrayOf(ref('AuditEntry')), 'Entries'), ...errors(400, 401) },
      },
    },
    '/audit/verify': {
      get: {
        summary: 'Check the hash chain: intact, a torn last line (a crash mid-append), or the first entry that does not verify',
        responses: { '200': json(ref('AuditVerdict'), 'The verdict'), ...errors(400, 401) },
      },
    },
  };
}

