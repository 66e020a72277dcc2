// The cipher seam of FORMAT.md "Encrypted records": AES-256-GCM with a 12-byte nonce and a 16-byte tag, into memory
// the caller owns. Three implementations give the same bytes (aes-gcm.test.ts runs one suite on each): Intel's ipsec-mb
// where the CPU has VAES on AVX-512 (ipsec-mb-aes-gcm.ts), the system's OpenSSL called directly (libcrypto-aes-gcm.ts)
// and node:crypto (node-aes-gcm.ts); aes-gcm-choice.ts picks one.
export const AES_GCM_KEY_BYTES = 32;
export const AES_GCM_NONCE_BYTES = 12;
export const AES_GCM_TAG_BYTES = 16;

export interface AesGcm {
  readonly name: 'ipsec-mb' | 'libcrypto' | 'node:crypto';
  /** Whether each call leaves garbage behind in the calling thread's heap (a worker collects it itself). */
  readonly allocates: boolean;
  /**
   * Encrypt `input` into `output` (as long as it; the very same memory, or memory not overlapping it) under
   * additional data `aad`, and write the tag into `tag`.
   */
  seal(key: Buffer, nonce: Buffer, aad: Buffer, input: Buffer, output: Buffer, tag: Buffer): void;
  /** Decrypt `input` into `output` (as for seal()): false when `tag` does not authenticate them, `output` then unusable. */
  open(key: Buffer, nonce: Buffer, aad: Buffer, input: Buffer, tag: Buffer, output: Buffer): boolean;
}

/** Throws unless `input` and `output` are as seal() and open() take them. */
export function checkAesGcmArguments(key: Buffer, nonce: Buffer, input: Buffer, output: Buffer, tag: Buffer): void {
  if (key.length !== AES_GCM_KEY_BYTES) throw new RangeError(`An AES-256-GCM key has ${AES_GCM_KEY_BYTES} bytes, not ${key.length}`);
  if (nonce.length !== AES_GCM_NONCE_BYTES) throw new RangeError(`An AES-256-GCM nonce has ${AES_GCM_NONCE_BYTES} bytes, not ${nonce.length}`);
  if (tag.length !== AES_GCM_TAG_BYTES) throw new RangeError(`An AES-256-GCM tag has ${AES_GCM_TAG_BYTES} bytes, not ${tag.length}`);
  if (output.length !== input.length) throw new RangeError(`AES-GCM output of ${output.length} bytes for ${input.length} bytes of input`);
  if (input.length === 0 || input.buffer !== output.buffer) return;
  const same = input.byteOffset === output.byteOffset;
  const apart = input.byteOffset + input.length <= output.byteOffset || output.byteOffset + output.length <= input.byteOffset;
  if (!same && !apart) throw new RangeError('AES-GCM input and output overlap without being the same memory');
}
