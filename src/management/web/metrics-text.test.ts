import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMetricsText } from './metrics-text.js';

const EXPOSITION = [
  '# HELP vtl_data_dir_bytes The file system under the data dir',
  '# TYPE vtl_data_dir_bytes gauge',
  'vtl_data_dir_bytes{kind="used"} 25987272704',
  'vtl_data_dir_bytes{kind="free"} 8.2957025280e10',
  'vtl_library_stored_ratio{library="lib \\"zero\\"\\\\1"} 2.1',
  'process_start_time_seconds 1764950000',
  'vtl_drive_loaded{library="lib0",drive="0",serial="X"} 1 1764950000000',
  'nodejs_gc_duration_seconds_bucket{le="+Inf",kind="major"} +Inf',
  'broken{kind="used" 1',
  'also_broken{kind="used"} one',
].join('\n');

test('parseMetricsText() reads names, labels (with escapes) and values, and skips comments and malformed lines', () => {
  assert.deepEqual(parseMetricsText(EXPOSITION), [
    { name: 'vtl_data_dir_bytes', labels: { kind: 'used' }, value: 25987272704 },
    { name: 'vtl_data_dir_bytes', labels: { kind: 'free' }, value: 82957025280 },
    { name: 'vtl_library_stored_ratio', labels: { library: 'lib "zero"\\1' }, value: 2.1 },
    { name: 'process_start_time_seconds', labels: {}, value: 1764950000 },
    { name: 'vtl_drive_loaded', labels: { library: 'lib0', drive: '0', serial: 'X' }, value: 1 },
    { name: 'nodejs_gc_duration_seconds_bucket', labels: { le: '+Inf', kind: 'major' }, value: Infinity },
  ]);
});

test('parseMetricsText() keeps only the series asked for', () => {
  assert.deepEqual(parseMetricsText(EXPOSITION, new Set(['vtl_library_stored_ratio'])).map((s) => s.value), [2.1]);
});
