// The one error body every API failure answers with (http-error.ts).
import { z } from 'zod';
import { component, int } from './schema-kit.js';

export const ErrorSchema = component(
  'Error',
  z.strictObject({
    error: z.strictObject({
      status: int.min(400).max(599),
      code: z.string().describe('Stable and machine-readable: invalid-request, not-found, forbidden, catalog-full...'),
      message: z.string().describe('What and why, naming the field for a 400'),
    }),
  }),
);

export type ErrorBody = z.infer<typeof ErrorSchema>;
