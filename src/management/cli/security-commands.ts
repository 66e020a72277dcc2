// `vtl token create|list|revoke` and `vtl audit list|verify`.
import { Option } from 'commander';
import type { AuditEntryView, AuditVerdictView, CreateTokenBody, NewTokenView, TokenView } from '../schemas/api-types.js';
import { ROLES } from '../../library/role.js';
import type { CommandBuilders } from './register.js';
import { formatTable } from './table.js';

/** `vtl audit verify` ends with this when the log does not verify, so scripts and monitoring can tell. */
export class AuditVerifyFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditVerifyFailed';
  }
}

export function registerSecurityCommands({ group, leaf, bind }: CommandBuilders): void {
  const token = group('token', 'API tokens and their roles (needs an admin token)');
  bind(
    leaf(token, 'create', 'create a token; its secret is printed once and kept nowhere')
      .requiredOption('--name <name>', 'who or what uses it, e.g. backup01')
      .addOption(new Option('--role <role>', 'viewer: read only; operator: import, export, move, create, load, unload; admin: everything').choices(ROLES).makeOptionMandatory()),
    async ({ client, print }, _args, options) => {
      const created = await client.post<NewTokenView, CreateTokenBody>('/tokens', { name: options['name'] as string, role: options['role'] as CreateTokenBody['role'] });
      print(created, () => `Token "${created.name}" (${created.role}) created. Its secret, shown only this once:\n${created.secret}\n`);
    },
  );
  bind(leaf(token, 'list', 'list tokens (names and roles, never secrets)'), async ({ client, print }) => {
    const tokens = await client.get<TokenView[]>('/tokens');
    print(tokens, () =>
      tokens.length === 0
        ? 'No tokens besides the api-token file.\n'
        : formatTable(
            [
              { header: 'NAME', value: (t: TokenView) => t.name },
              { header: 'ROLE', value: (t) => t.role },
              { header: 'CREATED', value: (t) => t.createdAt },
              { header: 'BY', value: (t) => t.createdBy },
            ],
            tokens,
          ),
    );
  });
  bind(leaf(token, 'revoke <name>', 'revoke a token: it stops working at once'), async ({ client, print }, [name]) => {
    await client.delete(`/tokens/${encodeURIComponent(name ?? '')}`);
    print({ name, revoked: true }, () => `Token "${name ?? ''}" revoked.\n`);
  });

  const audit = group('audit', 'the tamper-evident audit log');
  bind(
    leaf(audit, 'list', 'audit entries, oldest first')
      .option('--since <when>', 'only entries at or after this ISO 8601 date or date-time')
      .option('--barcode <barcode>', 'only entries about this cartridge')
      .option('--limit <n>', 'at most this many, the newest'),
    async ({ client, print, usage }, _args, options) => {
      const since = options['since'] as string | undefined;
      if (since !== undefined && Number.isNaN(Date.parse(since))) usage(`--since "${since}" is not an ISO 8601 date or date-time`);
      const limit = options['limit'] as string | undefined;
      if (limit !== undefined && !/^[1-9]\d{0,5}$/.test(limit)) usage(`--limit "${limit}" is not a positive integer`);
      const entries = await client.get<AuditEntryView[]>('/audit', { since, barcode: options['barcode'] as string | undefined, limit });
      print(entries, () =>
        entries.length === 0
          ? 'No audit entries.\n'
          : formatTable(
              [
                { header: 'SEQ', value: (e: AuditEntryView) => e.seq, align: 'right' },
                { header: 'AT', value: (e) => e.at },
                { header: 'KIND', value: (e) => e.kind },
                { header: 'OUTCOME', value: (e) => e.outcome },
                { header: 'BY', value: (e) => e.actor ?? [e.initiator, e.isid, e.lun].filter((p) => p !== null).join(' ') },
                { header: 'BARCODE', value: (e) => e.barcode ?? '-' },
              ],
              entries,
            ),
      );
    },
  );
  bind(leaf(audit, 'verify', 'check the hash chain; exit code 1 names the first entry that does not verify'), async ({ client, print }) => {
    const verdict = await client.get<AuditVerdictView>('/audit/verify');
    print(verdict, () => describeVerdict(verdict));
    if (verdict.status === 'tampered') throw new AuditVerifyFailed(`the audit log does not verify at entry ${verdict.line}: ${verdict.reason}`);
  });
}

export function describeVerdict(verdict: AuditVerdictView): string {
  switch (verdict.status) {
    case 'intact':
      return `Audit log intact: ${verdict.entries} entries, last hash ${verdict.lastHash}\n`;
    case 'torn-tail':
      return `Audit log intact up to entry ${verdict.entries} (last hash ${verdict.lastHash}); after it, ${verdict.tornBytes} bytes of an entry a crash left half written (not tampering; cut off at the next append)\n`;
    case 'tampered':
      return `Audit log TAMPERED: entry ${verdict.line} of ${verdict.entries} is the first that does not verify: ${verdict.reason}\n`;
  }
}
