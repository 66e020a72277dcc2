// The `catalog:` section of the config: where the library catalog lives. SQLite in the data directory is the
// embedded default; PostgreSQL lets several vtl nodes share one catalog (src/library/CATALOG.md).
import { z } from 'zod';

export const catalogConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sqlite'),
    /** Default `<server.dataDir>/catalog.sqlite`. */
    path: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('postgres'),
    /** A libpq-style URL, e.g. postgres://vtl@db.example:5432/vtl (a password may come from PGPASSWORD). */
    url: z.string().min(1),
    /** The longest one catalog statement may hold up the process before it fails as "catalog unavailable". */
    timeoutMs: z.number().int().min(100).max(60000).default(5000),
  }),
]);

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
