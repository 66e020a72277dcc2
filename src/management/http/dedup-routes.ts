// The deduplication part of the management API (issue 17): what the chunk store saves, per cartridge and in all,
// and the background pass's progress. Added to the routes only when a library deduplicates.
import type { DedupView } from '../dedup-status.js';
import { DedupStatusSchema } from '../schemas/dedup-schemas.js';
import { route, type Route } from './router.js';

export function dedupRoutes(view: DedupView): Route[] {
  return [
    route({
      method: 'GET',
      path: '/dedup',
      summary: 'What deduplication saves, in all and per cartridge, and the background pass\'s progress',
      role: 'viewer',
      responses: { 200: DedupStatusSchema },
      handle: async () => ({ body: await view.status() }),
    }),
  ];
}
