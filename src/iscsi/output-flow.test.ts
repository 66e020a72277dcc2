import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OutputFlow, responseBytes } from './output-flow.js';

function flow(limit = 1000): { f: OutputFlow; out: { writableLength: number; writableHighWaterMark: number }; holds: boolean[] } {
  const out = { writableLength: 0, writableHighWaterMark: 100 };
  const holds: boolean[] = [];
  return { f: new OutputFlow(out, limit, (h) => holds.push(h)), out, holds };
}

describe('OutputFlow', () => {
  test('holds once queued plus reserved output passes the limit, not before', () => {
    const { f, out, holds } = flow();
    out.writableLength = 600;
    f.reserve(400);
    f.check();
    assert.deepEqual(holds, []);
    f.reserve(1);
    f.check();
    f.check();
    assert.deepEqual(holds, [true]);
    assert.equal(f.queuedBytes, 1001);
  });

  test('resumes only at half the limit, when a reservation ends or the transport drains', () => {
    const { f, out, holds } = flow();
    f.reserve(800);
    out.writableLength = 300;
    f.check();
    f.unreserve(200);
    f.mayResume();
    assert.deepEqual(holds, [true], '900 queued');
    out.writableLength = 0;
    f.mayResume();
    assert.deepEqual(holds, [true], '600 reserved');
    f.unreserve(100);
    assert.deepEqual(holds, [true, false], '500 reserved');
  });

  test('the resume point is never below the transport high-water mark, under which no drain event comes', () => {
    const { f, out, holds } = flow(120);
    out.writableLength = 150;
    f.check();
    out.writableLength = 90;
    f.mayResume();
    assert.deepEqual(holds, [true, false]);
  });

  test('one command whose response alone passes the limit keeps reading going, but a second one waits', () => {
    const { f, holds } = flow();
    assert.equal(f.admits(), true);
    f.reserve(5000);
    f.check();
    assert.deepEqual(holds, [], 'the one response the bound allows');
    assert.equal(f.admits(), false);
    assert.deepEqual(holds, [true]);
    f.unreserve(5000);
    assert.deepEqual(holds, [true, false]);
  });

  test('a single reservation past the limit with output already queued holds', () => {
    const { f, out, holds } = flow();
    f.reserve(5000);
    out.writableLength = 1;
    f.check();
    assert.deepEqual(holds, [true]);
  });

  test('a response reserves its data, one header per segment and a SCSI Response with sense', () => {
    assert.equal(responseBytes(0, 8192), 310);
    assert.equal(responseBytes(8192 * 3 + 1, 8192), 8192 * 3 + 1 + 4 * 56 + 310);
    assert.equal(responseBytes(1000, 100), 1000 + 2 * 56 + 310, 'segments are at least 512 bytes');
  });
});
