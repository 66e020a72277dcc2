// `vtl status`, `vtl library list|show`, `vtl drive list|unload`.
import type { Command } from 'commander';
import type { DriveView, ElementView, LibraryView, ServerStatus, UnloadAnswer, UnloadBody } from '../schemas/api-types.js';
import { dedupSummaryText } from './dedup-commands.js';
import { dedupColumns, describeElement, describeLocation, formatBytes, formatDuration } from './format.js';
import type { CommandBuilders } from './register.js';
import { formatFields, formatTable } from './table.js';

const hex = (n: number): string => `${n.toString(16).toUpperCase().padStart(4, '0')}h`;

export function registerInventoryCommands(program: Command, { group, leaf, bind }: CommandBuilders): void {
  bind(leaf(program, 'status', 'server version, uptime, libraries and iSCSI sessions'), async ({ client, print }) => {
    const status = await client.get<ServerStatus>('/status');
    print(status, () => formatStatus(status));
  });

  const library = group('library', 'libraries and their elements');
  bind(leaf(library, 'list', 'list the libraries'), async ({ client, print }) => {
    const libraries = await client.get<LibraryView[]>('/libraries');
    print(libraries, () =>
      formatTable(
        [
          { header: 'NAME', value: (l: LibraryView) => l.name },
          { header: 'IQN', value: (l) => l.iqn },
          { header: 'DRIVES', value: (l) => l.drives, align: 'right' },
          { header: 'SLOTS', value: (l) => `${l.slots - l.freeSlots}/${l.slots}`, align: 'right' },
          { header: 'MAIL SLOTS', value: (l) => `${l.mailSlots - l.freeMailSlots}/${l.mailSlots}`, align: 'right' },
          { header: 'CARTRIDGES', value: (l) => l.cartridges, align: 'right' },
        ],
        libraries,
      ),
    );
  });
  bind(leaf(library, 'show <name>', "a library's layout and every element's contents"), async ({ client, print }, [name]) => {
    const path = `/libraries/${encodeURIComponent(name ?? '')}`;
    const [info, elements] = await Promise.all([client.get<LibraryView>(path), client.get<ElementView[]>(`${path}/elements`)]);
    print({ ...info, elements }, () => formatLibrary(info, elements));
  });

  const drive = group('drive', 'tape drives');
  bind(leaf(drive, 'list', 'drives: cartridge, state, position, bytes written and read').option('--library <name>', 'only this library'), async ({ client, print }, _args, options) => {
    const drives = await client.get<DriveView[]>('/drives', { library: options['library'] as string | undefined });
    print(drives, () =>
      formatTable(
        [
          { header: 'LIBRARY', value: (d: DriveView) => d.library },
          { header: 'INDEX', value: (d) => d.index, align: 'right' },
          { header: 'ADDRESS', value: (d) => hex(d.address) },
          { header: 'SERIAL', value: (d) => d.serial },
          { header: 'CARTRIDGE', value: (d) => d.barcode ?? '-' },
          { header: 'STATE', value: driveState },
          { header: 'POSITION', value: (d) => (d.position ? `file ${d.position.fileNumber ?? '?'}, block ${d.position.blockNumber}` : '-') },
          { header: 'WRITTEN', value: (d) => (d.bytesWritten === null ? '-' : formatBytes(d.bytesWritten)), align: 'right' },
          { header: 'READ', value: (d) => (d.bytesRead === null ? '-' : formatBytes(d.bytesRead)), align: 'right' },
        ],
        drives,
      ),
    );
  });
  bind(
    leaf(drive, 'unload <library> <index>', 'unload a drive (index from 0, as `vtl drive list` shows) and return its cartridge to its slot').option(
      '--force',
      "unload even while a host prevents medium removal",
    ),
    async ({ client, print, usage }, [libraryName, index], options) => {
      if (!/^\d{1,5}$/.test(index ?? '')) usage(`drive index "${index ?? ''}" is not a number (drives count from 0)`);
      const reply = await client.post<UnloadAnswer, UnloadBody>(`/drives/${encodeURIComponent(libraryName ?? '')}/${index ?? ''}/unload`, {
        ...(options['force'] === true ? { force: true } : {}),
      });
      print(reply, () =>
        reply.cartridge === null
          ? `${libraryName ?? ''} drive ${index ?? ''} was empty\n`
          : `${reply.cartridge.barcode}: unloaded to ${describeLocation(reply.cartridge.location)}\n`,
      );
    },
  );
}

function driveState(d: DriveView): string {
  const state = !d.attached ? 'detached' : d.mounted ? (d.ejected ? 'ejected' : 'loaded') : d.barcode !== null ? 'loading' : 'empty';
  return d.removalPrevented ? `${state}, locked` : state;
}

function formatStatus(status: ServerStatus): string {
  const catalog = status.catalog.writable
    ? ''
    : `WARNING: the catalog cannot write (${status.catalog.problem === 'no-space' ? 'no space left on its disk' : 'I/O error'} since ${status.catalog.since ?? '?'}): library changes are refused\n`;
  const head = `vtl ${status.version}, up ${formatDuration(status.uptimeSeconds)} (since ${status.startedAt}), pid ${status.pid}${status.cluster ? `, cluster node ${status.cluster.nodeId}` : ''}\n${catalog}\n`;
  const libraries = formatTable(
    [
      { header: 'LIBRARY', value: (l: ServerStatus['libraries'][number]) => l.name },
      { header: 'IQN', value: (l) => l.iqn },
      { header: 'DRIVES LOADED', value: (l) => `${l.mountedDrives}/${l.drives}`, align: 'right' },
      { header: 'CARTRIDGES', value: (l) => l.cartridges, align: 'right' },
      { header: 'FREE SLOTS', value: (l) => l.freeSlots, align: 'right' },
      { header: 'FREE MAIL SLOTS', value: (l) => l.freeMailSlots, align: 'right' },
      // A cluster node: which node serves each library, at which portal, under which lease token.
      ...(status.cluster
        ? [{ header: 'OWNER', value: (l: ServerStatus['libraries'][number]) => (l.owner ? `${l.owner.nodeId} ${l.owner.portal} (token ${l.owner.token})` : '(none)') }]
        : []),
      ...(status.dedup ? dedupColumns((l: ServerStatus['libraries'][number]) => l.dedup) : []),
    ],
    status.libraries,
  );
  const sessions =
    status.sessions.length === 0
      ? 'No iSCSI sessions.\n'
      : `iSCSI sessions:\n${formatTable(
          [
            { header: 'TARGET', value: (s: ServerStatus['sessions'][number]) => s.target ?? '(discovery)' },
            { header: 'INITIATOR', value: (s) => s.initiator },
            { header: 'ISID', value: (s) => s.isid },
            { header: 'TSIH', value: (s) => s.tsih, align: 'right' },
            { header: 'ADDRESS', value: (s) => s.remoteAddress },
            { header: 'TASKS', value: (s) => s.activeTasks, align: 'right' },
          ],
          status.sessions,
        )}`;
  return `${head}${libraries}\n${status.dedup ? `${dedupSummaryText(status.dedup)}\n` : ''}${sessions}`;
}

function formatLibrary(info: LibraryView, elements: readonly ElementView[]): string {
  const range = (r: { first: number; count: number }): string => (r.count === 0 ? 'none' : `${hex(r.first)}-${hex(r.first + r.count - 1)}`);
  const a = info.elementAddresses;
  const fields = formatFields([
    ['Library', info.name],
    ['IQN', info.iqn],
    ['Drives', `${info.drives} (${range(a.drive)})`],
    ['Slots', `${info.slots}, ${info.freeSlots} free (${range(a.slot)})`],
    ['Mail slots', `${info.mailSlots}, ${info.freeMailSlots} free (${range(a.mailslot)})`],
    ['Cartridges', info.cartridges],
    ['Mail slots locked', info.removalPrevented ? 'yes (a host prevents medium removal)' : 'no'],
  ]);
  const table = formatTable(
    [
      { header: 'ELEMENT', value: (e: ElementView) => describeElement(e.kind, e.index, e.address) },
      { header: 'CARTRIDGE', value: (e) => e.barcode ?? '-' },
      { header: 'STATUS', value: (e) => [e.open ? 'open' : '', e.accessible ? '' : 'inaccessible', e.exception ?? ''].filter((x) => x !== '').join(', ') || '-' },
    ],
    elements,
  );
  return `${fields}\n${table}`;
}
