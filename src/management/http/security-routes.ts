// The API's security routes: tokens (admin), retention locks (admin to change, viewer to read) and the audit log
// (viewer: it holds no secrets, and a monitoring job should verify it with the weakest token there is).
import { z } from 'zod';
import type { AuditTrail } from '../../library/audit-trail.js';
import { RETENTION_MODES } from '../../library/retention.js';
import { ROLES } from '../../library/role.js';
import type { ManagementService } from '../service.js';
import { queryObject, validate, type Route } from './router.js';

const tokenBody = z.strictObject({
  name: z.string().min(1).max(64),
  role: z.enum(ROLES),
});
const auditQuery = z.strictObject({
  since: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or date-time')
    .optional(),
  barcode: z.string().min(1).max(32).optional(),
  limit: z
    .string()
    .regex(/^\d{1,6}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().min(1))
    .optional(),
});
const noQuery = z.strictObject({});
const retentionBody = z.strictObject({
  mode: z.enum(RETENTION_MODES),
  days: z.number().int().min(1, 'must be 1..36500 days').max(36500, 'must be 1..36500 days'),
  bypassGovernance: z.boolean().optional(),
});
const releaseQuery = z.strictObject({ bypassGovernance: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').optional() });

export function securityRoutes(service: ManagementService, audit: AuditTrail): Route[] {
  const barcodeOf = (params: Readonly<Record<string, string>>): string => params['barcode'] ?? '';
  return [
    { method: 'GET', path: '/cartridges/{barcode}/retention', role: 'viewer', handle: ({ params }) => ({ body: service.retention(barcodeOf(params)) }) },
    {
      method: 'POST',
      path: '/cartridges/{barcode}/retention',
      role: 'admin',
      audit: 'retention.set',
      handle: ({ params, body, principal }) => {
        const { mode, days, bypassGovernance } = validate(retentionBody, body, 'body');
        return { body: service.setRetention(barcodeOf(params), { mode, days, bypassGovernance: bypassGovernance ?? false }, principal) };
      },
    },
    {
      method: 'DELETE',
      path: '/cartridges/{barcode}/retention',
      role: 'admin',
      audit: 'retention.release',
      handle: ({ params, query, principal }) => {
        const { bypassGovernance } = validate(releaseQuery, queryObject(query), 'query');
        return { body: service.releaseRetention(barcodeOf(params), bypassGovernance ?? false, principal) };
      },
    },
    { method: 'GET', path: '/tokens', role: 'admin', handle: () => ({ body: service.tokens() }) },
    {
      method: 'POST',
      path: '/tokens',
      role: 'admin',
      audit: 'token.create',
      handle: ({ body, principal }) => {
        const { name, role } = validate(tokenBody, body, 'body');
        return { status: 201, body: service.createToken(name, role, principal) };
      },
    },
    {
      method: 'DELETE',
      path: '/tokens/{name}',
      role: 'admin',
      audit: 'token.revoke',
      handle: ({ params }) => (service.revokeToken(params['name'] ?? ''), { status: 204 }),
    },
    {
      method: 'GET',
      path: '/audit',
      role: 'viewer',
      handle: async ({ query }) => {
        const { since, barcode, limit } = validate(auditQuery, queryObject(query), 'query');
        return {
          body: await audit.list({
            ...(since !== undefined ? { since: new Date(since) } : {}),
            ...(barcode !== undefined ? { barcode } : {}),
            ...(limit !== undefined ? { limit } : {}),
          }),
        };
      },
    },
    {
      method: 'GET',
      path: '/audit/verify',
      role: 'viewer',
      handle: async ({ query }) => {
        validate(noQuery, queryObject(query), 'query');
        return { body: await audit.verify() };
      },
    },
  ];
}
