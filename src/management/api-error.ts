// What the CLI's client (cli/api-client.ts) and the console's (web/client/api.ts) share: the server's error answer
// as an exception, and a query's shape. No node: or zod import, so the console bundle can carry it.

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached (or, for the CLI, could not be trusted). */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;
