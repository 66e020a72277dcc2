// What the metrics read at scrape time. main.ts answers these from the drives and the iSCSI server; management does
// not import scsi or media, so the shapes are declared here and the drive's own objects satisfy them structurally.
import type { LibraryManager } from '../../library/library-manager.js';
import type { DedupView } from '../dedup-status.js';
import type { SessionProvider } from '../session-view.js';
import type { DriveCommandStats } from './drive-command-stats.js';

/** The mounted cartridge's counters since its load (MediumStatistics fits). */
export interface MediumCounters {
  readonly hostBytesWritten: number;
  readonly hostBytesRead: number;
  readonly storedBytesWritten: number;
  readonly storedBytesRead: number;
  readonly blocksWritten: number;
  readonly blocksRead: number;
  readonly filemarksWritten: number;
}

/** A cartridge in a drive (TapeMedium fits): its identity tells one load from the next, and its counters stay readable after it is closed. */
export interface MediumHandle {
  statistics(): MediumCounters;
}

/** One drive's live figures: plain counters the drive already keeps, read only when Prometheus scrapes. */
export interface DriveMetricsSource {
  /** The cartridge in the drive; undefined without a readable one. */
  medium(): MediumHandle | undefined;
  /** Read and write errors since the process started (the drive's log pages 02h and 03h). */
  errors(): { readonly readErrors: number; readonly writeErrors: number };
  /** What the drive's dispatcher counted (DriveCommandStats is its CommandObserver). */
  readonly commands: DriveCommandStats;
}

export interface MetricsSources {
  readonly manager: Pick<LibraryManager, 'libraries' | 'drives' | 'cartridges' | 'retention' | 'on'>;
  /** Undefined for a drive without live figures (a drive that is not an emulated TapeDrive). */
  readonly drive?: (library: string, index: number) => DriveMetricsSource | undefined;
  readonly sessions?: SessionProvider;
  /** Where cartridges and the catalog live: its file system's used and free bytes are reported. */
  readonly dataDir?: string;
  /** With a deduplicating library: what the chunk store saves (dedup-metrics.ts). */
  readonly dedup?: DedupView;
  readonly now?: () => Date;
}
