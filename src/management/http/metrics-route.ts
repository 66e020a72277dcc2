// GET /metrics, beside /api/v1 because Prometheus scrapes that path by convention. It is a route like the others
// (a role, the same token check), except that `api.metricsPublic` lets a scraper without a token read it.
import type { Principal } from '../../library/api-token-store.js';
import type { VtlMetrics } from '../metrics/vtl-metrics.js';
import { queryObject, STREAMING, validate, type Route } from './router.js';
import { z } from 'zod';

export const METRICS_PATH = '/metrics';

/** Who reads /metrics without a token when the configuration makes it public. */
export const PUBLIC_SCRAPER: Principal = { name: 'metrics-public', role: 'viewer' };

const noQuery = z.strictObject({});

export function metricsRoute(metrics: VtlMetrics): Route {
  return {
    method: 'GET',
    path: METRICS_PATH,
    role: 'viewer',
    handle: async ({ query, response }): Promise<typeof STREAMING> => {
      validate(noQuery, queryObject(query), 'query');
      const text = await metrics.render();
      response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
      response.end(text);
      return STREAMING;
    },
  };
}
