// GET /metrics: one prom-client registry with vtl's drive, library and iSCSI series and the process's default
// metrics. Nothing here runs on the data path: every series is read from plain counters when Prometheus scrapes.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerDedupMetrics } from './dedup-metrics.js';
import { registerDriveMetrics } from './drive-metrics.js';
import { registerLibraryMetrics } from './library-metrics.js';
import type { MetricsSources } from './metrics-sources.js';

export class VtlMetrics {
  private readonly registry = new Registry();
  private readonly unsubscribe: () => void;

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry });
    this.unsubscribe = registerDriveMetrics(this.registry, sources);
    registerLibraryMetrics(this.registry, sources);
    if (sources.dedup) registerDedupMetrics(this.registry, sources.dedup);
  }

  /** The Prometheus text exposition format, version 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stop counting loads (at shutdown). */
  close(): void {
    this.unsubscribe();
  }
}
