// `vtl tape list|create|import|export|shelve|unshelve|delete|protect`.
import { Option, type Command } from 'commander';
import type { CartridgeView, CreateCartridgesBody, ProtectBody, ShelveBody, UnshelveBody } from '../schemas/api-types.js';
import { LOCATION_KINDS } from '../schemas/location-kinds.js';
import { dedupColumns, describeLocation, formatBytes, parseBarcodeRange, parseSize } from './format.js';
import type { CliContext, CommandBuilders } from './register.js';
import { formatTable } from './table.js';

type Builders = Pick<CommandBuilders, 'leaf' | 'bind'>;

export function cartridgeTable(cartridges: readonly CartridgeView[]): string {
  // Logical, stored and ratio only when a cartridge is in a deduplicating library (issue 17).
  const dedup = cartridges.some((c) => c.dedup !== undefined) ? dedupColumns((c: CartridgeView) => c.dedup) : [];
  return formatTable(
    [
      { header: 'BARCODE', value: (c: CartridgeView) => c.barcode },
      { header: 'MEDIA', value: (c) => c.media },
      { header: 'CAPACITY', value: (c) => (c.cleaning ? '-' : formatBytes(c.capacityBytes)), align: 'right' },
      ...dedup,
      { header: 'LOCATION', value: (c) => describeLocation(c.location) },
      { header: 'FLAGS', value: (c) => [c.writeProtected ? 'write-protected' : '', c.mediaMissing ? 'media-missing' : '', c.loadError !== undefined ? `load failed: ${c.loadError}` : '', c.releasedTo !== undefined ? `released to ${c.releasedTo}` : ''].filter((f) => f !== '').join(', ') || '-' },
    ],
    cartridges,
  );
}

const path = (barcode: string | undefined, action = ''): string => `/cartridges/${encodeURIComponent(barcode ?? '')}${action}`;
const whereIs = (c: CartridgeView): string => `${c.barcode}: ${describeLocation(c.location)}${c.writeProtected ? ' (write-protected)' : ''}\n`;

export function registerTapeCommands(tape: Command, { leaf, bind }: Builders): void {
  bind(
    leaf(tape, 'list', 'list cartridges (sorted by barcode)')
      .option('--library <name>', 'in (or last in) this library')
      .addOption(new Option('--location <kind>', 'where they are').choices(LOCATION_KINDS))
      .option('--barcode <pattern>', 'barcode prefix, or a glob with * and ?')
      .option('--generation <n>', 'LTO generation, 5..10')
      .option('--worm', 'only WORM cartridges')
      .option('--no-worm', 'only rewritable cartridges'),
    async ({ client, print, usage }, _args, options) => {
      const generation = options['generation'] as string | undefined;
      if (generation !== undefined && !/^(5|6|7|8|9|10)$/.test(generation)) usage(`--generation "${generation}" is not an LTO generation 5..10`);
      const cartridges = await client.get<CartridgeView[]>('/cartridges', {
        library: options['library'] as string | undefined,
        location: options['location'] as string | undefined,
        barcode: options['barcode'] as string | undefined,
        generation,
        worm: options['worm'] as boolean | undefined,
      });
      print(cartridges, () => (cartridges.length === 0 ? 'No cartridges.\n' : cartridgeTable(cartridges)));
    },
  );

  bind(
    leaf(tape, 'create [barcode]', 'create one cartridge, or a range with --range, in free slots')
      .option('--range <first-last>', 'a range of barcodes, e.g. A00000L8-A00009L8')
      .requiredOption('--library <name>', 'the library to put them in')
      .option('--generation <n>', 'LTO generation 5..10 (default: from the barcode suffix)')
      .option('--capacity <size>', 'capacity instead of the native one: 10G = 10^10 bytes, 512Mi = 512 * 2^20')
      .option('--worm', 'WORM cartridges (the suffix must say so too, e.g. LY)')
      .option('--mail-slot', 'create them in free mail slots instead of storage slots'),
    async (context, [barcode], options) => {
      const body = createBody(context, barcode, options);
      const created = await context.client.post<CartridgeView[], CreateCartridgesBody>('/cartridges', body);
      context.print(created, () => `Created ${created.length} cartridge${created.length === 1 ? '' : 's'}:\n${cartridgeTable(created)}`);
    },
  );

  const simple: readonly [string, string, string][] = [
    ['import', '/import', 'move a cartridge from a mail slot into a free storage slot'],
    ['export', '/export', 'move a cartridge from its slot or drive to a free mail slot'],
  ];
  for (const [name, action, description] of simple) {
    bind(leaf(tape, `${name} <barcode>`, description), async ({ client, print }, [barcode]) => {
      const cartridge = await client.post<CartridgeView>(path(barcode, action));
      print(cartridge, () => whereIs(cartridge));
    });
  }

  bind(
    leaf(tape, 'shelve <barcode>', 'take a cartridge out of its mail slot to the offline shelf').option('--direct', 'from a storage slot too, without exporting first'),
    async ({ client, print }, [barcode], options) => {
      const cartridge = await client.post<CartridgeView, ShelveBody>(path(barcode, '/shelve'), options['direct'] === true ? { direct: true } : {});
      print(cartridge, () => whereIs(cartridge));
    },
  );

  bind(
    leaf(tape, 'unshelve <barcode>', 'bring a cartridge back from the shelf into a free mail slot').option('--library <name>', 'into this library (default: the one it left)'),
    async ({ client, print }, [barcode], options) => {
      const library = options['library'] as string | undefined;
      const cartridge = await client.post<CartridgeView, UnshelveBody>(path(barcode, '/unshelve'), library === undefined ? {} : { library });
      print(cartridge, () => whereIs(cartridge));
    },
  );

  bind(leaf(tape, 'delete <barcode>', 'delete a cartridge and its data (not WORM, not loaded)'), async ({ client, print }, [barcode]) => {
    await client.delete(path(barcode));
    print({ barcode, deleted: true }, () => `${barcode ?? ''}: deleted\n`);
  });

  bind(leaf(tape, 'protect <barcode> <state>', 'write protection on or off (takes effect at the next load)'), async ({ client, print, usage }, [barcode, state]) => {
    if (state !== 'on' && state !== 'off') usage(`write protection must be "on" or "off", not "${state ?? ''}"`);
    const cartridge = await client.post<CartridgeView, ProtectBody>(path(barcode, '/protect'), { on: state === 'on' });
    print(cartridge, () => `${cartridge.barcode}: write protection ${cartridge.writeProtected ? 'on' : 'off'}\n`);
  });
}

function createBody(context: CliContext, barcode: string | undefined, options: Record<string, unknown>): CreateCartridgesBody {
  const range = options['range'] as string | undefined;
  if ((barcode === undefined) === (range === undefined)) context.usage('give either a BARCODE or --range FIRST-LAST');
  let body: CreateCartridgesBody = { library: options['library'] as string, barcode: barcode ?? '' };
  if (range !== undefined) {
    const parsed = parseBarcodeRange(range);
    if (typeof parsed === 'string') context.usage(`--range ${parsed}`);
    else body = { ...body, barcode: parsed.first, count: parsed.count };
  }
  const generation = options['generation'] as string | undefined;
  if (generation !== undefined) {
    if (!/^(5|6|7|8|9|10)$/.test(generation)) context.usage(`--generation "${generation}" is not an LTO generation 5..10`);
    body = { ...body, generation: Number(generation) };
  }
  const capacity = options['capacity'] as string | undefined;
  if (capacity !== undefined) {
    const bytes = parseSize(capacity);
    if (bytes === undefined) context.usage(`--capacity "${capacity}" is not a size (e.g. 10G, 512Mi, 1500000000)`);
    body = { ...body, capacityBytes: bytes };
  }
  if (options['worm'] === true) body = { ...body, worm: true };
  if (options['mailSlot'] === true) body = { ...body, mailSlot: true };
  return body;
}
