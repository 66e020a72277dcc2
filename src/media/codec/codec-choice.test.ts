import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlockCodec, Lz4Codec } from './block-codec.js';
import { chooseCodecs, codecChoice, describeCodecChoice } from './codec-choice.js';
import { loadLiblz4 } from './liblz4-codec.js';
import { loadLibzstd } from './libzstd-codec.js';
import { napiLz4Codec } from './napi-lz4-codec.js';

const missing = (library: string) => (): never => {
  throw new Error(`${library}: cannot open shared object file`);
};

test('codecChoice() uses the system\'s libzstd and liblz4 where they load (Debian\'s libzstd1 and liblz4-1 here)', () => {
  const choice = codecChoice();
  assert.match(choice.zstd?.name ?? String(choice.zstdMissingReason), /^libzstd \d+\.\d+\.\d+$/);
  assert.match(choice.lz4.name, /^liblz4 \d+\.\d+\.\d+$/);
  assert.match(describeCodecChoice(choice), /^zstd from libzstd [\d.]+, LZ4 from liblz4 [\d.]+$/);
});

test('chooseCodecs() without the libraries has no zstd and lz4-napi\'s LZ4, and its log line says why', () => {
  const choice = chooseCodecs({ zstd: missing('libzstd.so.1'), lz4: missing('liblz4.so.1') });
  assert.equal(choice.zstd, undefined);
  assert.equal(choice.lz4, napiLz4Codec);
  assert.equal(describeCodecChoice(choice), "zstd unavailable (koffi or the system's libzstd did not load (libzstd.so.1: cannot open shared object file)): new chunks are LZ4-compressed, LZ4 from lz4-napi (slower; koffi or the system's liblz4 did not load (liblz4.so.1: cannot open shared object file))");
});

test('chooseCodecs() refuses a library that gets a known answer wrong or accepts a cut block', () => {
  const zstd = loadLibzstd();
  const lz4 = loadLiblz4();
  const wrong = <C extends BlockCodec>(codec: C): C => ({
    ...codec,
    decompress: (input, output) => {
      const written = codec.decompress(input, output);
      output[0] = (output[0] ?? 0) ^ 1;
      return written;
    },
  });
  const lying = <C extends BlockCodec>(codec: C): C => ({ ...codec, decompress: (_input, output) => output.length });
  const lenient = <C extends BlockCodec>(codec: C): C => ({
    ...codec,
    decompress: (input, output) => {
      try {
        return codec.decompress(input, output);
      } catch {
        return output.length;
      }
    },
  });
  const cases: [BlockCodec, Lz4Codec, RegExp, RegExp][] = [
    [lying(zstd), lying(lz4), /did not read the known frame/, /did not read the known block/],
    [lenient(zstd), lenient(lz4), /accepted a truncated block/, /accepted a truncated block/],
  ];
  for (const [badZstd, badLz4, zstdReason, lz4Reason] of cases) {
    const choice = chooseCodecs({ zstd: () => badZstd, lz4: () => badLz4 });
    assert.equal(choice.zstd, undefined);
    assert.match(choice.zstdMissingReason ?? '', zstdReason);
    assert.equal(choice.lz4, napiLz4Codec);
    assert.match(choice.lz4FallbackReason ?? '', lz4Reason);
  }
  const wrongAnswers = chooseCodecs({ zstd: () => wrong(zstd), lz4: () => wrong(lz4) });
  assert.deepEqual([wrongAnswers.zstd, wrongAnswers.lz4], [undefined, napiLz4Codec]);
  assert.match(wrongAnswers.zstdMissingReason ?? '', /did not read the known frame/);
});

test('chooseCodecs() leaves zstd out with VTL_ZSTD=off and takes lz4-napi with VTL_LZ4=napi', () => {
  const choice = chooseCodecs({ zstd: loadLibzstd, lz4: loadLiblz4 }, { VTL_ZSTD: 'off', VTL_LZ4: 'napi' });
  assert.deepEqual([choice.zstd, choice.zstdMissingReason, choice.lz4, choice.lz4FallbackReason], [undefined, 'VTL_ZSTD=off', napiLz4Codec, 'VTL_LZ4=napi']);
});
