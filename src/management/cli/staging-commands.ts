// `vtl physical list|show` and `vtl copy list|show|start|cancel` (issue 15).
import type { CopyJobView, PhysicalLibraryDetailView, PhysicalLibraryView } from '../schemas/api-types.js';
import { formatBytes, formatDuration } from './format.js';
import type { CommandBuilders } from './register.js';
import { formatFields, formatTable } from './table.js';

function jobTable(jobs: readonly CopyJobView[]): string {
  return formatTable(
    [
      { header: 'ID', value: (j: CopyJobView) => j.id.slice(0, 8) },
      { header: 'BARCODE', value: (j) => j.barcode },
      { header: 'TO', value: (j) => j.physicalLibrary ?? '-' },
      { header: 'STATE', value: (j) => (j.state === 'running' ? `${j.state} (${j.phase})` : j.state) },
      { header: 'DONE', value: (j) => `${j.percent}%`, align: 'right' },
      { header: 'COPIED', value: (j) => formatBytes(j.bytesCopied), align: 'right' },
      { header: 'RATE', value: (j) => (j.bytesPerSecond ? `${(j.bytesPerSecond / 1e6).toFixed(1)} MB/s` : '-'), align: 'right' },
      { header: 'ETA', value: (j) => (j.etaSeconds !== undefined ? formatDuration(j.etaSeconds) : '-') },
      { header: 'REASON', value: (j) => j.reason ?? '' },
    ],
    jobs,
  );
}

function libraryText(l: PhysicalLibraryDetailView): string {
  const element = (e: { address: number; full: boolean; barcode?: string }): string => `${e.address}: ${e.full ? (e.barcode ?? '(no barcode)') : 'empty'}`;
  return (
    formatFields([
      ['Name', l.name],
      ['Portal', l.portal],
      ['Target', l.iqn],
      ['Device', `${l.vendor} ${l.product} (changer LUN ${l.changerLun})`],
    ]) +
    `Drives:\n${l.drives.map((d) => `  ${element(d)}  LUN ${d.lun ?? '?'}\n`).join('')}` +
    `Slots:\n${l.slots.map((s) => `  ${element(s)}\n`).join('')}` +
    `Mail slots:\n${l.mailSlots.map((s) => `  ${element(s)}\n`).join('')}`
  );
}

export function registerStagingCommands({ group, leaf, bind }: CommandBuilders): void {
  const physical = group('physical', 'physical tape libraries cartridges are staged to');
  bind(leaf(physical, 'list', 'list the configured physical libraries'), async ({ client, print }) => {
    const libs = await client.get<PhysicalLibraryView[]>('/physical-libraries');
    print(libs, () =>
      libs.length === 0
        ? 'No physical libraries are configured.\n'
        : formatTable(
            [
              { header: 'NAME', value: (l: PhysicalLibraryView) => l.name },
              { header: 'PORTAL', value: (l) => l.portal },
              { header: 'TARGET', value: (l) => l.iqn },
              { header: 'CONNECTED', value: (l) => (l.connected ? 'yes' : 'no') },
              { header: 'LAST ERROR', value: (l) => l.lastError ?? '' },
            ],
            libs,
          ),
    );
  });
  bind(leaf(physical, 'show <name>', "a physical library's drives, slots and mail slots, read from the library now"), async ({ client, print }, [name]) => {
    const lib = await client.get<PhysicalLibraryDetailView>(`/physical-libraries/${encodeURIComponent(name ?? '')}`);
    print(lib, () => libraryText(lib));
  });

  const copy = group('copy', 'copies of virtual cartridges to physical tape');
  bind(leaf(copy, 'list', 'list copy jobs with their progress'), async ({ client, print }) => {
    const jobs = await client.get<CopyJobView[]>('/copy-jobs');
    print(jobs, () => (jobs.length === 0 ? 'No copy jobs.\n' : jobTable(jobs)));
  });
  bind(leaf(copy, 'start <barcode>', 'copy a virtual cartridge to the physical cartridge with the same barcode'), async ({ client, print }, [barcode]) => {
    const job = await client.post<CopyJobView>(`/cartridges/${encodeURIComponent(barcode ?? '')}/copy`, {});
    print(job, () => jobTable([job]));
  });
  bind(leaf(copy, 'cancel <id>', 'cancel a copy job (the virtual cartridge is never changed by a copy)'), async ({ client, print }, [id]) => {
    const job = await client.post<CopyJobView>(`/copy-jobs/${encodeURIComponent(id ?? '')}/cancel`, {});
    print(job, () => jobTable([job]));
  });
}
