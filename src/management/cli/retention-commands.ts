// `vtl tape retain|retention|release`: a cartridge's retention lock.
import { Option, type Command } from 'commander';
import { RETENTION_MODES } from '../../library/retention.js';
import type { RetentionView, SetRetentionBody } from '../schemas/api-types.js';
import type { CommandBuilders } from './register.js';

type Builders = Pick<CommandBuilders, 'leaf' | 'bind'>;

const path = (barcode: string | undefined): string => `/cartridges/${encodeURIComponent(barcode ?? '')}/retention`;

export function describeRetention(view: RetentionView): string {
  if (view.mode === null) return `${view.barcode}: no retention lock\n`;
  if (!view.locked) return `${view.barcode}: not locked (its ${view.mode} lock ended ${view.until ?? '?'})\n`;
  return `${view.barcode}: ${view.mode} retention lock until ${view.until ?? '?'} (since ${view.startedAt ?? '?'}, set by ${view.setBy ?? '?'})\n`;
}

export function registerRetentionCommands(tape: Command, { leaf, bind }: Builders): void {
  bind(leaf(tape, 'retention <barcode>', "show a cartridge's retention lock"), async ({ client, print }, [barcode]) => {
    const view = await client.get<RetentionView>(path(barcode));
    print(view, () => describeRetention(view));
  });

  bind(
    leaf(tape, 'retain <barcode>', 'lock a cartridge against deletion and overwriting for --days from now (admin)')
      .addOption(new Option('--mode <mode>', 'governance: an admin can shorten it with --bypass-governance; compliance: nobody can').choices(RETENTION_MODES).makeOptionMandatory())
      .requiredOption('--days <n>', 'days from now, 1..36500')
      .option('--bypass-governance', 'allow shortening a governance lock (recorded in the audit log)'),
    async ({ client, print, usage }, [barcode], options) => {
      const days = options['days'] as string;
      if (!/^\d{1,5}$/.test(days) || Number(days) < 1 || Number(days) > 36500) usage(`--days "${days}" is not a number of days 1..36500`);
      const view = await client.post<RetentionView, SetRetentionBody>(path(barcode), {
        mode: options['mode'] as SetRetentionBody['mode'],
        days: Number(days),
        ...(options['bypassGovernance'] === true ? { bypassGovernance: true } : {}),
      });
      print(view, () => describeRetention(view));
    },
  );

  bind(
    leaf(tape, 'release <barcode>', 'end a governance lock now (admin, with --bypass-governance); compliance locks cannot be released')
      .option('--bypass-governance', 'required: says you mean to end a governance lock early (recorded in the audit log)'),
    async ({ client, print }, [barcode], options) => {
      const query = options['bypassGovernance'] === true ? '?bypassGovernance=true' : '';
      const view = await client.delete<RetentionView>(`${path(barcode)}${query}`);
      print(view, () => describeRetention(view));
    },
  );
}
