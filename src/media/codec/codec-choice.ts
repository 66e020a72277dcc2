// Which codecs this thread uses (block-codec.ts): zstd from the system's libzstd when it loads and gives the known
// answers, else none (new chunks then fall back to LZ4, and a zstd chunk cannot be read: its blocks answer MEDIUM
// ERROR); LZ4 from the system's liblz4 when it loads and agrees with lz4-napi, else lz4-napi. Measured on the
// deduplication bench's chunks: docs/BENCHMARKS.md "Issue 17: session 10, zstd".
import { loadChecked } from '../load-checked.js';
import { CodecError, type BlockCodec, type Lz4Codec } from './block-codec.js';
import { loadLiblz4 } from './liblz4-codec.js';
import { loadLibzstd } from './libzstd-codec.js';
import { napiLz4Codec } from './napi-lz4-codec.js';

export interface CodecChoice {
  readonly lz4: Lz4Codec;
  /** Why LZ4 is lz4-napi's, when it is. */
  readonly lz4FallbackReason?: string;
  /** Undefined when libzstd cannot be used; zstdMissingReason says why. */
  readonly zstd: BlockCodec | undefined;
  readonly zstdMissingReason?: string;
}

/** How to load the system's libraries (tests replace them to force the fallbacks). */
export interface CodecLoaders {
  readonly zstd: () => BlockCodec;
  readonly lz4: () => Lz4Codec;
}

const SYSTEM_LOADERS: CodecLoaders = { zstd: loadLibzstd, lz4: loadLiblz4 };

let chosen: CodecChoice | undefined;

/**
 * This thread's codecs, chosen on first use. VTL_ZSTD=off leaves zstd out and VTL_LZ4=napi picks lz4-napi (to try
 * the fallbacks, or to compare).
 */
export function codecChoice(): CodecChoice {
  chosen ??= chooseCodecs(SYSTEM_LOADERS, process.env);
  return chosen;
}

/** The codecs `loaders` give that pass their known answers; `env`: VTL_ZSTD and VTL_LZ4 as codecChoice() reads them. */
export function chooseCodecs(loaders: CodecLoaders, env: Record<string, string | undefined> = {}): CodecChoice {
  const lz4 = env['VTL_LZ4'] === 'napi' ? { reason: 'VTL_LZ4=napi' } : checked('liblz4', loaders.lz4, lz4Problem);
  const zstd = env['VTL_ZSTD'] === 'off' ? { reason: 'VTL_ZSTD=off' } : checked('libzstd', loaders.zstd, zstdProblem);
  return {
    ...('loaded' in lz4 ? { lz4: lz4.loaded } : { lz4: napiLz4Codec, lz4FallbackReason: lz4.reason }),
    ...('loaded' in zstd ? { zstd: zstd.loaded } : { zstd: undefined, zstdMissingReason: zstd.reason }),
  };
}

/** The choice as one log line's words: which libraries run, and why not the system's where they do not. */
export function describeCodecChoice(choice: CodecChoice): string {
  const zstd = choice.zstd === undefined ? `zstd unavailable (${choice.zstdMissingReason ?? 'unknown'}): new chunks are LZ4-compressed` : `zstd from ${choice.zstd.name}`;
  const lz4 = choice.lz4FallbackReason === undefined ? `LZ4 from ${choice.lz4.name}` : `LZ4 from ${choice.lz4.name} (slower; ${choice.lz4FallbackReason})`;
  return `${zstd}, ${lz4}`;
}

function checked<C extends BlockCodec>(library: string, load: () => C, problemOf: (codec: BlockCodec) => string | undefined): { loaded: C } | { reason: string } {
  return loadChecked(
    load,
    (codec) => {
      const problem = problemOf(codec);
      return problem === undefined ? undefined : `${codec.name} ${problem}`;
    },
    (message) => `koffi or the system's ${library} did not load (${message})`,
  );
}

/** The text of the zstd known answer. */
export const ZSTD_KNOWN_TEXT = Buffer.from('vtl zstd known answer: backup tape volume record server index catalog backup tape volume record server index catalog\n', 'latin1');
/** ZSTD_KNOWN_TEXT as the zstd 1.5.4 command line compressed it (`zstd -3 --no-check`): another writer's frame. */
export const ZSTD_KNOWN_FRAME = Buffer.from('28b52ffd207525020062c40e14a0b70d60d424eb2df2dd3e2789fd2ffeb75feb31c090c6d6cec60912d62b3d32d1bcab5f2493ca3fb63ea99c090ef40ba1195762315974d8ac0a010005325251', 'hex');
/**
 * An LZ4 block built by hand from the block format (lz4_Block_format.md), with the 4-byte length: literals `abcd`, a
 * match 4 back of 16 bytes, and the last sequence's 5 literals `abcde`.
 */
export const LZ4_KNOWN_BLOCK = Buffer.from('190000004c616263640400506162636465', 'hex');
export const LZ4_KNOWN_TEXT = Buffer.from('abcdabcdabcdabcdabcdabcde', 'latin1');

/** Bytes that compress (words) with a stretch that does not (a seeded xorshift), for the round trips. */
function sample(): Buffer {
  const bytes = Buffer.alloc(48 * 1024);
  let x = 2463534242;
  for (let i = 0; i < bytes.length; i++) {
    if (i % 4096 < 1024) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    } else bytes[i] = ZSTD_KNOWN_TEXT[i % ZSTD_KNOWN_TEXT.length] ?? 0;
  }
  return bytes;
}

/** Whether decompress() of `codec` on damaged input answers CodecError (and not a wrong result or a crash). */
function refusesDamage(codec: BlockCodec, compressed: Buffer, output: Buffer): boolean {
  const damaged = Buffer.from(compressed.subarray(0, compressed.length - 3));
  try {
    codec.decompress(damaged, output);
    return false;
  } catch (error) {
    return error instanceof CodecError;
  }
}

function roundTripProblem(codec: BlockCodec, level: number, reader: BlockCodec): string | undefined {
  const input = sample();
  const compressed = Buffer.alloc(codec.compressBound(input.length));
  const length = codec.compress(input, compressed, level);
  if (length >= input.length) return 'did not compress the self-test sample';
  const back = Buffer.alloc(input.length);
  if (reader.decompress(compressed.subarray(0, length), back) !== input.length || !back.equals(input)) return `${reader === codec ? 'did not read back' : `wrote what ${reader.name} does not read back as`} the self-test sample`;
  if (!refusesDamage(codec, compressed.subarray(0, length), back)) return 'accepted a truncated block';
  return undefined;
}

function zstdProblem(codec: BlockCodec): string | undefined {
  const output = Buffer.alloc(ZSTD_KNOWN_TEXT.length);
  if (codec.decompress(ZSTD_KNOWN_FRAME, output) !== output.length || !output.equals(ZSTD_KNOWN_TEXT)) return 'did not read the known frame';
  return roundTripProblem(codec, 3, codec);
}

function lz4Problem(codec: BlockCodec): string | undefined {
  const output = Buffer.alloc(LZ4_KNOWN_TEXT.length);
  if (codec.decompress(LZ4_KNOWN_BLOCK, output) !== output.length || !output.equals(LZ4_KNOWN_TEXT)) return 'did not read the known block';
  return roundTripProblem(codec, 0, napiLz4Codec) ?? roundTripProblem(napiLz4Codec, 0, codec);
}
