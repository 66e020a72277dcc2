import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { DriveCommandStats, LATENCY_BUCKETS_SECONDS } from './drive-command-stats.js';
import { ReplayedHistogram } from './replayed-histogram.js';

// Values on, between, below and above the bounds, for two label sets.
const OBSERVATIONS: readonly (readonly [string, number])[] = [
  ['0', 0.00005], ['0', 0.0001], ['0', 0.0003], ['0', 0.02], ['0', 0.02], ['0', 61], ['0', 1],
  ['1', 0.004], ['1', 30], ['1', 0.0001],
];

async function render(registry: Registry): Promise<string> {
  return registry.metrics();
}

test("ReplayedHistogram renders exactly what prom-client's own Histogram renders for the same observations", async () => {
  const stock = new Registry();
  const real = new Histogram({ name: 'latency_seconds', help: 'h', labelNames: ['library', 'drive'], buckets: [...LATENCY_BUCKETS_SECONDS], registers: [stock] });
  const stats = new Map([['0', new DriveCommandStats()], ['1', new DriveCommandStats()]]);
  for (const [drive, seconds] of OBSERVATIONS) {
    real.observe({ library: 'lib0', drive }, seconds);
    stats.get(drive)?.observe(seconds);
  }
  const replayed = new Registry();
  replayed.registerMetric(
    new ReplayedHistogram({ name: 'latency_seconds', help: 'h', labelNames: ['library', 'drive'], buckets: LATENCY_BUCKETS_SECONDS }, () =>
      [...stats].map(([drive, counts]) => ({ labels: { library: 'lib0', drive }, counts })),
    ),
  );
  assert.equal(await render(replayed), await render(stock));
  // The JSON form too, but for the exemplars (always empty here: vtl records none).
  const samples = async (registry: Registry) =>
    (await registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ name: m.name, type: m.type, labels: v.labels, value: v.value, metricName: 'metricName' in v ? v.metricName : undefined })));
  assert.deepEqual(await samples(replayed), await samples(stock));
});

test('DriveCommandStats counts commands by name and CHECK CONDITIONs by sense key', () => {
  const stats = new DriveCommandStats();
  stats.commandDone('WRITE(6)', undefined, 0.001);
  stats.commandDone('WRITE(6)', 'VOLUME_OVERFLOW', 0.002);
  stats.commandDone('TEST UNIT READY', 'NOT_READY', 0.00001);
  assert.deepEqual([...stats.commands], [['WRITE(6)', 2], ['TEST UNIT READY', 1]]);
  assert.deepEqual([...stats.senseKeys], [['VOLUME_OVERFLOW', 1], ['NOT_READY', 1]]);
  assert.equal(stats.count, 3);
  assert.equal(stats.buckets[0], 1);
});
