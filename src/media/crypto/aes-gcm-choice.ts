// Which AES-256-GCM (aes-gcm.ts) this thread uses: Intel's ipsec-mb where the CPU has VAES on AVX-512, else the
// system's OpenSSL called directly, each only when it loads and agrees with node:crypto on a known answer, else
// node:crypto. Measured on 256 KiB records (2 cores): ipsec-mb's VAES path about 25 us of CPU per record, libcrypto
// 65-85 us (OpenSSL 3.0 has no VAES path), node:crypto 120-200 us, since it hands back every update() in a fresh
// zeroed buffer that the caller then copies and the collector then finds.
import { loadChecked } from '../load-checked.js';
import { AES_GCM_KEY_BYTES, AES_GCM_TAG_BYTES, type AesGcm } from './aes-gcm.js';
import { loadIpsecMbAesGcm } from './ipsec-mb-aes-gcm.js';
import { loadLibcryptoAesGcm } from './libcrypto-aes-gcm.js';
import { nodeAesGcm } from './node-aes-gcm.js';

/** Why this thread does not use the fastest implementation (ipsec-mb), when it does not. */
let fallbackReason: string | undefined;
let chosen: AesGcm | undefined;

/**
 * This thread's implementation, chosen on first use: ipsec-mb, else the system's OpenSSL, else node:crypto; the first
 * two only when they load and agree with node:crypto on a known answer. VTL_AES_GCM=libcrypto or VTL_AES_GCM=node starts
 * the choice further down (to compare them).
 */
export function aesGcm(): AesGcm {
  if (chosen !== undefined) return chosen;
  chosen = choose();
  const listener = whenChosen;
  whenChosen = undefined;
  listener?.(aesGcmChoice());
  return chosen;
}

/** Told once, when this thread first needs the cipher (a process that never encrypts loads no cipher library). */
let whenChosen: ((choice: ReturnType<typeof aesGcmChoice>) => void) | undefined;

/** `listener` hears this thread's choice once: now if it was made, else when it is (for the start-up's log). */
export function onAesGcmChosen(listener: (choice: ReturnType<typeof aesGcmChoice>) => void): void {
  if (chosen !== undefined) listener(aesGcmChoice());
  else whenChosen = listener;
}

/** The direct implementations, fastest first; VTL_AES_GCM=libcrypto skips the first, VTL_AES_GCM=node both. */
const DIRECT: readonly { readonly what: string; readonly load: () => AesGcm }[] = [
  { what: "ipsec-mb's VAES AES-GCM", load: loadIpsecMbAesGcm },
  { what: "the system's libcrypto", load: loadLibcryptoAesGcm },
];

function choose(): AesGcm {
  const forced = process.env['VTL_AES_GCM'];
  const reasons: string[] = [];
  const skipped = forced === 'node' ? DIRECT.length : forced === 'libcrypto' ? 1 : 0;
  if (skipped > 0) reasons.push(`VTL_AES_GCM=${forced}`);
  else if (forced !== undefined) reasons.push(`VTL_AES_GCM=${forced} is neither libcrypto nor node, so it is ignored`);
  for (const { what, load } of DIRECT.slice(skipped)) {
    const candidate = loadChecked(load, (loaded) => disagreement(loaded, nodeAesGcm, what), (message) => `${what} did not load (${message})`);
    if ('loaded' in candidate) {
      fallbackReason = reasons.length === 0 ? undefined : reasons.join('; ');
      return candidate.loaded;
    }
    reasons.push(candidate.reason);
  }
  fallbackReason = reasons.join('; ');
  return nodeAesGcm;
}

/** Which implementation this thread uses, and why not a faster one (for a log line). */
export function aesGcmChoice(): { readonly name: AesGcm['name']; readonly fallbackReason?: string } {
  const { name } = aesGcm();
  return fallbackReason === undefined ? { name } : { name, fallbackReason };
}

/** A known answer both must give, and a forged tag both must refuse, before the direct one is trusted. */
function disagreement(candidate: AesGcm, reference: AesGcm, what: string): string | undefined {
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
  if (!got.equals(expected) || !gotTag.equals(expectedTag)) return `${what} sealed a known answer differently from node:crypto`;
  const back = Buffer.alloc(input.length);
  if (!candidate.open(key, nonce, aad, got, gotTag, back) || !back.equals(input)) return `${what} did not open its own seal`;
  gotTag[0] ^= 1;
  if (candidate.open(key, nonce, aad, got, gotTag, back)) return `${what} accepted a forged tag`;
  return undefined;
}
