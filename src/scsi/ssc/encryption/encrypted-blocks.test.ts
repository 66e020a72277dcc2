// SECURITY PROTOCOL OUT's keys at work: encrypted blocks through READ and WRITE, and the keys' scope and lifetime.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cdb, createHarness, nexus } from '../testing/drive-harness.js';
import { attend, sde, senseOf, setKey, spin, spout, writeBlocks } from '../testing/security-protocol-pages.js';

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
