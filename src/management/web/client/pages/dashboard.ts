// The dashboard: the server, each library's slots and drives, storage used and the compression achieved, and every
// drive with its state, cartridge and throughput, polled every two seconds.
import { describeElement, formatBytes, formatDuration } from '../../../cli/format.js';
import type { CartridgeView, DriveView, LibraryView, ServerStatus } from '../../../schemas/api-types.js';
import { parseMetricsText } from '../../metrics-text.js';
import { ApiError } from '../api.js';
import { h, row, table } from '../dom.js';
import { every, pageHeader, type Page, type PageContext } from '../page.js';
import { driveState, ThroughputMeter } from './drive-state.js';

const POLL_MS = 2000;
const DASHBOARD_SERIES = new Set(['vtl_data_dir_bytes', 'vtl_library_stored_ratio']);

interface Storage {
  readonly disk: { used?: number; free?: number; size?: number };
  readonly ratio: ReadonlyMap<string, number>;
}

export const dashboardPage: Page = {
  id: 'dashboard',
  title: 'Dashboard',
  async render(context, root) {
    const meter = new ThroughputMeter();
    const server = h('section', { class: 'cards', 'aria-label': 'Server' });
    const drives = h('section', { 'aria-label': 'Drives' });
    root.replaceChildren(pageHeader('Dashboard'), server, h('h2', {}, 'Drives'), drives);
    const cartridges = await context.api.get<CartridgeView[]>('/cartridges');
    const refresh = async (): Promise<void> => {
      const [status, libraries, driveList, storage] = await Promise.all([
        context.api.get<ServerStatus>('/status', {}, context.signal),
        context.api.get<LibraryView[]>('/libraries', {}, context.signal),
        context.api.get<DriveView[]>('/drives', {}, context.signal),
        readStorage(context),
      ]);
      server.replaceChildren(serverCard(status), storageCard(storage, cartridges), ...libraries.map((l) => libraryCard(l, driveList, storage)));
      const now = Date.now();
      drives.replaceChildren(driveTable(driveList, meter, now));
    };
    await refresh();
    every(context, POLL_MS, refresh);
  },
};

function card(title: string, ...facts: (readonly [string, string])[]): HTMLElement {
  return h('article', { class: 'card' }, h('h2', {}, title), h('dl', {}, facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])));
}

function serverCard(status: ServerStatus): HTMLElement {
  const catalog = status.catalog.writable ? 'writable' : `NOT writable (${status.catalog.problem ?? 'unknown'} since ${status.catalog.since ?? '?'})`;
  return card(
    'Server',
    ['Version', status.version],
    ['Uptime', formatDuration(status.uptimeSeconds)],
    ['iSCSI sessions', String(status.sessions.filter((s) => !s.discovery).length)],
    ['Catalog', catalog],
  );
}

function storageCard(storage: Storage, cartridges: readonly CartridgeView[]): HTMLElement {
  const { used, size, free } = storage.disk;
  // As df counts it: blocks reserved for root are neither used by vtl nor free for it.
  const usedText = used === undefined || free === undefined || size === undefined ? 'n/a (metrics off)' : `${formatBytes(used)} of ${formatBytes(size)} (${((used / (used + free)) * 100).toFixed(0)} %)`;
  const nominal = cartridges.reduce((sum, c) => sum + c.capacityBytes, 0);
  return card(
    'Storage',
    ['Data dir used', usedText],
    ['Free for vtl', free === undefined ? 'n/a' : formatBytes(free)],
    ['Cartridges', `${cartridges.length} (${formatBytes(nominal)} native capacity)`],
    ['In the vault', String(cartridges.filter((c) => c.location.kind === 'shelf').length)],
  );
}

function libraryCard(library: LibraryView, drives: readonly DriveView[], storage: Storage): HTMLElement {
  const own = drives.filter((d) => d.library === library.name);
  const ratio = storage.ratio.get(library.name);
  return card(
    `Library ${library.name}`,
    ['Slots used', `${library.slots - library.freeSlots} of ${library.slots}`],
    ['Mail slots used', `${library.mailSlots - library.freeMailSlots} of ${library.mailSlots}${library.removalPrevented ? ' (locked by a host)' : ''}`],
    ['Drives mounted', `${own.filter((d) => d.mounted).length} of ${library.drives}`],
    ['Compression', ratio === undefined ? 'nothing written yet' : `${ratio.toFixed(2)} : 1`],
  );
}

function driveTable(drives: readonly DriveView[], meter: ThroughputMeter, now: number): HTMLTableElement {
  const rate = (bytesPerSecond: number | null): string => (bytesPerSecond === null ? '—' : `${formatBytes(Math.round(bytesPerSecond))}/s`);
  return table(
    ['Drive', 'Model', 'State', 'Cartridge', 'Position', 'Written', 'Read', 'Write rate', 'Read rate'],
    drives.map((d) => {
      const t = meter.update(d, now);
      const position = d.position === null ? '—' : `file ${d.position.fileNumber ?? '?'}, block ${d.position.blockNumber}`;
      return row(
        [
          `${d.library} ${describeElement('drive', d.index, d.address)}`,
          `${d.vendor} ${d.product} (${d.serial})`,
          h('span', { class: `state state-${driveState(d).split(',')[0] ?? ''}` }, driveState(d)),
          d.barcode ?? '—',
          position,
          d.bytesWritten === null ? '—' : formatBytes(d.bytesWritten),
          d.bytesRead === null ? '—' : formatBytes(d.bytesRead),
          rate(t.writeBytesPerSecond),
          rate(t.readBytesPerSecond),
        ],
        { 'data-drive': `${d.library}/${d.index}` },
      );
    }),
    'No drives',
  );
}

/** Disk and compression come from /metrics; a server without metrics answers 404 and the cards say n/a. */
async function readStorage(context: PageContext): Promise<Storage> {
  const response = await context.api.fetch('/metrics', { signal: context.signal });
  if (response.status === 404) return { disk: {}, ratio: new Map() };
  if (!response.ok) throw new ApiError(response.status, 'metrics', `GET /metrics answered ${response.status}`);
  const samples = parseMetricsText(await response.text(), DASHBOARD_SERIES);
  const disk: Storage['disk'] = {};
  const ratio = new Map<string, number>();
  for (const s of samples) {
    if (s.name === 'vtl_data_dir_bytes' && (s.labels['kind'] === 'used' || s.labels['kind'] === 'free' || s.labels['kind'] === 'size')) disk[s.labels['kind']] = s.value;
    if (s.name === 'vtl_library_stored_ratio' && s.labels['library'] !== undefined) ratio.set(s.labels['library'], s.value);
  }
  return { disk, ratio };
}
