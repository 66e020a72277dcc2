import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SenseKey } from '../sense.js';
import { UnitAttentions } from '../unit-attention.js';
import { InformationalExceptions } from './informational-exceptions.js';

const TUR = 0x00;
const REQUEST_SENSE = 0x03;

/** Page 1Ch (header included) with flags byte 2, MRIE, INTERVAL TIMER and REPORT COUNT. */
function page(flags: number, mrie: number, intervalTimer = 0, reportCount = 0): Buffer {
  const b = Buffer.from([0x1c, 0x0a, flags, mrie, 0, 0, 0, 0, 0, 0, 0, 0]);
  b.writeUInt32BE(intervalTimer, 4);
  b.writeUInt32BE(reportCount, 8);
  return b;
}

function reporter(options: { recoveredErrorsAllowed?: boolean } = {}): { ie: InformationalExceptions; clock: { ms: number }; uas: UnitAttentions } {
  const clock = { ms: 1000 };
  const uas = new UnitAttentions();
  const ie = new InformationalExceptions(uas, { now: () => clock.ms, recoveredErrorsAllowed: () => options.recoveredErrorsAllowed ?? false });
  return { ie, clock, uas };
}

const keyAndCode = (s: { key: number; asc: number; ascq: number } | undefined): number[] | undefined => (s ? [s.key, s.asc, s.ascq] : undefined);

describe('informational exceptions (mode page 1Ch MRIE 3h-5h, INTERVAL TIMER, REPORT COUNT)', () => {
  test('MRIE 4h reports RECOVERED ERROR 5D/00 on the next command that succeeded, and only once with INTERVAL TIMER 0', () => {
    const { ie } = reporter();
    ie.page.apply(page(0x00, 0x04));
    assert.equal(ie.afterCommand(TUR), undefined, 'no condition, nothing to report');
    ie.report();
    assert.deepEqual(keyAndCode(ie.afterCommand(TUR)), [SenseKey.RECOVERED_ERROR, 0x5d, 0x00]);
    assert.equal(ie.afterCommand(TUR), undefined);
  });

  test('MRIE 5h reports NO SENSE 5D/00; REQUEST SENSE is never the command that carries it', () => {
    const { ie } = reporter();
    ie.page.apply(page(0x00, 0x05));
    ie.report();
    assert.equal(ie.afterCommand(REQUEST_SENSE), undefined);
    assert.deepEqual(keyAndCode(ie.afterCommand(TUR)), [SenseKey.NO_SENSE, 0x5d, 0x00]);
  });

  test('MRIE 3h reports RECOVERED ERROR only while reporting recovered errors (PER) is allowed', () => {
    const off = reporter();
    off.ie.page.apply(page(0x00, 0x03));
    off.ie.report();
    assert.equal(off.ie.afterCommand(TUR), undefined);
    const on = reporter({ recoveredErrorsAllowed: true });
    on.ie.page.apply(page(0x00, 0x03));
    on.ie.report();
    assert.deepEqual(keyAndCode(on.ie.afterCommand(TUR)), [SenseKey.RECOVERED_ERROR, 0x5d, 0x00]);
  });

  test('INTERVAL TIMER repeats the report once per interval (100 ms units), REPORT COUNT times in all', () => {
    const { ie, clock } = reporter();
    ie.page.apply(page(0x00, 0x05, 10, 3));
    ie.report();
    assert.ok(ie.afterCommand(TUR));
    clock.ms += 999;
    assert.equal(ie.afterCommand(TUR), undefined, 'not before 1 s');
    clock.ms += 1;
    assert.ok(ie.afterCommand(TUR), 'second report');
    clock.ms += 1000;
    assert.ok(ie.afterCommand(TUR), 'third report');
    clock.ms += 5000;
    assert.equal(ie.afterCommand(TUR), undefined, 'REPORT COUNT 3 reached');
  });

  test('REPORT COUNT 0 means no limit; INTERVAL TIMER FFFFFFFFh means once', () => {
    const unlimited = reporter();
    unlimited.ie.page.apply(page(0x00, 0x04, 1, 0));
    unlimited.ie.report();
    for (let i = 0; i < 10; i++, unlimited.clock.ms += 100) assert.ok(unlimited.ie.afterCommand(TUR), `report ${i + 1}`);
    const once = reporter();
    once.ie.page.apply(page(0x00, 0x04, 0xffffffff, 5));
    once.ie.report();
    assert.ok(once.ie.afterCommand(TUR));
    once.clock.ms += 1e9;
    assert.equal(once.ie.afterCommand(TUR), undefined);
  });

  test('MRIE 2h raises the unit attention at once and again on a command once the interval has passed', () => {
    const { ie, clock, uas } = reporter();
    uas.register('a');
    uas.take('a');
    ie.page.apply(page(0x00, 0x02, 5, 2));
    ie.report();
    assert.equal(uas.take('a'), 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED');
    assert.equal(ie.afterCommand(TUR), undefined, 'a unit attention never turns the command itself into CHECK CONDITION');
    assert.equal(uas.take('a'), undefined, 'not before 500 ms');
    clock.ms += 500;
    ie.afterCommand(TUR);
    assert.equal(uas.take('a'), 'FAILURE_PREDICTION_THRESHOLD_EXCEEDED');
    clock.ms += 500;
    ie.afterCommand(TUR);
    assert.equal(uas.take('a'), undefined, 'REPORT COUNT 2 reached');
  });

  test('TEST=1 makes a false condition (5D/FF) reported per MRIE; TEST=0 withdraws it; DEXCPT=1 reports nothing', () => {
    const { ie, clock } = reporter();
    ie.page.apply(page(0x04, 0x04, 1, 0));
    assert.deepEqual(keyAndCode(ie.afterCommand(TUR)), [SenseKey.RECOVERED_ERROR, 0x5d, 0xff]);
    ie.page.apply(page(0x00, 0x04, 1, 0));
    clock.ms += 1000;
    assert.equal(ie.afterCommand(TUR), undefined, 'withdrawn with TEST=0');
    ie.page.apply(page(0x08, 0x04));
    ie.report();
    assert.equal(ie.afterCommand(TUR), undefined);
  });

  test('MRIE 6h keeps the condition for REQUEST SENSE (NO SENSE 5D/00) and never turns another command into CHECK CONDITION', () => {
    const { ie } = reporter();
    ie.page.apply(page(0x00, 0x06));
    ie.report();
    assert.equal(ie.afterCommand(TUR), undefined);
    assert.deepEqual(keyAndCode(ie.takeOnRequest()), [SenseKey.NO_SENSE, 0x5d, 0x00]);
    assert.equal(ie.takeOnRequest(), undefined);
  });
});
