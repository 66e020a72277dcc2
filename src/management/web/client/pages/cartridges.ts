// Cartridges: search and filter, create one or a range, and per cartridge the moves and settings its location allows
// and the token's role permits (import, export, vault and back, protection, retention, deletion after a confirmation).
import { describeLocation, formatBytes, parseBarcodeRange, parseSize } from '../../../cli/format.js';
import type { CartridgeView, CreateCartridgesBody, LibraryView, ProtectBody, RetentionView, SetRetentionBody, ShelveBody, UnshelveBody } from '../../../schemas/api-types.js';
import { LOCATION_KINDS } from '../../../schemas/location-kinds.js';
import { confirmDialog, formDialog } from '../dialog.js';
import { append, field, h, row, select, table } from '../dom.js';
import { actionButton, pageHeader, type Page, type PageContext } from '../page.js';

const FILTERS = ['barcode', 'library', 'location', 'generation', 'worm'] as const;
const GENERATIONS = ['5', '6', '7', '8', '9', '10'] as const;

export const cartridgesPage: Page = {
  id: 'cartridges',
  title: 'Cartridges',
  async render(context, root) {
    const filters = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const query = Object.fromEntries(FILTERS.map((f) => [f, filters.get(f) ?? undefined]));
    const [libraries, cartridges] = await Promise.all([context.api.get<LibraryView[]>('/libraries'), context.api.get<CartridgeView[]>('/cartridges', query)]);
    root.replaceChildren();
    append(root, [
      pageHeader('Cartridges', h('span', { class: 'count' }, `${cartridges.length} shown`)),
      filterForm(filters, libraries),
      context.permissions.may('POST /cartridges') ? createForm(context, libraries) : null,
      table(['Barcode', 'Media', 'Location', 'Capacity', 'State', 'Actions'], cartridges.map((c) => cartridgeRow(context, c)), 'No cartridge matches'),
    ]);
  },
};

function filterForm(filters: URLSearchParams, libraries: readonly LibraryView[]): HTMLFormElement {
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter cartridges' },
    field('Barcode', h('input', { name: 'barcode', placeholder: 'A000* or prefix', value: filters.get('barcode') ?? '' })),
    field('Library', select('library', [['', 'any'], ...libraries.map((l) => [l.name, l.name] as const)], filters.get('library') ?? '')),
    field('Location', select('location', [['', 'any'], ...LOCATION_KINDS.map((k) => [k, k === 'shelf' ? 'vault (shelf)' : k] as const)], filters.get('location') ?? '')),
    field('Generation', select('generation', [['', 'any'], ...GENERATIONS.map((g) => [g, `LTO-${g}`] as const)], filters.get('generation') ?? '')),
    field('WORM', select('worm', [['', 'any'], ['true', 'WORM'], ['false', 'rewritable']], filters.get('worm') ?? '')),
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams();
    for (const f of FILTERS) {
      const value = data.get(f);
      if (typeof value === 'string' && value.trim() !== '') next.set(f, value.trim());
    }
    location.hash = `#/cartridges${next.size > 0 ? `?${next.toString()}` : ''}`;
  });
  return form;
}

function createForm(context: PageContext, libraries: readonly LibraryView[]): HTMLElement {
  const barcodes = h('input', { name: 'barcodes', required: true, placeholder: 'A00100L8 or C00000L8-C00009L8', size: 28 });
  const form = h(
    'form',
    { class: 'create', 'aria-label': 'Create cartridges', 'data-mutating': true },
    h('strong', { class: 'form-title' }, 'New cartridges'),
    field('Library', select('library', libraries.map((l) => [l.name, l.name] as const))),
    field('Barcode or range', barcodes),
    field('Generation', select('generation', [['', 'from the barcode'], ...GENERATIONS.map((g) => [g, `LTO-${g}`] as const)])),
    field('Capacity', h('input', { name: 'capacity', placeholder: 'native, or e.g. 10G', size: 10 })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'worm' }), 'WORM'),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'mailSlot' }), 'into mail slots'),
    h('button', { type: 'submit' }, 'Create'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const text = textOf(data, 'barcodes').trim().toUpperCase();
    const range = text.includes('-') ? parseBarcodeRange(text) : { first: text, count: 1 };
    if (typeof range === 'string') return context.notify(range, 'error');
    const capacityText = textOf(data, 'capacity').trim();
    const capacityBytes = capacityText === '' ? undefined : parseSize(capacityText);
    if (capacityBytes === undefined && capacityText !== '') return context.notify(`"${capacityText}" is not a size (e.g. 10G, 512Mi)`, 'error');
    const generation = textOf(data, 'generation');
    const body: CreateCartridgesBody = {
      library: textOf(data, 'library'),
      barcode: range.first,
      ...(range.count > 1 ? { count: range.count } : {}),
      ...(generation !== '' ? { generation: Number(generation) } : {}),
      ...(capacityBytes !== undefined ? { capacityBytes } : {}),
      ...(data.get('worm') !== null ? { worm: true } : {}),
      ...(data.get('mailSlot') !== null ? { mailSlot: true } : {}),
    };
    context.api.post<CartridgeView[], CreateCartridgesBody>('/cartridges', body).then(
      (created) => {
        context.notify(`Created ${created.length} cartridge${created.length === 1 ? '' : 's'}: ${created.map((c) => c.barcode).join(', ')}`);
        context.reload();
      },
      (error: unknown) => context.notify(error instanceof Error ? error.message : String(error), 'error'),
    );
  });
  return form;
}

/** A text field's value ('' when absent). */
function textOf(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

function cartridgeRow(context: PageContext, c: CartridgeView): HTMLTableRowElement {
  const path = `/cartridges/${encodeURIComponent(c.barcode)}`;
  const may = context.permissions;
  const kind = c.location.kind;
  const move = (verb: 'import' | 'export' | 'shelve' | 'unshelve', label: string, body: ShelveBody | UnshelveBody, done: string): HTMLButtonElement | null =>
    may.may(`POST /cartridges/{barcode}/${verb}`)
      ? actionButton(context, label, async () => {
          const after = await context.api.post<CartridgeView, ShelveBody | UnshelveBody>(`${path}/${verb}`, body);
          return `${c.barcode} ${done} ${describeLocation(after.location)}`;
        }, { 'data-action': verb })
      : null;
  const actions = [
    kind === 'mailslot' ? move('import', 'Import', {}, 'imported to') : null,
    kind === 'slot' || kind === 'drive' ? move('export', 'Export', {}, 'exported to') : null,
    kind === 'mailslot' || kind === 'slot' ? move('shelve', 'To vault', kind === 'slot' ? { direct: true } : {}, 'moved to the') : null,
    kind === 'shelf' ? move('unshelve', 'Back from vault', {}, 'brought back to') : null,
    may.may('POST /cartridges/{barcode}/protect')
      ? actionButton(context, c.writeProtected ? 'Unprotect' : 'Protect', async () => {
          await context.api.post<CartridgeView, ProtectBody>(`${path}/protect`, { on: !c.writeProtected });
          return `${c.barcode} write protection ${c.writeProtected ? 'off' : 'on'} (from its next load)`;
        }, { 'data-action': 'protect' })
      : null,
    may.may('POST /cartridges/{barcode}/retention') ? retentionButton(context, c.barcode) : null,
    may.may('DELETE /cartridges/{barcode}') && kind !== 'drive'
      ? actionButton(context, 'Delete', async () => {
          const sure = await confirmDialog(`Delete ${c.barcode}?`, `The cartridge and all the data on it are deleted for good.`, 'Delete', c.barcode);
          if (!sure) return undefined;
          await context.api.delete(path);
          return `${c.barcode} deleted`;
        }, { 'data-action': 'delete', class: 'quiet-danger' })
      : null,
  ];
  const flags = [c.worm ? 'WORM' : null, c.writeProtected ? 'write-protected' : null, c.mediaMissing ? 'DATA MISSING' : null, c.cleaning ? 'cleaning' : null].filter((f) => f !== null);
  return row(
    [h('code', {}, c.barcode), c.media, describeLocation(c.location), formatBytes(c.capacityBytes), flags.join(', ') || '—', h('div', { class: 'actions' }, ...actions)],
    { 'data-barcode': c.barcode, 'data-location': kind },
  );
}

function retentionButton(context: PageContext, barcode: string): HTMLButtonElement {
  const path = `/cartridges/${encodeURIComponent(barcode)}/retention`;
  return actionButton(context, 'Retention', async () => {
    const now = await context.api.get<RetentionView>(path);
    const state = now.locked ? `Locked (${now.mode ?? '?'}) until ${now.until ?? '?'}, set by ${now.setBy ?? '?'}.` : now.mode === null ? 'Not locked.' : `Not locked (the last lock, ${now.mode}, ended ${now.until ?? '?'}).`;
    const data = await formDialog(`Retention of ${barcode}`, [
      h('p', {}, state),
      field('Action', select('action', [['set', 'Lock or extend'], ['release', 'Release a governance lock now']])),
      field('Mode', select('mode', [['governance', 'governance'], ['compliance', 'compliance (can never be shortened)']])),
      field('Days from now', h('input', { name: 'days', type: 'number', min: 1, max: 36500, value: 30 })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'bypass' }), 'bypass governance (shorten or release)'),
    ], 'Apply');
    if (data === undefined) return undefined;
    const bypassGovernance = data.get('bypass') !== null;
    if (data.get('action') === 'release') {
      await context.api.delete(path, { bypassGovernance });
      return `${barcode}: retention lock released`;
    }
    const after = await context.api.post<RetentionView, SetRetentionBody>(path, { mode: data.get('mode') === 'compliance' ? 'compliance' : 'governance', days: Number(data.get('days')), ...(bypassGovernance ? { bypassGovernance } : {}) });
    return `${barcode}: ${after.mode ?? ''} lock until ${after.until ?? '?'}`;
  }, { 'data-action': 'retention' });
}
