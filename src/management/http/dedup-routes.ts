// The deduplication part of the management API (issue 17): what the chunk store saves, per cartridge and in all,
// and the background pass's progress. Added to the routes only when a library deduplicates.
import { z } from 'zod';
import type { DedupView } from '../dedup-status.js';
import { queryObject, validate, type Route } from './router.js';

const noQuery = z.strictObject({});

export function dedupRoutes(view: DedupView): Route[] {
  return [
    { method: 'GET', path: '/dedup', role: 'viewer', handle: async ({ query }) => (validate(noQuery, queryObject(query), 'query'), { body: await view.status() }) },
  ];
}
