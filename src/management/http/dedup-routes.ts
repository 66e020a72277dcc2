// The deduplication part of the management API (issue 17): what the chunk stores save, per cartridge, store and in
// all, the background pass's progress, and a round on request. Added to the routes only when a library deduplicates.
import type { DedupView } from '../dedup-status.js';
import { DedupStatusSchema } from '../schemas/dedup-schemas.js';
import { emptyBody } from '../schemas/schema-kit.js';
import { CHANGE_ERRORS, route, type Route } from './router.js';

export function dedupRoutes(view: DedupView): Route[] {
  return [
    route({
      method: 'GET',
      path: '/dedup',
      summary: 'What deduplication saves, in all, per chunk store and per cartridge, and the background pass\'s progress',
      role: 'viewer',
      responses: { 200: DedupStatusSchema },
      handle: async () => ({ body: await view.status() }),
    }),
    route({
      method: 'POST',
      path: '/dedup/pass',
      summary: 'A round of the background pass now, as if the drives were idle (cartridges in drives wait); the status after it',
      role: 'operator',
      audit: 'dedup.pass',
      body: emptyBody,
      responses: { 200: DedupStatusSchema },
      errors: CHANGE_ERRORS,
      handle: async () => ({ body: await view.runPass() }),
    }),
  ];
}
