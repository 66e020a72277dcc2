// The deduplication part of the management API (issue 17): what the chunk store saves, per cartridge and in all,
// the background pass's progress, and a round on request. Added to the routes only when a library deduplicates.
import { z } from 'zod';
import type { DedupView } from '../dedup-status.js';
import { queryObject, validate, type Route } from './router.js';

const noQuery = z.strictObject({});

export function dedupRoutes(view: DedupView): Route[] {
  return [
    { method: 'GET', path: '/dedup', role: 'viewer', handle: async ({ query }) => (validate(noQuery, queryObject(query), 'query'), { body: await view.status() }) },
    // A round of the background pass now (as if the drives were idle; mounted cartridges wait), answered when it ends.
    { method: 'POST', path: '/dedup/pass', role: 'operator', audit: 'dedup.pass', handle: async ({ query }) => (validate(noQuery, queryObject(query), 'query'), { body: await view.runPass() }) },
  ];
}
