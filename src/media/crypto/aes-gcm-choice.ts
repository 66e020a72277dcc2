// Which AES-256-GCM (aes-gcm.ts) this thread uses: the system's OpenSSL called directly when it loads and agrees with
// node:crypto on a known answer, else node:crypto. Measured on 256 KiB records (2 cores, the same OpenSSL 3.0
// assembly underneath both): 65-85 us of CPU per record direct against 120-200 us through node:crypto, which hands
// back every update() in a fresh zeroed buffer that the caller then copies and the collector then finds.
import { AES_GCM_KEY_BYTES, AES_GCM_TAG_BYTES, type AesGcm } from './aes-gcm.js';
import { loadLibcryptoAesGcm } from './libcrypto-aes-gcm.js';
import { nodeAesGcm } from './node-aes-gcm.js';

/** Why this thread uses node:crypto, when it does. */
let fallbackReason: string | undefined;
let chosen: AesGcm | undefined;

/**
 * This thread's implementation, chosen on first use: the system's OpenSSL when it loads and agrees with node:crypto
 * on a known answer, else node:crypto. VTL_AES_GCM=node picks node:crypto (to compare the two).
 */
export function aesGcm(): AesGcm {
  if (chosen !== undefined) return chosen;
  chosen = choose();
  const listener = whenChosen;
  whenChosen = undefined;
  listener?.(aesGcmChoice());
  return chosen;
}

/** Told once, when this thread first needs the cipher (a process that never encrypts never loads libcrypto). */
let whenChosen: ((choice: ReturnType<typeof aesGcmChoice>) => void) | undefined;

/** `listener` hears this thread's choice once: now if it was made, else when it is (for the start-up's log). */
export function onAesGcmChosen(listener: (choice: ReturnType<typeof aesGcmChoice>) => void): void {
  if (chosen !== undefined) listener(aesGcmChoice());
  else whenChosen = listener;
}

function choose(): AesGcm {
  if (process.env['VTL_AES_GCM'] === 'node') {
    fallbackReason = 'VTL_AES_GCM=node';
    return nodeAesGcm;
  }
  try {
    const direct = loadLibcryptoAesGcm();
    const problem = disagreement(direct, nodeAesGcm);
    if (problem === undefined) return direct;
    fallbackReason = problem;
  } catch (error) {
    fallbackReason = `koffi or the system's libcrypto did not load (${error instanceof Error ? error.message : String(error)})`;
  }
  return nodeAesGcm;
}

/** Which implementation this thread uses, and why not the direct one (for a log line). */
export function aesGcmChoice(): { readonly name: AesGcm['name']; readonly fallbackReason?: string } {
  const { name } = aesGcm();
  return fallbackReason === undefined ? { name } : { name, fallbackReason };
}

/** A known answer both must give, and a forged tag both must refuse, before the direct one is trusted. */
function disagreement(candidate: AesGcm, reference: AesGcm): string | undefined {
  const key = Buffer.alloc(AES_GCM_KEY_BYTES, 0x5a);
  const nonce = Buffer.from('000102030405060708090a0b', 'hex');
  const aad = Buffer.from('vtl aes-gcm self-test');
  const input = Buffer.alloc(1000);
  for (let i = 0; i < input.length; i++) input[i] = (i * 7) & 0xff;
  const expected = Buffer.alloc(input.length);
  const expectedTag = Buffer.alloc(AES_GCM_TAG_BYTES);
  reference.seal(key, nonce, aad, input, expected, expectedTag);
  const got = Buffer.alloc(input.length);
  const gotTag = Buffer.alloc(AES_GCM_TAG_BYTES);
  candidate.seal(key, nonce, aad, input, got, gotTag);
  if (!got.equals(expected) || !gotTag.equals(expectedTag)) return `the system's libcrypto sealed a known answer differently from node:crypto`;
  const back = Buffer.alloc(input.length);
  if (!candidate.open(key, nonce, aad, got, gotTag, back) || !back.equals(input)) return `the system's libcrypto did not open its own seal`;
  gotTag[0] ^= 1;
  if (candidate.open(key, nonce, aad, got, gotTag, back)) return `the system's libcrypto accepted a forged tag`;
  return undefined;
}
