// A prom-client Histogram whose series come from counts kept elsewhere (DriveCommandStats), read at scrape time.
// prom-client has no way to set a histogram's buckets, so this overrides the two methods its Registry reads and
// answers in the shape its own Histogram produces (replayed-histogram.test.ts renders both and compares).
import { Histogram, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import type { LatencyCounts } from './drive-command-stats.js';

type Labels = Readonly<Record<string, string | number>>;

export interface LabelledCounts {
  readonly labels: Labels;
  readonly counts: LatencyCounts;
}


/** One sample as prom-client's Registry renders it: `labels` first (`le`), then the series' own `sharedLabels`. */
interface ExportedSample {
  readonly labels: Labels;
  readonly sharedLabels: Labels;
  readonly value: number;
  readonly metricName: string;
}

export class ReplayedHistogram extends Histogram {
  private readonly seriesName: string;
  private readonly seriesHelp: string;
  private readonly bounds: readonly number[];

  constructor(
    options: { readonly name: string; readonly help: string; readonly labelNames: readonly string[]; readonly buckets: readonly number[] },
    private readonly source: () => readonly LabelledCounts[],
  ) {
    super({ name: options.name, help: options.help, labelNames: options.labelNames, buckets: [...options.buckets], registers: [] });
    this.seriesName = options.name;
    this.seriesHelp = options.help;
    this.bounds = options.buckets;
  }

  /** What Registry.metrics() renders (prom-client calls it in preference to get()). */
  async getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: ExportedSample[] }> {
    return { name: this.seriesName, help: this.seriesHelp, type: 'histogram', aggregator: 'sum', values: this.samples() };
  }

  /** The JSON form (Registry.getMetricsAsJSON): the same samples with their labels merged. */
  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const base = await super.get();
    return { ...base, values: this.samples().map(({ labels, sharedLabels, value, metricName }) => ({ labels: { ...sharedLabels, ...labels }, value, metricName })) };
  }

  private samples(): ExportedSample[] {
    const values: ExportedSample[] = [];
    const bucket = `${this.seriesName}_bucket`;
    for (const { labels, counts } of this.source()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += counts.buckets[i] ?? 0;
        values.push({ labels: { le: bound }, sharedLabels: labels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: counts.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: labels, value: counts.sumSeconds, metricName: `${this.seriesName}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: counts.count, metricName: `${this.seriesName}_count` });
    }
    return values;
  }
}
