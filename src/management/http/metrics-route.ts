// GET /metrics, beside /api/v1 because Prometheus scrapes that path by convention. It is a route like the others
// (a role, the same token check), except that `api.metricsPublic` lets a scraper without a token read it.
import { z } from 'zod';
import type { Principal } from '../../library/api-token-store.js';
import type { VtlMetrics } from '../metrics/vtl-metrics.js';
import { route, STREAMING, type Route } from './router.js';

export const METRICS_PATH = '/metrics';

/** Who reads /metrics without a token when the configuration makes it public. */
export const PUBLIC_SCRAPER: Principal = { name: 'metrics-public', role: 'viewer' };

export function metricsRoute(metrics: VtlMetrics): Route {
  return route({
    method: 'GET',
    path: METRICS_PATH,
    summary: 'Prometheus metrics (text exposition format)',
    role: 'viewer',
    responses: { 200: z.string() },
    handle: async ({ response }): Promise<typeof STREAMING> => {
      const text = await metrics.render();
      response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
      response.end(text);
      return STREAMING;
    },
  });
}
