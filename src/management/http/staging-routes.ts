// The staging part of the management API (issue 15): physical libraries and copy jobs. Added to the routes only
// when physical libraries are configured.
import { z } from 'zod';
import type { StagingService } from '../../physical/staging-service.js';
import { queryObject, validate, type Route } from './router.js';

const noQuery = z.strictObject({});
const emptyBody = z.strictObject({});
const copyBody = z.strictObject({ release: z.boolean().optional() });
const importBody = z.strictObject({ barcode: z.string().min(1).max(16), library: z.string().min(1).optional() });

export function stagingRoutes(staging: StagingService): Route[] {
  return [
    { method: 'GET', path: '/physical-libraries', role: 'viewer', handle: ({ query }) => (validate(noQuery, queryObject(query), 'query'), { body: staging.physicalLibraries() }) },
    { method: 'GET', path: '/physical-libraries/{name}', role: 'viewer', handle: async ({ params }) => ({ body: await staging.physicalLibrary(params['name'] ?? '') }) },
    { method: 'GET', path: '/copy-jobs', role: 'viewer', handle: ({ query }) => (validate(noQuery, queryObject(query), 'query'), { body: staging.copyJobs() }) },
    { method: 'GET', path: '/copy-jobs/{id}', role: 'viewer', handle: ({ params }) => ({ body: staging.copyJob(params['id'] ?? '') }) },
    {
      method: 'POST',
      path: '/copy-jobs/{id}/cancel',
      role: 'operator',
      audit: 'copy.cancel',
      handle: async ({ params, body }) => (validate(emptyBody, body, 'body'), { body: await staging.cancelCopy(params['id'] ?? '') }),
    },
    {
      method: 'POST',
      path: '/physical-libraries/{name}/import',
      role: 'operator',
      audit: 'copy.import',
      handle: async ({ params, body }) => {
        const { barcode, library } = validate(importBody, body, 'body');
        return { status: 202, body: await staging.importCartridge(params['name'] ?? '', barcode, library) };
      },
    },
    {
      method: 'POST',
      path: '/cartridges/{barcode}/copy',
      role: 'operator',
      audit: 'copy.start',
      handle: async ({ params, body }) => ({ status: 202, body: await staging.startCopy(params['barcode'] ?? '', validate(copyBody, body, 'body').release) }),
    },
  ];
}
