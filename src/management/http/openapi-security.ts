// The OpenAPI paths and schemas of the security routes (tokens, audit log), beside openapi.ts's. Functions, not
// constants: openapi.ts imports this file and this file its helpers, so nothing may run at load time.
import { arrayOf, body, errors, int, json, nullable, object, pathParam, queryParam, ref, str, type Json } from './openapi.js';

const ROLE = { enum: ['viewer', 'operator', 'admin'] };

export function securitySchemas(): Record<string, Json> {
  return {
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
  return {
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

