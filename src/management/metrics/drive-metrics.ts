// Per-drive series (labels library, drive, serial): what is loaded, bytes/blocks/filemarks moved, errors, loads,
// commands by name, CHECK CONDITIONs by sense key, and command latency; and per library the stored ratio of what its
// drives wrote. Each value is read when Prometheus scrapes.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DriveInfo } from '../../library/library-manager.js';
import { LATENCY_BUCKETS_SECONDS } from './drive-command-stats.js';
import { MediumTotals } from './medium-totals.js';
import type { DriveMetricsSource, MediumCounters, MetricsSources } from './metrics-sources.js';
import { ReplayedHistogram } from './replayed-histogram.js';

const DRIVE_LABELS = ['library', 'drive', 'serial'] as const;
type DriveLabels = Record<(typeof DRIVE_LABELS)[number], string>;

interface DriveSample {
  readonly labels: DriveLabels;
  readonly info: DriveInfo;
  readonly source: DriveMetricsSource | undefined;
  /** Since vtl started; undefined for a drive without live figures. */
  readonly moved: Readonly<MediumCounters> | undefined;
}

/** The cartridge counters, by series, added up over the cartridges the drive held (medium-totals.ts). */
const MEDIUM_SERIES: readonly { readonly name: string; readonly help: string; readonly field: keyof MediumCounters }[] = [
  { name: 'vtl_drive_host_bytes_written_total', help: 'Bytes the host wrote (before compression) since vtl started', field: 'hostBytesWritten' },
  { name: 'vtl_drive_host_bytes_read_total', help: 'Bytes the host read (after decompression) since vtl started', field: 'hostBytesRead' },
  { name: 'vtl_drive_stored_bytes_written_total', help: 'Bytes stored on the cartridge (after compression) since vtl started', field: 'storedBytesWritten' },
  { name: 'vtl_drive_stored_bytes_read_total', help: 'Bytes read from the cartridge as stored since vtl started', field: 'storedBytesRead' },
  { name: 'vtl_drive_blocks_written_total', help: 'Blocks written since vtl started', field: 'blocksWritten' },
  { name: 'vtl_drive_blocks_read_total', help: 'Blocks read since vtl started', field: 'blocksRead' },
  { name: 'vtl_drive_filemarks_written_total', help: 'Filemarks written since vtl started', field: 'filemarksWritten' },
];

export function registerDriveMetrics(registry: Registry, sources: MetricsSources): () => void {
  const totals = new Map<string, MediumTotals>();
  /** Show the drive's tracker the cartridge it holds now: at each scrape, and at each move into or out of it. */
  const movedBy = (library: string, index: number, source: DriveMetricsSource | undefined): Readonly<MediumCounters> | undefined => {
    if (source === undefined) return undefined;
    const key = `${library}/${index}`;
    let t = totals.get(key);
    if (t === undefined) totals.set(key, (t = new MediumTotals()));
    t.see(source.medium());
    return t.totals();
  };
  const samples = (): DriveSample[] =>
    sources.manager.libraries().flatMap((library) =>
      sources.manager.drives(library.name).map((info) => {
        const source = sources.drive?.(info.library, info.index);
        return { labels: { library: info.library, drive: String(info.index), serial: info.identity.serial }, info, source, moved: movedBy(info.library, info.index, source) };
      }),
    );
  const registers = [registry];

  const loaded = new Gauge({ name: 'vtl_drive_loaded', help: '1 while a cartridge is in the drive', labelNames: DRIVE_LABELS, registers, collect: () => {
    loaded.reset();
    for (const s of samples()) loaded.set(s.labels, s.info.state?.loaded === undefined ? 0 : 1);
  } });

  for (const series of MEDIUM_SERIES) {
    const counter: Counter<(typeof DRIVE_LABELS)[number]> = new Counter({ name: series.name, help: series.help, labelNames: DRIVE_LABELS, registers, collect: () => {
      counter.reset();
      for (const s of samples()) if (s.moved !== undefined) counter.inc(s.labels, s.moved[series.field]);
    } });
  }

  const errors = new Counter({ name: 'vtl_drive_errors_total', help: 'Read and write errors the drive reported to hosts since vtl started', labelNames: [...DRIVE_LABELS, 'direction'], registers, collect: () => {
    errors.reset();
    for (const s of samples()) {
      const e = s.source?.errors();
      if (e === undefined) continue;
      errors.inc({ ...s.labels, direction: 'read' }, e.readErrors);
      errors.inc({ ...s.labels, direction: 'write' }, e.writeErrors);
    }
  } });

  // A load is a committed move into the drive: counted from the library's events, so it survives the unload.
  const loadCounts = new Map<string, number>();
  const unsubscribe = sources.manager.on((event) => {
    if (event.type !== 'cartridge-moved') return;
    for (const end of [event.from, event.to]) {
      // The move is committed after the drive threaded (or put away) the cartridge: what it holds now is the new state.
      if (end?.kind === 'element' && end.type === 'dataTransfer') movedBy(end.library, end.index, sources.drive?.(end.library, end.index));
    }
    const to = event.to;
    if (to?.kind !== 'element' || to.type !== 'dataTransfer') return;
    const key = `${to.library}/${to.index}`;
    loadCounts.set(key, (loadCounts.get(key) ?? 0) + 1);
  });
  const loads = new Counter({ name: 'vtl_drive_loads_total', help: 'Cartridges moved into the drive since vtl started', labelNames: DRIVE_LABELS, registers, collect: () => {
    loads.reset();
    for (const s of samples()) loads.inc(s.labels, loadCounts.get(`${s.info.library}/${s.info.index}`) ?? 0);
  } });

  const commands = new Counter({ name: 'vtl_drive_commands_total', help: 'SCSI commands the drive answered, by command', labelNames: [...DRIVE_LABELS, 'command'], registers, collect: () => {
    commands.reset();
    for (const s of samples()) for (const [command, n] of s.source?.commands.commands ?? []) commands.inc({ ...s.labels, command }, n);
  } });

  const senseKeys = new Counter({ name: 'vtl_drive_check_conditions_total', help: 'CHECK CONDITION answers, by sense key', labelNames: [...DRIVE_LABELS, 'sense_key'], registers, collect: () => {
    senseKeys.reset();
    for (const s of samples()) for (const [key, n] of s.source?.commands.senseKeys ?? []) senseKeys.inc({ ...s.labels, sense_key: key }, n);
  } });

  const ratio = new Gauge({ name: 'vtl_library_stored_ratio', help: 'Host bytes written per byte stored, over what the library\'s drives wrote since vtl started (absent before any write)', labelNames: ['library'], registers, collect: () => {
    ratio.reset();
    const written = new Map<string, { host: number; stored: number }>();
    for (const s of samples()) {
      const sum = written.get(s.info.library) ?? { host: 0, stored: 0 };
      sum.host += s.moved?.hostBytesWritten ?? 0;
      sum.stored += s.moved?.storedBytesWritten ?? 0;
      written.set(s.info.library, sum);
    }
    for (const [library, { host, stored }] of written) if (stored > 0) ratio.set({ library }, host / stored);
  } });

  registry.registerMetric(
    new ReplayedHistogram(
      { name: 'vtl_drive_command_duration_seconds', help: 'Time from a command reaching the drive to its answer, queueing included', labelNames: DRIVE_LABELS, buckets: LATENCY_BUCKETS_SECONDS },
      () => samples().flatMap((s) => (s.source === undefined ? [] : [{ labels: s.labels, counts: s.source.commands }])),
    ),
  );
  // A cartridge the catalog placed in a drive at startup was loaded before these metrics existed: see it now, so
  // that what it takes counts even if it leaves the drive before the first scrape.
  samples();
  return unsubscribe;
}
