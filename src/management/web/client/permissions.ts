// What the signed-in token may do, decided by the server's own route table: the OpenAPI document carries each
// operation's role (`x-vtl-role`, copied from the routes), so the console shows a control only when the API would
// accept the call, and cannot disagree with it. An operation the document does not name is not shown (fail closed).
import { roleAllows, type Role } from '../../../library/role.js';
import type { Api } from './api.js';

export type Operation = `${'POST' | 'DELETE'} /${string}`;

interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, { readonly 'x-vtl-role'?: Role }>>>>;
}

export class Permissions {
  private constructor(
    readonly role: Role,
    private readonly needed: ReadonlyMap<string, Role>,
  ) {}

  static async load(api: Api, role: Role): Promise<Permissions> {
    const document = await api.get<OpenApiDocument>('/openapi.json');
    const needed = new Map<string, Role>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const required = operation['x-vtl-role'];
        if (required !== undefined) needed.set(`${method.toUpperCase()} ${path}`, required);
      }
    }
    return new Permissions(role, needed);
  }

  /** `may('POST /cartridges/{barcode}/export')`, with the path as the API documents it. */
  may(operation: Operation): boolean {
    const required = this.needed.get(operation);
    return required !== undefined && roleAllows(this.role, required);
  }
}
