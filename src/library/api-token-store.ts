// API tokens kept in the catalog: only the SHA-256 of each secret is stored, so a copy of the catalog gives no one a
// working token. Secrets are 32 random bytes, which is why a plain hash (not a slow password hash) is enough.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Catalog } from './catalog.js';
import { LibraryStateError } from './library-state-error.js';
import { isRole, type Role } from './role.js';

export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The name the audit log gives the token in the `api-token` file (the first admin); no stored token may take it. */
export const FILE_TOKEN_NAME = 'api-token';

export interface ApiTokenInfo {
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** Who made a request: a token's name and role. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

interface TokenRow {
  name: string;
  role: string;
  secret_sha256: string;
  created_at: string;
  created_by: string;
}

export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export class ApiTokenStore {
  constructor(
    private readonly catalog: Catalog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Create a token; the secret is returned here and never again. */
  create(name: string, role: Role, createdBy: string): ApiTokenInfo & { readonly secret: string } {
    if (!TOKEN_NAME_PATTERN.test(name)) {
      throw new LibraryStateError('invalid-argument', `Cannot create token "${name}": a name is 1-64 letters, digits, dots, dashes or underscores`);
    }
    if (name === FILE_TOKEN_NAME) throw new LibraryStateError('invalid-argument', `Cannot create token "${name}": the name is the api-token file's`);
    const secret = randomBytes(32).toString('hex');
    const createdAt = this.now().toISOString();
    this.catalog.transaction(() => {
      if (this.row(name)) throw new LibraryStateError('already-exists', `Cannot create token "${name}": it already exists`);
      this.catalog.sql.run('INSERT INTO api_tokens (name, role, secret_sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?)',
        [name, role, secretDigest(secret).toString('hex'), createdAt, createdBy]);
    });
    return { name, role, createdAt, createdBy, secret };
  }

  list(): ApiTokenInfo[] {
    return this.rows().map(infoOf);
  }

  revoke(name: string): ApiTokenInfo {
    const row = this.row(name);
    if (!row) throw new LibraryStateError('not-found', `No API token named "${name}"`);
    this.catalog.transaction(() => this.catalog.sql.run('DELETE FROM api_tokens WHERE name = ?', [name]));
    return infoOf(row);
  }

  /** The token whose secret this is, compared in constant time against every stored hash. */
  authenticate(secret: string): Principal | undefined {
    const presented = secretDigest(secret);
    let found: Principal | undefined;
    // No early exit and no lookup by hash: the time taken says nothing about which hash came close.
    for (const row of this.rows()) {
      const stored = Buffer.from(row.secret_sha256, 'hex');
      if (stored.length === presented.length && timingSafeEqual(stored, presented) && isRole(row.role)) found = { name: row.name, role: row.role };
    }
    return found;
  }

  private rows(): TokenRow[] {
    return this.catalog.sql.all<TokenRow>('SELECT * FROM api_tokens ORDER BY name');
  }

  private row(name: string): TokenRow | undefined {
    return this.catalog.sql.get<TokenRow>('SELECT * FROM api_tokens WHERE name = ?', [name]);
  }
}

function infoOf(row: TokenRow): ApiTokenInfo {
  return { name: row.name, role: isRole(row.role) ? row.role : 'viewer', createdAt: row.created_at, createdBy: row.created_by };
}
