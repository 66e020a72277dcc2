// The API's security routes: tokens (admin), retention locks (admin to change, viewer to read) and the audit log
// (viewer: it holds no secrets, and a monitoring job should verify it with the weakest token there is).
import { z } from 'zod';
import type { AuditTrail } from '../../library/audit-trail.js';
import {
  AuditEntrySchema,
  AuditQuerySchema,
  AuditVerdictSchema,
  CreateTokenSchema,
  NewTokenSchema,
  ReleaseRetentionQuerySchema,
  RetentionSchema,
  SetRetentionSchema,
  TokenSchema,
} from '../schemas/security-schemas.js';
import { barcodeParams } from '../schemas/schema-kit.js';
import type { ManagementService } from '../service.js';
import { CHANGE_ERRORS, route, type Route } from './router.js';

const tokenParams = z.strictObject({ name: z.string().describe('Token name') });

export function securityRoutes(service: ManagementService, audit: AuditTrail): Route[] {
  return [
    route({
      method: 'GET',
      path: '/cartridges/{barcode}/retention',
      summary: "A cartridge's retention lock",
      role: 'viewer',
      params: barcodeParams,
      responses: { 200: RetentionSchema },
      errors: [404],
      handle: ({ params }) => ({ body: service.retention(params.barcode) }),
    }),
    route({
      method: 'POST',
      path: '/cartridges/{barcode}/retention',
      summary: 'Lock or extend for `days` from now; shortening a governance lock needs bypassGovernance, a compliance lock is never shortened (409)',
      role: 'admin',
      audit: 'retention.set',
      params: barcodeParams,
      body: SetRetentionSchema,
      responses: { 200: RetentionSchema },
      errors: CHANGE_ERRORS,
      handle: ({ params, body, principal }) => ({
        body: service.setRetention(params.barcode, { mode: body.mode, days: body.days, bypassGovernance: body.bypassGovernance ?? false }, principal),
      }),
    }),
    route({
      method: 'DELETE',
      path: '/cartridges/{barcode}/retention',
      summary: 'End a governance lock now (needs bypassGovernance=true); a compliance lock is refused (409)',
      role: 'admin',
      audit: 'retention.release',
      params: barcodeParams,
      query: ReleaseRetentionQuerySchema,
      responses: { 200: RetentionSchema },
      errors: CHANGE_ERRORS,
      handle: ({ params, query, principal }) => ({ body: service.releaseRetention(params.barcode, query.bypassGovernance ?? false, principal) }),
    }),
    route({ method: 'GET', path: '/tokens', summary: 'API tokens (names and roles; secrets are never kept)', role: 'admin', responses: { 200: z.array(TokenSchema) }, handle: () => ({ body: service.tokens() }) }),
    route({
      method: 'POST',
      path: '/tokens',
      summary: 'Create a token; the answer is the only place its secret ever appears',
      role: 'admin',
      audit: 'token.create',
      body: CreateTokenSchema,
      responses: { 201: NewTokenSchema },
      errors: [409, 507],
      handle: ({ body, principal }) => ({ status: 201 as const, body: service.createToken(body.name, body.role, principal) }),
    }),
    route({
      method: 'DELETE',
      path: '/tokens/{name}',
      summary: 'Revoke a token',
      role: 'admin',
      audit: 'token.revoke',
      params: tokenParams,
      responses: { 204: null },
      errors: [404, 507],
      handle: ({ params }) => (service.revokeToken(params.name), { status: 204 as const }),
    }),
    route({
      method: 'GET',
      path: '/audit',
      summary: 'Audit log entries, oldest first',
      role: 'viewer',
      query: AuditQuerySchema,
      responses: { 200: z.array(AuditEntrySchema) },
      handle: async ({ query: { since, barcode, limit } }) => ({
        body: await audit.list({
          ...(since !== undefined ? { since: new Date(since) } : {}),
          ...(barcode !== undefined ? { barcode } : {}),
          ...(limit !== undefined ? { limit } : {}),
        }),
      }),
    }),
    route({
      method: 'GET',
      path: '/audit/verify',
      summary: 'Check the hash chain: intact, a torn last line (a crash mid-append), or the first entry that does not verify',
      role: 'viewer',
      responses: { 200: AuditVerdictSchema },
      handle: async () => ({ body: await audit.verify() }),
    }),
  ];
}
