// The API's security routes: tokens (admin) and the audit log (viewer: it holds no secrets, and a monitoring job
// should verify it with the weakest token there is).
import { z } from 'zod';
import type { AuditTrail } from '../../library/audit-trail.js';
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

export function securityRoutes(service: ManagementService, audit: AuditTrail): Route[] {
  return [
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
