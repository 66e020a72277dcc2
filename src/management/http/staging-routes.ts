// The staging part of the management API (issue 15): physical libraries and copy jobs. Added to the routes only
// when physical libraries are configured.
import { z } from 'zod';
import type { StagingService } from '../../physical/staging-service.js';
import { barcodeParams, emptyBody } from '../schemas/schema-kit.js';
import { CopyJobSchema, PhysicalLibraryDetailSchema, PhysicalLibrarySchema } from '../schemas/staging-schemas.js';
import { CHANGE_ERRORS, route, type Route } from './router.js';

const libraryParams = z.strictObject({ name: z.string().describe('Physical library name') });
const jobParams = z.strictObject({ id: z.string().describe('Copy job id') });

export function stagingRoutes(staging: StagingService): Route[] {
  return [
    route({ method: 'GET', path: '/physical-libraries', summary: 'Physical libraries and their connection', role: 'viewer', responses: { 200: z.array(PhysicalLibrarySchema) }, handle: () => ({ body: staging.physicalLibraries() }) }),
    route({
      method: 'GET',
      path: '/physical-libraries/{name}',
      summary: "A physical library with its inventory, read from the changer now",
      role: 'viewer',
      params: libraryParams,
      responses: { 200: PhysicalLibraryDetailSchema },
      errors: [404, 409],
      handle: async ({ params }) => ({ body: await staging.physicalLibrary(params.name) }),
    }),
    route({ method: 'GET', path: '/copy-jobs', summary: 'Copy jobs with their progress', role: 'viewer', responses: { 200: z.array(CopyJobSchema) }, handle: () => ({ body: staging.copyJobs() }) }),
    route({ method: 'GET', path: '/copy-jobs/{id}', summary: 'One copy job', role: 'viewer', params: jobParams, responses: { 200: CopyJobSchema }, errors: [404], handle: ({ params }) => ({ body: staging.copyJob(params.id) }) }),
    route({
      method: 'POST',
      path: '/copy-jobs/{id}/cancel',
      summary: 'Cancel a copy job',
      role: 'operator',
      audit: 'copy.cancel',
      params: jobParams,
      body: emptyBody,
      responses: { 200: CopyJobSchema },
      errors: CHANGE_ERRORS,
      handle: async ({ params }) => ({ body: await staging.cancelCopy(params.id) }),
    }),
    route({
      method: 'POST',
      path: '/cartridges/{barcode}/copy',
      summary: 'Copy a virtual cartridge to physical tape now, wherever it is (an export does it by itself)',
      role: 'operator',
      audit: 'copy.start',
      params: barcodeParams,
      body: emptyBody,
      responses: { 202: CopyJobSchema },
      errors: CHANGE_ERRORS,
      handle: async ({ params }) => ({ status: 202 as const, body: await staging.startCopy(params.barcode) }),
    }),
  ];
}
