// Small zod building blocks the API's schemas share. A schema named with `component()` becomes a named schema of the
// OpenAPI document (components/schemas) and is referenced by `$ref` wherever it appears.
import { z } from 'zod';

/** A named schema of the document: its id and a description, kept in zod's global registry (where toJSONSchema looks). */
export function component<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  return schema.meta({ id, ...(description !== undefined ? { description } : {}) });
}

/** An ISO 8601 instant as the server writes them (`Date.toISOString()`). */
export const instant = z.iso.datetime();
export const int = z.number().int();
export const count = z.number().int().min(0);
/** `true`, `false`, `1` or `0` in a query string. */
export const booleanText = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/** A non-negative decimal integer in a query string or path, at most `max`. */
export const countText = (max: number, what = 'must be a non-negative integer') =>
  z
    .string()
    .regex(/^\d{1,9}$/, what)
    .transform(Number)
    .pipe(z.number().max(max));
/** No query parameters (the default of a route that declares none): an unknown one is a 400 naming it. */
export const noQuery = z.strictObject({});
/** A POST that takes no fields: `{}` or no body. */
export const emptyBody = z.strictObject({});
/** The path parameter of every cartridge route. */
export const barcodeParams = z.strictObject({ barcode: z.string().describe('Cartridge barcode, e.g. A00001L8') });
