// The test parser must refuse what Prometheus refuses, or the metrics test's "the format is valid" cannot fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition, sampleValue } from './prometheus-exposition.js';

const VALID = [
  '# HELP t_seconds Latency',
  '# TYPE t_seconds histogram',
  't_seconds_bucket{le="0.1",drive="0"} 1',
  't_seconds_bucket{le="+Inf",drive="0"} 2',
  't_seconds_sum{drive="0"} 0.25',
  't_seconds_count{drive="0"} 2',
  '# HELP up A "quoted" help',
  '# TYPE up gauge',
  'up{path="a\\\\b\\"c\\nd"} Nan',
  '',
].join('\n');

test('parseExposition() reads a histogram family, escaped label values and Prometheus spellings of NaN', () => {
  const e = parseExposition(VALID);
  assert.equal(e.types.get('t_seconds'), 'histogram');
  assert.equal(sampleValue(e, 't_seconds_bucket', { le: '+Inf' }), 2);
  assert.equal(sampleValue(e, 't_seconds_sum'), 0.25);
  assert.equal(e.samples.find((s) => s.name === 'up')?.labels['path'], 'a\\b"c\nd');
  assert.ok(Number.isNaN(sampleValue(e, 'up')));
});

test('parseExposition() refuses a sample outside a declared family, a TYPE without HELP, a bad value and bad labels', () => {
  const refusals: [string, RegExp][] = [
    ['# HELP a x\n# TYPE a gauge\nb 1\n', /no TYPE declared for b/],
    ['# HELP a x\n# TYPE a gauge\na_bucket{le="1"} 1\n', /no TYPE declared for a_bucket/],
    ['# TYPE a gauge\na 1\n', /TYPE without HELP/],
    ['# HELP a x\n# TYPE a gauge\n# TYPE a counter\n', /a second TYPE/],
    ['# HELP a x\n# TYPE a gauge\na one\n', /bad value/],
    ['# HELP a x\n# TYPE a gauge\na{x=1} 1\n', /bad labels/],
    ['# HELP a x\n# TYPE a gauge\na{x="1",x="2"} 1\n', /label x twice/],
    ['# HELP a x\n# TYPE a gauge\na 1', /newline/],
  ];
  for (const [text, error] of refusals) assert.throws(() => parseExposition(text), error, text);
});
