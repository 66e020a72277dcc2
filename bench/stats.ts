// Repeated-measurement summaries: the median is what the report compares, the spread says how much to trust it.

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent; 0 with a single sample. */
  spreadPct: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  return { median, min, max, spreadPct: median > 0 ? ((max - min) / median) * 100 : 0, samples: [...samples] };
}

/** "512.3 ±4%" style cell; "-" when nothing was measured. */
export function cell(summary: Summary | undefined, digits = 1): string {
  if (!summary) return '-';
  const spread = summary.samples.length > 1 ? ` ±${Math.round(summary.spreadPct / 2)}%` : '';
  return `${summary.median.toFixed(digits)}${spread}`;
}

export function ratio(a: Summary | undefined, b: Summary | undefined): number | undefined {
  if (!a || !b || b.median === 0) return undefined;
  return a.median / b.median;
}
