import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoginReject } from './login-reject.js';
import { DEFAULT_LIMITS, OperationalNegotiation } from './negotiate.js';
import { NEGOTIATION_KEYS, parseNumeric } from './negotiation-keys.js';
import { parseTextData } from './text-data.js';
import { IscsiProtocolError } from './iscsi-protocol-error.js';

describe('OperationalNegotiation', () => {
  test('numerical keys take the minimum or maximum, booleans AND/OR, lists the first supported offer', () => {
    const n = new OperationalNegotiation({ ...DEFAULT_LIMITS, maxBurstLength: 65536 }, false);
    const out = new Map(n.respond([
      ['MaxBurstLength', '262144'],
      ['FirstBurstLength', '0x20000'],
      ['DefaultTime2Wait', '0'],
      ['DefaultTime2Retain', '20'],
      ['InitialR2T', 'Yes'],
      ['ImmediateData', 'No'],
      ['HeaderDigest', 'None,CRC32C'],
      ['DataDigest', 'CRC32C,None'],
      ['ErrorRecoveryLevel', '2'],
      ['MaxConnections', '4'],
    ], true));
    assert.equal(out.get('MaxBurstLength'), '65536');
    assert.equal(out.get('FirstBurstLength'), '65536', 'min(131072, ours) clamped to MaxBurstLength');
    assert.equal(out.get('DefaultTime2Wait'), '2');
    assert.equal(out.get('DefaultTime2Retain'), '0');
    assert.equal(out.get('InitialR2T'), 'Yes');
    assert.equal(out.get('ImmediateData'), 'No');
    assert.equal(out.get('HeaderDigest'), 'None');
    assert.equal(out.get('DataDigest'), 'CRC32C');
    assert.equal(out.get('ErrorRecoveryLevel'), '0');
    assert.equal(out.get('MaxConnections'), '1');
    assert.equal(out.get('MaxRecvDataSegmentLength'), String(DEFAULT_LIMITS.maxRecvDataSegmentLength));
    const p = n.parameters();
    assert.equal(p.dataDigest, true);
    assert.equal(p.headerDigest, false);
    assert.equal(p.initiatorMaxRecvDataSegmentLength, 8192, 'default when not declared');
    assert.equal(p.initialR2T, true);
    assert.equal(p.immediateData, false);
  });

  test('out-of-range and malformed values are answered Reject and leave the default', () => {
    const n = new OperationalNegotiation(DEFAULT_LIMITS, false);
    const out = new Map(n.respond([
      ['MaxBurstLength', '100'],
      ['MaxRecvDataSegmentLength', '99999999'],
      ['InitialR2T', 'Maybe'],
      ['HeaderDigest', 'MD5'],
      ['MaxOutstandingR2T', 'many'],
    ], true));
    for (const k of ['MaxBurstLength', 'InitialR2T', 'HeaderDigest', 'MaxOutstandingR2T']) assert.equal(out.get(k), 'Reject', k);
    assert.equal(n.parameters().maxBurstLength, 262144);
    assert.equal(n.parameters().initiatorMaxRecvDataSegmentLength, 8192);
  });

  test('a declared MaxRecvDataSegmentLength is recorded without an answer', () => {
    const n = new OperationalNegotiation(DEFAULT_LIMITS, false);
    const out = n.respond([['MaxRecvDataSegmentLength', '65536']], false);
    assert.deepEqual(out, []);
    assert.equal(n.parameters().initiatorMaxRecvDataSegmentLength, 65536);
  });

  test('a key sent twice or a target-only key is an initiator error', () => {
    const n = new OperationalNegotiation(DEFAULT_LIMITS, false);
    n.respond([['MaxBurstLength', '65536']], true);
    assert.throws(() => n.respond([['MaxBurstLength', '65536']], true), LoginReject);
    assert.throws(() => n.respond([['TargetAlias', 'x']], true), LoginReject);
  });

  test('every table row has a default inside its range or values', () => {
    for (const k of NEGOTIATION_KEYS) {
      if (k.min !== undefined && k.default !== '') {
        const v = parseNumeric(k.default);
        assert.ok(v !== undefined && v >= k.min && v <= (k.max ?? v), k.name);
      }
      if (k.values) assert.ok(k.values.includes(k.default), k.name);
    }
  });
});

describe('parseTextData', () => {
  test('splits key=value pairs on NUL and keeps = inside values', () => {
    assert.deepEqual(parseTextData(Buffer.from('A=1\0B=x=y\0\0')), [['A', '1'], ['B', 'x=y']]);
  });
  test('refuses a missing NUL terminator, a missing = and an overlong key', () => {
    assert.throws(() => parseTextData(Buffer.from('A=1')), IscsiProtocolError);
    assert.throws(() => parseTextData(Buffer.from('A\0')), IscsiProtocolError);
    assert.throws(() => parseTextData(Buffer.from(`${'K'.repeat(64)}=1\0`)), IscsiProtocolError);
  });
});
