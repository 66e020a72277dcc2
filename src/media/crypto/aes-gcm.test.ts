import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AES_GCM_TAG_BYTES, type AesGcm } from './aes-gcm.js';
import { aesGcm, aesGcmChoice } from './aes-gcm-choice.js';
import { lackingFeatures, loadIpsecMbAesGcm } from './ipsec-mb-aes-gcm.js';
import { loadLibcryptoAesGcm } from './libcrypto-aes-gcm.js';
import { nodeAesGcm } from './node-aes-gcm.js';

// The GCM specification's test case 16 (McGrew and Viega, "The Galois/Counter Mode of Operation"): AES-256, a 96-bit
// IV, 60 bytes of text and 20 of additional data.
const vector = {
  key: Buffer.from('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308', 'hex'),
  nonce: Buffer.from('cafebabefacedbaddecaf888', 'hex'),
  aad: Buffer.from('feedfacedeadbeeffeedfacedeadbeefabaddad2', 'hex'),
  plain: Buffer.from('d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39', 'hex'),
  cipher: Buffer.from('522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662', 'hex'),
  tag: Buffer.from('76fc6ece0f4e1768cddf8853bb2d551b', 'hex'),
};

function loaded(load: () => AesGcm): AesGcm | string {
  try {
    return load();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const libcrypto = loaded(loadLibcryptoAesGcm);
const ipsecMb = loaded(loadIpsecMbAesGcm);
const implementations: [string, AesGcm | string][] = [['node:crypto', nodeAesGcm], ['libcrypto', libcrypto], ['ipsec-mb', ipsecMb]];

for (const [name, implementation] of implementations) {
  const skip = typeof implementation === 'string' ? `${name} did not load here: ${implementation}` : false;
  describe(`AES-256-GCM through ${name} (aes-gcm.ts)`, { skip }, () => {
    const gcm = implementation as AesGcm;
    const sealed = (key: Buffer, nonce: Buffer, aad: Buffer, plain: Buffer): { text: Buffer; tag: Buffer } => {
      const text = Buffer.alloc(plain.length);
      const tag = Buffer.alloc(AES_GCM_TAG_BYTES);
      gcm.seal(key, nonce, aad, plain, text, tag);
      return { text, tag };
    };

    test('seal() gives the GCM specification\'s known answer (test case 16)', () => {
      const { text, tag } = sealed(vector.key, vector.nonce, vector.aad, vector.plain);
      assert.deepEqual(text, vector.cipher);
      assert.deepEqual(tag, vector.tag);
    });

    test('open() recovers the known answer\'s text and refuses it with any bit of the tag, text or additional data flipped', () => {
      const output = Buffer.alloc(vector.plain.length);
      assert.equal(gcm.open(vector.key, vector.nonce, vector.aad, vector.cipher, vector.tag, output), true);
      assert.deepEqual(output, vector.plain);
      for (const which of ['tag', 'cipher', 'aad'] as const) {
        const bad = Buffer.from(vector[which]);
        bad[bad.length - 1] ^= 0x01;
        const inputs = { ...vector, [which]: bad };
        assert.equal(gcm.open(inputs.key, inputs.nonce, inputs.aad, inputs.cipher, inputs.tag, output), false, `flipped ${which}`);
      }
    });

    test('seal() gives the same bytes in place as into other memory, and open() works in place', () => {
      const plain = randomBytes(256 * 1024 + 5);
      const aad = randomBytes(50);
      const apart = sealed(vector.key, vector.nonce, aad, plain);
      const inPlace = Buffer.from(plain);
      const tag = Buffer.alloc(AES_GCM_TAG_BYTES);
      gcm.seal(vector.key, vector.nonce, aad, inPlace, inPlace, tag);
      assert.deepEqual(inPlace, apart.text);
      assert.deepEqual(tag, apart.tag);
      assert.equal(gcm.open(vector.key, vector.nonce, aad, inPlace, tag, inPlace), true);
      assert.deepEqual(inPlace, plain);
    });

    test('seal() and open() work on shared memory, as the payload workers hand it', () => {
      const memory = Buffer.from(new SharedArrayBuffer(4096));
      randomBytes(1000).copy(memory, 0);
      const plain = Buffer.from(memory.subarray(0, 1000));
      gcm.seal(vector.key, vector.nonce, vector.aad, memory.subarray(0, 1000), memory.subarray(2000, 3000), memory.subarray(3000, 3016));
      assert.deepEqual(memory.subarray(2000, 3000), nodeSealed(vector.key, vector.nonce, vector.aad, plain).text);
      assert.equal(gcm.open(vector.key, vector.nonce, vector.aad, memory.subarray(2000, 3000), memory.subarray(3000, 3016), memory.subarray(1000, 2000)), true);
      assert.deepEqual(memory.subarray(1000, 2000), plain);
    });

    test('an empty text is sealed to its tag alone, which opens', () => {
      const { text, tag } = sealed(vector.key, vector.nonce, vector.aad, Buffer.alloc(0));
      assert.equal(text.length, 0);
      assert.deepEqual(tag, nodeSealed(vector.key, vector.nonce, vector.aad, Buffer.alloc(0)).tag);
      assert.equal(gcm.open(vector.key, vector.nonce, vector.aad, text, tag, Buffer.alloc(0)), true);
    });

    test('seal() refuses a key, nonce or tag of the wrong size and output that overlaps the input without being it', () => {
      const plain = Buffer.alloc(64);
      const tag = Buffer.alloc(AES_GCM_TAG_BYTES);
      assert.throws(() => gcm.seal(vector.key.subarray(0, 16), vector.nonce, vector.aad, plain, Buffer.alloc(64), tag), /key has 32 bytes/);
      assert.throws(() => gcm.seal(vector.key, Buffer.alloc(16), vector.aad, plain, Buffer.alloc(64), tag), /nonce has 12 bytes/);
      assert.throws(() => gcm.seal(vector.key, vector.nonce, vector.aad, plain, Buffer.alloc(64), Buffer.alloc(12)), /tag has 16 bytes/);
      assert.throws(() => gcm.seal(vector.key, vector.nonce, vector.aad, plain, Buffer.alloc(63), tag), /output of 63 bytes/);
      const memory = Buffer.alloc(128);
      assert.throws(() => gcm.seal(vector.key, vector.nonce, vector.aad, memory.subarray(0, 64), memory.subarray(8, 72), tag), /overlap/);
    });
  });
}

function nodeSealed(key: Buffer, nonce: Buffer, aad: Buffer, plain: Buffer): { text: Buffer; tag: Buffer } {
  const text = Buffer.alloc(plain.length);
  const tag = Buffer.alloc(AES_GCM_TAG_BYTES);
  nodeAesGcm.seal(key, nonce, aad, plain, text, tag);
  return { text, tag };
}

describe('the cipher seam\'s choice (aes-gcm-choice.ts)', () => {
  test('ipsec-mb is used only where the library finds every feature of its VAES AVX-512 path', () => {
    // intel-ipsec-mb.h: IMB_CPUFLAGS_AVX512 | IMB_FEATURE_VAES | IMB_FEATURE_VPCLMULQDQ.
    const needed = (1n << 1n) | (1n << 2n) | (1n << 3n) | (1n << 4n) | (1n << 5n) | (1n << 6n) | (0x1fn << 7n) | (1n << 12n) | (1n << 13n) | (1n << 18n);
    assert.deepEqual(lackingFeatures(needed), []);
    assert.deepEqual(lackingFeatures(needed & ~(1n << 12n)), ['vaes']);
    assert.deepEqual(lackingFeatures(needed & ~((1n << 13n) | (1n << 10n))), ['avx512bw', 'vpclmulqdq']);
    assert.equal(lackingFeatures(0n).length, 14);
  });

  test('aesGcm() uses the fastest implementation that loads, and otherwise says why it fell back', () => {
    const choice = aesGcmChoice();
    assert.equal(choice.name, aesGcm().name);
    const forced = process.env['VTL_AES_GCM'];
    if (forced !== 'libcrypto' && forced !== 'node' && typeof ipsecMb !== 'string') {
      assert.equal(choice.name, 'ipsec-mb');
      if (forced === undefined) assert.equal(choice.fallbackReason, undefined);
    } else if (forced !== 'node' && typeof libcrypto !== 'string') {
      assert.equal(choice.name, 'libcrypto');
      assert.match(choice.fallbackReason ?? '', /VTL_AES_GCM=libcrypto|ipsec-mb's VAES AES-GCM did not load/);
    } else {
      assert.equal(choice.name, 'node:crypto');
      assert.match(choice.fallbackReason ?? '', /VTL_AES_GCM|did not load/);
    }
  });

  test('VTL_AES_GCM=libcrypto and VTL_AES_GCM=node start the choice further down, and say so; another value is ignored, and said', async (t) => {
    const saved = process.env['VTL_AES_GCM'];
    t.after(() => {
      if (saved === undefined) delete process.env['VTL_AES_GCM'];
      else process.env['VTL_AES_GCM'] = saved;
    });
    for (const forced of ['libcrypto', 'node', 'openssl'] as const) {
      process.env['VTL_AES_GCM'] = forced;
      const fresh = (await import(new URL(`./aes-gcm-choice.js?forced=${forced}`, import.meta.url).href)) as typeof import('./aes-gcm-choice.js');
      const choice = fresh.aesGcmChoice();
      if (forced === 'libcrypto' && typeof libcrypto !== 'string') assert.deepEqual(choice, { name: 'libcrypto', fallbackReason: 'VTL_AES_GCM=libcrypto' });
      if (forced === 'node') assert.deepEqual(choice, { name: 'node:crypto', fallbackReason: 'VTL_AES_GCM=node' });
      // Any other value is named in the reason and changes nothing.
      if (forced === 'openssl') {
        assert.equal(choice.name, aesGcm().name);
        assert.match(choice.fallbackReason ?? '', /^VTL_AES_GCM=openssl is neither libcrypto nor node, so it is ignored/);
      }
    }
  });

  test('onAesGcmChosen() is told the choice once, when the cipher is first needed (or at once if it was)', async () => {
    // A fresh instance of the module: nothing chosen yet in it.
    const fresh = (await import(new URL('./aes-gcm-choice.js?fresh', import.meta.url).href)) as typeof import('./aes-gcm-choice.js');
    const heard: unknown[] = [];
    fresh.onAesGcmChosen((choice) => heard.push(choice));
    assert.equal(heard.length, 0, 'nothing is chosen (nor a cipher library loaded) before the cipher is needed');
    fresh.aesGcm();
    fresh.aesGcm();
    assert.deepEqual(heard, [fresh.aesGcmChoice()], 'told once, with the choice');
    fresh.onAesGcmChosen((choice) => heard.push(choice));
    assert.equal(heard.length, 2, 'a listener after the choice is told at once');
  });
});
