// Small builders for OpenAPI 3.1 schema objects, shared by openapi.ts and openapi-security.ts.
export type Json = Record<string, unknown>;

export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
export const arrayOf = (schema: Json): Json => ({ type: 'array', items: schema });
export const nullable = (type: string): Json => ({ type: [type, 'null'] });
export const str = { type: 'string' };
export const int = { type: 'integer' };
export const bool = { type: 'boolean' };
export const object = (properties: Record<string, Json>, required: string[] = Object.keys(properties)): Json => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

export const pathParam = (name: string, description: string, schema: Json = str): Json => ({ name, in: 'path', required: true, description, schema });
export const queryParam = (name: string, description: string, schema: Json = str): Json => ({ name, in: 'query', required: false, description, schema });

export const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });
export const errors = (...statuses: number[]): Record<string, Json> =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
export const body = (schema: Json, required = false): Json => ({ required, content: { 'application/json': { schema } } });
