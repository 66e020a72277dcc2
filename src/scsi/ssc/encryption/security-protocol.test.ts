import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cdb, createHarness, nexus } from '../testing/drive-harness.js';
import { KEY, attend, sde, senseOf, setKey, spin, spout } from '../testing/security-protocol-pages.js';

describe('SECURITY PROTOCOL IN', () => {
  test('protocol 00h lists protocols 00h and 20h and has no certificate', async () => {
    const h = await createHarness();
    assert.deepEqual([...(await h.good(spin(0x00, 0x0000)))], [0, 0, 0, 0, 0, 0, 0, 2, 0x00, 0x20]);
    assert.deepEqual([...(await h.good(spin(0x00, 0x0001)))], [0, 0, 0, 0]);
  });

  test('an unknown protocol, an unknown page and INC_512 are refused with INVALID FIELD IN CDB at their field', async () => {
    const h = await createHarness();
    assert.deepEqual(await senseOf(h, spin(0xef, 0)), [0x5, 0x24, 0x00, [1, undefined]]);
    assert.deepEqual(await senseOf(h, spin(0x00, 0x0002)), [0x5, 0x24, 0x00, [2, undefined]]);
    assert.deepEqual(await senseOf(h, spin(0x20, 0x0030)), [0x5, 0x24, 0x00, [2, undefined]]);
    const inc512 = spin(0x20, 0x0000);
    inc512[4] = 0x80;
    assert.deepEqual(await senseOf(h, inc512), [0x5, 0x24, 0x00, [4, 7]]);
  });

  test('pages 0000h and 0001h list the IN and OUT pages; the allocation length cuts the answer', async () => {
    const h = await createHarness();
    assert.equal((await h.good(spin(0x20, 0x0000))).toString('hex'), '0000000e' + '0000000100100011001200200021');
    assert.equal((await h.good(spin(0x20, 0x0001))).toString('hex'), '000100020010');
    assert.equal((await h.good(spin(0x20, 0x0000, 6))).toString('hex'), '0000000e0000');
  });

  test('page 0010h reports AES-256-GCM as algorithm 1, a 32-byte key, 32-byte U-KAD and 12-byte A-KAD', async () => {
    const h = await createHarness();
    await h.load();
    const page = await h.good(spin(0x20, 0x0010));
    const expected = Buffer.alloc(44);
    expected.writeUInt16BE(0x0010, 0);
    expected.writeUInt16BE(40, 2);
    expected[4] = 0x05;
    Buffer.from([1, 0, 0, 20, 0xba, 0x48, 0, 32, 0, 12, 0, 32, 0x49, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x14]).copy(expected, 20);
    assert.equal(page.toString('hex'), expected.toString('hex'));
  });

  test('pages 0011h and 0012h: plain-text keys only; LOCK, CKOD, CKORP, CKORL and all three scopes', async () => {
    const h = await createHarness();
    assert.equal((await h.good(spin(0x20, 0x0011))).toString('hex'), '0011000100');
    assert.equal((await h.good(spin(0x20, 0x0012))).toString('hex'), '0012000c' + '01070007' + '0000000000000000');
  });

  test('page 0020h reports the parameters set, the key instance counter and the U-KAD, never the key', async () => {
    const h = await createHarness();
    const before = await h.good(spin(0x20, 0x0020));
    assert.equal(before.toString('hex'), '00200014' + '00000000' + '00000000' + '10000000' + '0000000000000000');
    await setKey(h, { kadFormat: 2, rdmc: 3, kads: [{ type: 0, value: Buffer.from('key-one') }] });
    const page = await h.good(spin(0x20, 0x0020));
    assert.equal(page.toString('hex'), '0020001f' + '42020201' + '00000001' + '11020000' + '0000000000000000' + '00000007' + Buffer.from('key-one').toString('hex'));
    assert.equal(page.includes(KEY), false);
    await attend(h, 2);
    const other = await h.good(spin(0x20, 0x0020), { nexus: nexus(2) });
    assert.equal(other[4], 0x02, 'another nexus uses them as its public parameters (I_T NEXUS SCOPE 0, KEY SCOPE ALL)');
  });
});

describe('SECURITY PROTOCOL OUT, Set Data Encryption page', () => {
  const refusals: [string, Buffer, number, number | undefined][] = [
    ['page code', (() => { const p = sde(); p[1] = 0x11; return p; })(), 0, undefined],
    ['page length short of the fixed part', (() => { const p = sde(); p.writeUInt16BE(10, 2); return p; })(), 2, undefined],
    ['SCOPE 3', sde({ scope: 3 }), 4, 7],
    ['a reserved bit of byte 4', (() => { const p = sde(); p[4] |= 0x02; return p; })(), 4, 1],
    ['CEEM 10b (no external encryption control)', sde({ ceem: 2 }), 5, 7],
    ['RDMC 01b', sde({ rdmc: 1 }), 5, 5],
    ['SDK (no supplemental keys)', sde({ sdk: true }), 5, 3],
    ['ENCRYPTION MODE EXTERNAL', sde({ enc: 1 }), 6, undefined],
    ['ENCRYPTION MODE 3', sde({ enc: 3 }), 6, undefined],
    ['DECRYPTION MODE 4', sde({ dec: 4 }), 7, undefined],
    ['ALGORITHM INDEX 2', sde({ alg: 2 }), 8, undefined],
    ['KEY FORMAT 01h', sde({ keyFormat: 1 }), 9, undefined],
    ['KAD FORMAT 03h', sde({ kadFormat: 3 }), 10, undefined],
    ['a reserved byte', (() => { const p = sde(); p[13] = 0x40; return p; })(), 13, 6],
    ['a 16-byte key', sde({ key: Buffer.alloc(16) }), 18, undefined],
    ['a U-KAD of 33 bytes', sde({ kads: [{ type: 0, value: Buffer.alloc(33) }] }), 54, undefined],
    ['an A-KAD of 13 bytes', sde({ kads: [{ type: 1, value: Buffer.alloc(13) }] }), 54, undefined],
    ['a nonce descriptor', sde({ kads: [{ type: 2, value: Buffer.alloc(4) }] }), 52, undefined],
    ['two U-KADs', sde({ kads: [{ type: 0, value: Buffer.from('a') }, { type: 0, value: Buffer.from('b') }] }), 57, undefined],
    ['a KAD without encryption', sde({ enc: 0, kads: [{ type: 0, value: Buffer.from('a') }] }), 52, undefined],
    ['a reserved KAD byte', sde({ kads: [{ type: 0, value: Buffer.from('a'), reserved: 1 }] }), 53, 0],
    ['an ASCII KAD with a control character', sde({ kadFormat: 2, kads: [{ type: 0, value: Buffer.from('ab\ncd') }] }), 58, undefined],
  ];
  for (const [what, page, byte, bit] of refusals) {
    test(`refuses ${what} with INVALID FIELD IN PARAMETER LIST at byte ${byte}`, async () => {
      const h = await createHarness();
      assert.deepEqual(await senseOf(h, spout(page.length), { dataOut: page }), [0x5, 0x26, 0x00, [byte, bit]]);
      assert.equal((await h.good(spin(0x20, 0x0020)))[5], 0, 'nothing was set');
    });
  }

  test('a parameter list shorter than the page, or than its fixed part, is a PARAMETER LIST LENGTH ERROR', async () => {
    const h = await createHarness();
    const page = sde();
    assert.deepEqual(await senseOf(h, spout(40), { dataOut: page.subarray(0, 40) }), [0x5, 0x1a, 0x00, undefined]);
    assert.deepEqual(await senseOf(h, spout(12), { dataOut: page.subarray(0, 12) }), [0x5, 0x1a, 0x00, undefined]);
  });

  test('protocol 00h, another page of protocol 20h and an oversized list are refused in the CDB', async () => {
    const h = await createHarness();
    assert.deepEqual(await senseOf(h, spout(52, 0x00, 0x0010), { dataOut: sde() }), [0x5, 0x24, 0x00, [1, undefined]]);
    assert.deepEqual(await senseOf(h, spout(52, 0x20, 0x0011), { dataOut: sde() }), [0x5, 0x24, 0x00, [2, undefined]]);
    assert.deepEqual(await senseOf(h, spout(0x10000)), [0x5, 0x24, 0x00, [6, undefined]]);
  });

  test('modes DISABLE take a page without a key, and a key sent with them is ignored (stenc 1.0.7 "off" sends zeros)', async () => {
    const h = await createHarness();
    await setKey(h, { enc: 0, dec: 0, alg: 0, key: Buffer.alloc(0) });
    await setKey(h, { enc: 0, dec: 0, key: Buffer.alloc(32) });
    const page = await h.good(spin(0x20, 0x0020));
    assert.deepEqual([page[5], page[6], page[7]], [0, 0, 0]);
  });
});

describe('next block encryption status (page 0021h)', () => {
  test('reports the next object: encrypted and openable with its KAD, or not, not encrypted, a filemark, end of data', async () => {
    const h = await createHarness();
    await h.load();
    await setKey(h, { kadFormat: 2, kads: [{ type: 0, value: Buffer.from('k1') }] });
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 1) });
    await setKey(h, { enc: 0, dec: 0, alg: 0, key: Buffer.alloc(0) });
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 2) });
    await h.good(cdb.writeFilemarks(1));
    await h.good(cdb.rewind());
    const status = async (): Promise<Buffer> => h.good(spin(0x20, 0x0021));
    assert.equal((await status()).toString('hex'), '00210012' + '0000000000000000' + '06010002' + '00010002' + '6b31');
    await setKey(h, { kadFormat: 2 });
    assert.equal((await status())[12], 0x05);
    await h.good(cdb.space6(0, 1));
    assert.equal((await status()).toString('hex'), '0021000c' + '0000000000000001' + '03000000');
    await h.good(cdb.space6(0, 1));
    assert.equal((await status())[12], 0x02);
    await h.good(cdb.space6(1, 1));
    assert.equal((await status())[12], 0x01);
    assert.equal((await h.good(cdb.readPositionShort())).readUInt32BE(4), 3, 'the page never moves the position');
  });

  test('without a cartridge it is NOT READY, MEDIUM NOT PRESENT', async () => {
    const h = await createHarness();
    assert.deepEqual((await senseOf(h, spin(0x20, 0x0021))).slice(0, 3), [0x2, 0x3a, 0x00]);
  });
});
