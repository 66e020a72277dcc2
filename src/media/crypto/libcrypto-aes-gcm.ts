// AES-256-GCM from the system's OpenSSL (libcrypto.so.3) called through koffi's FFI behind the cipher seam
// (aes-gcm.ts): the cipher reads the caller's buffer and writes into the caller's buffer, nothing allocated per call.
// Loaded with RTLD_DEEPBIND: node exports its own bundled OpenSSL's symbols, and without it the system library's
// internal calls bind to node's copy (seen with LD_DEBUG=bindings), which is only safe while both are the same version.
// One EVP_CIPHER_CTX per thread, reset after each record so no key schedule outlives its call.
import { createRequire } from 'node:module';
import { AES_GCM_TAG_BYTES, checkAesGcmArguments, type AesGcm } from './aes-gcm.js';

/** openssl/evp.h */
const EVP_CTRL_GCM_GET_TAG = 0x10;
const EVP_CTRL_GCM_SET_TAG = 0x11;

type Pointer = unknown;
type Init = (ctx: Pointer, cipher: Pointer, engine: null, key: Buffer, iv: Buffer) => number;
type Update = (ctx: Pointer, output: Buffer | null, outputLength: Int32Array, input: Buffer, inputLength: number) => number;
type Final = (ctx: Pointer, output: Buffer, outputLength: Int32Array) => number;
type Control = (ctx: Pointer, type: number, arg: number, bytes: Buffer) => number;

/**
 * Throws when koffi's binary (an optional package, one per platform), libcrypto.so.3 or one of its functions cannot be
 * had; koffi is required here rather than imported, so that a platform without it still starts, with node:crypto.
 */
export function loadLibcryptoAesGcm(): AesGcm {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load('libcrypto.so.3', { deep: true });
  const newContext = lib.func('void *EVP_CIPHER_CTX_new()') as () => Pointer;
  const resetContext = lib.func('int EVP_CIPHER_CTX_reset(void *ctx)') as (ctx: Pointer) => number;
  const fetchCipher = lib.func('void *EVP_CIPHER_fetch(void *libctx, const char *algorithm, const char *properties)') as (libctx: null, algorithm: string, properties: null) => Pointer;
  const encryptInit = lib.func('int EVP_EncryptInit_ex(void *ctx, void *cipher, void *engine, void *key, void *iv)') as Init;
  const encryptUpdate = lib.func('int EVP_EncryptUpdate(void *ctx, void *out, int32_t *outl, void *input, int inl)') as Update;
  const encryptFinal = lib.func('int EVP_EncryptFinal_ex(void *ctx, void *out, int32_t *outl)') as Final;
  const decryptInit = lib.func('int EVP_DecryptInit_ex(void *ctx, void *cipher, void *engine, void *key, void *iv)') as Init;
  const decryptUpdate = lib.func('int EVP_DecryptUpdate(void *ctx, void *out, int32_t *outl, void *input, int inl)') as Update;
  const decryptFinal = lib.func('int EVP_DecryptFinal_ex(void *ctx, void *out, int32_t *outl)') as Final;
  const control = lib.func('int EVP_CIPHER_CTX_ctrl(void *ctx, int type, int arg, void *ptr)') as Control;
  const cipher = fetchCipher(null, 'AES-256-GCM', null);
  const ctx = newContext();
  if (cipher === null || ctx === null) throw new Error('libcrypto has no AES-256-GCM');
  const written = new Int32Array(1);
  /** GCM's final step writes no bytes; it still takes somewhere to write them. */
  const finalBytes = Buffer.alloc(16);

  const fail = (step: string): never => {
    resetContext(ctx);
    throw new Error(`libcrypto's AES-256-GCM failed at ${step}`);
  };
  /** Both halves pass the text in one call: libcrypto's int length holds any record (at most 2^31-1 bytes). */
  const run = (update: Update, input: Buffer, output: Buffer, aad: Buffer): void => {
    if (aad.length > 0 && update(ctx, null, written, aad, aad.length) !== 1) fail('the additional data');
    if (input.length > 0 && (update(ctx, output, written, input, input.length) !== 1 || written[0] !== input.length)) fail('the text');
  };
  return {
    name: 'libcrypto',
    allocates: false,
    seal(key, nonce, aad, input, output, tag) {
      checkAesGcmArguments(key, nonce, input, output, tag);
      if (encryptInit(ctx, cipher, null, key, nonce) !== 1) fail('setting the key');
      run(encryptUpdate, input, output, aad);
      if (encryptFinal(ctx, finalBytes, written) !== 1 || written[0] !== 0) fail('the final step');
      if (control(ctx, EVP_CTRL_GCM_GET_TAG, AES_GCM_TAG_BYTES, tag) !== 1) fail('reading the tag');
      resetContext(ctx);
    },
    open(key, nonce, aad, input, tag, output) {
      checkAesGcmArguments(key, nonce, input, output, tag);
      if (decryptInit(ctx, cipher, null, key, nonce) !== 1) fail('setting the key');
      run(decryptUpdate, input, output, aad);
      if (control(ctx, EVP_CTRL_GCM_SET_TAG, AES_GCM_TAG_BYTES, tag) !== 1) fail('setting the tag');
      const authentic = decryptFinal(ctx, finalBytes, written) === 1;
      resetContext(ctx);
      return authentic;
    },
  };
}
