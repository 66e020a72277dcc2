// AES-256-GCM through node:crypto behind the cipher seam (aes-gcm.ts): the fallback when the system's OpenSSL cannot
// be called directly.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { copyBytes } from '../copy-bytes.js';
import { AES_GCM_TAG_BYTES, checkAesGcmArguments, type AesGcm } from './aes-gcm.js';

/**
 * The text goes through in pieces of this size: each piece node:crypto returns is a fresh buffer (zeroed, then copied
 * out), and pieces this small come from the allocator's free lists instead of fresh pages. GCM's output has the
 * input's length at every step, so a piece never overwrites input not yet read when both are the same memory.
 */
const PIECE_BYTES = 64 * 1024;

export const nodeAesGcm: AesGcm = {
  name: 'node:crypto',
  allocates: true,
  seal(key, nonce, aad, input, output, tag) {
    checkAesGcmArguments(key, nonce, input, output, tag);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_BYTES });
    cipher.setAAD(aad);
    let written = 0;
    for (let from = 0; from < input.length; from += PIECE_BYTES) written += copyBytes(cipher.update(input.subarray(from, from + PIECE_BYTES)), output, written);
    written += copyBytes(cipher.final(), output, written);
    if (written !== input.length) throw new Error('AES-GCM returned a ciphertext of another length');
    cipher.getAuthTag().copy(tag);
  },
  open(key, nonce, aad, input, tag, output) {
    checkAesGcmArguments(key, nonce, input, output, tag);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    let written = 0;
    for (let from = 0; from < input.length; from += PIECE_BYTES) written += copyBytes(decipher.update(input.subarray(from, from + PIECE_BYTES)), output, written);
    try {
      written += copyBytes(decipher.final(), output, written);
    } catch {
      return false;
    }
    return written === input.length;
  },
};
