// AES-256-GCM from Intel's ipsec-mb library (Debian's libipsec-mb1) called through koffi behind the cipher seam
// (aes-gcm.ts), used only where the CPU has VAES and VPCLMULQDQ on AVX-512 registers: there its GCM seals 256 KiB in
// about 25 us against 62 us for the system's OpenSSL 3.0, which has no such path (docs/BENCHMARKS.md, "Issue 16:
// session 11"). Like libcrypto-aes-gcm.ts it reads and writes the caller's memory and allocates nothing per call.
// The key schedule and the running GCM state live in one buffer of this thread, built for each record and zeroed after
// it, so no key schedule outlives its call.
import { createRequire } from 'node:module';
import { timingSafeEqual } from 'node:crypto';
import { AES_GCM_TAG_BYTES, checkAesGcmArguments, type AesGcm } from './aes-gcm.js';

/**
 * intel-ipsec-mb.h: the features of the CPU (and of the system, which must save AVX-512 state) as the library detects
 * them (imb_get_feature_flags()), those its AVX-512 path needs (IMB_CPUFLAGS_AVX512) and VAES and VPCLMULQDQ.
 */
const FEATURE = {
  aesni: 1n << 1n,
  pclmulqdq: 1n << 2n,
  cmov: 1n << 3n,
  'sse4.2': 1n << 4n,
  avx: 1n << 5n,
  avx2: 1n << 6n,
  avx512f: 1n << 7n,
  avx512dq: 1n << 8n,
  avx512cd: 1n << 9n,
  avx512bw: 1n << 10n,
  avx512vl: 1n << 11n,
  vaes: 1n << 12n,
  vpclmulqdq: 1n << 13n,
  bmi2: 1n << 18n,
} as const;

/** struct gcm_key_data: 15 round keys and 48 powers of the hash key (1008 bytes), aligned to 64 bytes. */
const KEY_DATA_BYTES = 1024;
/** struct gcm_context_data: 88 bytes, rounded up. */
const CONTEXT_BYTES = 128;
const ALIGNMENT = 64;

type Prepare = (key: Buffer, keyData: Buffer) => void;
type Crypt = (
  keyData: Buffer,
  context: Buffer,
  output: Buffer,
  input: Buffer,
  length: number,
  nonce: Buffer,
  aad: Buffer,
  aadLength: number,
  tag: Buffer,
  tagLength: number,
) => void;

const SONAMES = ['libIPSec_MB.so.1', 'libIPSec_MB.so.2'];

/**
 * Throws when koffi, the library or one of its functions cannot be had, or when the library finds the CPU without
 * VAES/VPCLMULQDQ on AVX-512 (its other paths are no faster than libcrypto's, and calling the AVX-512 one there would
 * stop the process on an illegal instruction).
 */
export function loadIpsecMbAesGcm(): AesGcm {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = openLibrary(koffi);
  const lacking = lackingFeatures(BigInt(lib.func('uint64_t imb_get_feature_flags()')() as number | bigint));
  if (lacking.length > 0) throw new Error(`the CPU lacks ${lacking.join(', ')} as ipsec-mb sees it, so its VAES AVX-512 path cannot run`);
  const prepare = lib.func('void aes_gcm_pre_256_vaes_avx512(void *key, void *keyData)') as Prepare;
  const signature = '(void *keyData, void *context, void *output, void *input, uint64_t length, void *nonce, void *aad, uint64_t aadLength, void *tag, uint64_t tagLength)';
  const encrypt = lib.func(`void aes_gcm_enc_256_vaes_avx512${signature}`) as Crypt;
  const decrypt = lib.func(`void aes_gcm_dec_256_vaes_avx512${signature}`) as Crypt;

  // One buffer, aligned by its address (the assembly loads the key data with aligned moves): key data, then context.
  const memory = Buffer.alloc(KEY_DATA_BYTES + CONTEXT_BYTES + ALIGNMENT);
  const start = (ALIGNMENT - Number(koffi.address(memory) % BigInt(ALIGNMENT))) % ALIGNMENT;
  const state = memory.subarray(start, start + KEY_DATA_BYTES + CONTEXT_BYTES);
  const keyData = state.subarray(0, KEY_DATA_BYTES);
  const context = state.subarray(KEY_DATA_BYTES);
  const computedTag = Buffer.alloc(AES_GCM_TAG_BYTES);

  return {
    name: 'ipsec-mb',
    allocates: false,
    seal(key, nonce, aad, input, output, tag) {
      checkAesGcmArguments(key, nonce, input, output, tag);
      try {
        prepare(key, keyData);
        encrypt(keyData, context, output, input, input.length, nonce, aad, aad.length, tag, AES_GCM_TAG_BYTES);
      } finally {
        state.fill(0);
      }
    },
    open(key, nonce, aad, input, tag, output) {
      checkAesGcmArguments(key, nonce, input, output, tag);
      try {
        prepare(key, keyData);
        decrypt(keyData, context, output, input, input.length, nonce, aad, aad.length, computedTag, AES_GCM_TAG_BYTES);
        return timingSafeEqual(computedTag, tag);
      } finally {
        state.fill(0);
        computedTag.fill(0);
      }
    },
  };
}

/** The features the VAES AVX-512 path needs that `features` (imb_get_feature_flags()) lacks, by name. */
export function lackingFeatures(features: bigint): string[] {
  return Object.entries(FEATURE)
    .filter(([, bit]) => (features & bit) === 0n)
    .map(([name]) => name);
}

function openLibrary(koffi: typeof import('koffi')): ReturnType<typeof koffi.load> {
  const failures: string[] = [];
  for (const soname of SONAMES) {
    try {
      return koffi.load(soname);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`no ipsec-mb library loaded (${failures.join('; ')})`);
}
