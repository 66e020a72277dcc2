import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cdb, createHarness, nexus, type Harness } from '../testing/drive-harness.js';

const KEY = Buffer.alloc(32, 0x5a);

interface SdeFields {
  scope?: number; lock?: boolean; ceem?: number; rdmc?: number; sdk?: boolean; ckod?: boolean; ckorp?: boolean; ckorl?: boolean;
  enc?: number; dec?: number; alg?: number; keyFormat?: number; kadFormat?: number; key?: Buffer;
  kads?: { type: number; value: Buffer; reserved?: number }[];
}

/** A Set Data Encryption page built byte by byte as SSC-4 8.5.4.2 lays it out (not with the code under test). */
function sde(f: SdeFields = {}): Buffer {
  const key = f.key ?? KEY;
  const kads = (f.kads ?? []).map((k) => Buffer.concat([Buffer.from([k.type, k.reserved ?? 0, k.value.length >> 8, k.value.length & 0xff]), k.value]));
  const body = Buffer.concat([Buffer.alloc(20), key, ...kads]);
  body.writeUInt16BE(0x0010, 0);
  body.writeUInt16BE(body.length - 4, 2);
  body[4] = ((f.scope ?? 2) << 5) | (f.lock ? 1 : 0);
  body[5] = ((f.ceem ?? 0) << 6) | ((f.rdmc ?? 0) << 4) | (f.sdk ? 8 : 0) | (f.ckod ? 4 : 0) | (f.ckorp ? 2 : 0) | (f.ckorl ? 1 : 0);
  body[6] = f.enc ?? 2;
  body[7] = f.dec ?? 2;
  body[8] = f.alg ?? 1;
  body[9] = f.keyFormat ?? 0;
  body[10] = f.kadFormat ?? 0;
  body.writeUInt16BE(key.length, 18);
  return body;
}

const spin = (protocol: number, page: number, length = 8192): number[] => [0xa2, protocol, page >> 8, page & 0xff, 0, 0, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0, 0];
const spout = (length: number, protocol = 0x20, page = 0x0010): number[] => [0xb5, protocol, page >> 8, page & 0xff, 0, 0, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0, 0];

async function setKey(h: Harness, f: SdeFields = {}, n = 1): Promise<void> {
  const page = sde(f);
  await h.good(spout(page.length), { dataOut: page, nexus: nexus(n) });
}

async function senseOf(h: Harness, command: number[], options: { dataOut?: Buffer; n?: number } = {}): Promise<[number, number, number, (readonly [number, number | undefined]) | undefined]> {
  const s = await h.check(command, { ...(options.dataOut ? { dataOut: options.dataOut } : {}), nexus: nexus(options.n ?? 1) });
  return [s.key, s.asc, s.ascq, s.field];
}

/** Take the unit attentions a nexus has pending (power on for its first command, a reset). */
async function attend(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < 3; i++) if ((await h.run(cdb.testUnitReady(), { nexus: nexus(n) })).sense?.[2] !== 0x06) break;
}

/** Write `blocks` (variable length) from nexus 1, rewind. */
async function writeBlocks(h: Harness, ...blocks: Buffer[]): Promise<void> {
  for (const b of blocks) await h.good(cdb.write6(b.length), { dataOut: b });
  await h.good(cdb.rewind());
}

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

describe('encrypted blocks through READ and WRITE', () => {
  test('a block written in mode ENCRYPT reads back with the key, and the medium holds only its envelope', async () => {
    const h = await createHarness();
    const m = await h.load();
    await setKey(h, { kads: [{ type: 0, value: Buffer.from('k1') }] });
    const block = Buffer.from('secret block '.repeat(40));
    await writeBlocks(h, block);
    assert.equal(m.objects[0].kind === 'block' && m.objects[0].sealed?.envelope.includes(Buffer.from('secret')), false);
    assert.deepEqual(await h.good(cdb.read6(block.length)), block);
  });

  test('with the key cleared the read is DATA PROTECT 74/01 UNABLE TO DECRYPT DATA, past the block', async () => {
    const h = await createHarness();
    await h.load();
    await setKey(h);
    await writeBlocks(h, Buffer.alloc(100, 1), Buffer.alloc(100, 2));
    await setKey(h, { enc: 0, dec: 0, alg: 0, key: Buffer.alloc(0) });
    const s = await h.check(cdb.read6(100));
    assert.deepEqual([s.key, s.asc, s.ascq, s.information], [0x7, 0x74, 0x01, 100]);
    assert.equal((await h.good(cdb.readPositionShort())).readUInt32BE(4), 1);
  });

  test('another key gives 74/03 INCORRECT DATA ENCRYPTION KEY', async () => {
    const h = await createHarness();
    await h.load();
    await setKey(h);
    await writeBlocks(h, Buffer.alloc(100, 1));
    await setKey(h, { key: Buffer.alloc(32, 0x11) });
    assert.deepEqual((await senseOf(h, cdb.read6(100))).slice(0, 3), [0x7, 0x74, 0x03]);
  });

  test('an unencrypted block in mode DECRYPT is 74/02; MIXED reads both kinds', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 7) });
    await setKey(h, { dec: 3 });
    await writeBlocks(h, Buffer.alloc(20, 8));
    assert.deepEqual(await h.good(cdb.read6(10)), Buffer.alloc(10, 7));
    assert.deepEqual(await h.good(cdb.read6(20)), Buffer.alloc(20, 8));
    await h.good(cdb.rewind());
    await setKey(h, { dec: 2 });
    assert.deepEqual((await senseOf(h, cdb.read6(10))).slice(0, 3), [0x7, 0x74, 0x02]);
  });

  test('ENCRYPT with RAW (stenc "rawread") writes encrypted blocks and reads them raw', async () => {
    const h = await createHarness();
    const m = await h.load();
    await setKey(h, { dec: 1 });
    await writeBlocks(h, Buffer.alloc(10, 7));
    const first = m.objects[0];
    assert.ok(first.kind === 'block' && first.sealed);
    assert.deepEqual(await h.good(cdb.read6(4096, 0x02)), first.sealed.envelope);
  });

  test('mode RAW returns the envelope; a block written with RDMC 11b is 74/0A', async () => {
    const h = await createHarness();
    const m = await h.load();
    await setKey(h);
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 7) });
    await setKey(h, { rdmc: 3 });
    await writeBlocks(h, Buffer.alloc(10, 8));
    await setKey(h, { enc: 0, dec: 1, alg: 0, key: Buffer.alloc(0) });
    const raw = await h.good(cdb.read6(4096, 0x02));
    const first = m.objects[0];
    assert.ok(first.kind === 'block' && first.sealed);
    assert.deepEqual(raw, first.sealed.envelope);
    assert.deepEqual((await senseOf(h, cdb.read6(4096, 0x02))).slice(0, 3), [0x7, 0x74, 0x0a]);
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

describe('key scope and lifetime', () => {
  test('setting the shared parameters raises 2A/12 on the other nexuses, not on the one that set them', async () => {
    const h = await createHarness();
    await attend(h, 2);
    await setKey(h, { scope: 2 });
    assert.deepEqual((await senseOf(h, cdb.testUnitReady(), { n: 2 })).slice(0, 3), [0x6, 0x2a, 0x12]);
    await h.good(spin(0x20, 0x0020));
    await setKey(h, { scope: 1 });
    assert.equal((await h.run(cdb.testUnitReady(), { nexus: nexus(2) })).sense?.[12], 0x3a, 'LOCAL parameters tell nobody');
  });

  test('a LOCAL key serves only its I_T nexus; an ALL I_T NEXUS key serves every nexus', async () => {
    const h = await createHarness();
    await h.load();
    await attend(h, 2);
    await setKey(h, { scope: 1 });
    await writeBlocks(h, Buffer.alloc(10, 1));
    assert.deepEqual((await senseOf(h, cdb.read6(10), { n: 2 })).slice(0, 3), [0x7, 0x74, 0x01]);
    await h.good(cdb.rewind(), { nexus: nexus(2) });
    await setKey(h, { scope: 2 }, 1);
    await attend(h, 2);
    assert.deepEqual(await h.good(cdb.read6(10), { nexus: nexus(2) }), Buffer.alloc(10, 1));
  });

  test('LOCK keeps another nexus from changing the parameters of all I_T nexuses (74/21), not its own LOCAL ones', async () => {
    const h = await createHarness();
    await attend(h, 2);
    await setKey(h, { lock: true });
    await attend(h, 2);
    const page = sde({ key: Buffer.alloc(32, 1) });
    assert.deepEqual(await senseOf(h, spout(page.length), { dataOut: page, n: 2 }), [0x5, 0x74, 0x21, undefined]);
    await setKey(h, { scope: 1 }, 2);
    await setKey(h, { lock: false, key: Buffer.alloc(32, 2) }, 1);
    await attend(h, 2);
    await setKey(h, { key: Buffer.alloc(32, 3) }, 2);
  });

  test('I_T nexus loss drops that nexus LOCAL key', async () => {
    const h = await createHarness();
    await setKey(h, { scope: 1 });
    h.unit.handleEvent({ kind: 'nexus-loss', nexus: nexus(1) });
    await attend(h, 1);
    assert.equal((await h.good(spin(0x20, 0x0020)))[5], 0);
  });

  test('CKOD drops the key when the cartridge is unloaded; without it the key stays', async () => {
    const h = await createHarness();
    await h.load();
    await setKey(h);
    await h.drive.unload({ force: true });
    assert.equal((await h.good(spin(0x20, 0x0020)))[5], 2);
    await setKey(h, { ckod: true });
    await h.load();
    await h.drive.unload({ force: true });
    assert.equal((await h.good(spin(0x20, 0x0020)))[5], 0);
  });

  test('a logical unit reset drops every key', async () => {
    const h = await createHarness();
    await attend(h, 2);
    await setKey(h, { scope: 2 });
    await attend(h, 2);
    await setKey(h, { scope: 1 }, 2);
    h.unit.handleEvent({ kind: 'logical-unit-reset', lun: 1, by: nexus(1) });
    await attend(h, 1);
    await attend(h, 2);
    assert.equal((await h.good(spin(0x20, 0x0020)))[5], 0);
    assert.equal((await h.good(spin(0x20, 0x0020), { nexus: nexus(2) }))[5], 0);
  });

  test('CKORL drops the key when its nexus releases the reservation it held; CKORP only when another takes it', async () => {
    const h = await createHarness();
    await h.good([0x16, 0, 0, 0, 0, 0]); // RESERVE(6)
    await setKey(h, { ckorl: true });
    await h.good([0x17, 0, 0, 0, 0, 0]); // RELEASE(6)
    assert.equal((await h.good(spin(0x20, 0x0020)))[5], 0);
    await h.good([0x16, 0, 0, 0, 0, 0]);
    await setKey(h, { ckorp: true });
    await h.good([0x17, 0, 0, 0, 0, 0]);
    assert.equal((await h.good(spin(0x20, 0x0020)))[5], 2, 'released, not preempted');
  });
});
