// The API's bearer token: 32 random bytes in hex, created at first start in `<dataDir>/api-token` with mode 0600,
// so only the server's user (and root) can drive the library; the CLI reads the same file.
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const API_TOKEN_FILE = 'api-token';

export function apiTokenPath(dataDir: string): string {
  return join(dataDir, API_TOKEN_FILE);
}

/** Read the token file, creating it first when it does not exist. */
export async function ensureApiToken(file: string): Promise<string> {
  const existing = await readApiToken(file);
  if (existing !== undefined) {
    // A token readable by others is a leak waiting to happen: tighten it rather than refuse to start.
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    return existing;
  }
  await mkdir(dirname(file), { recursive: true });
  const token = randomBytes(32).toString('hex');
  try {
    // `wx`: two servers starting at once must not overwrite each other's token.
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = await readApiToken(file);
    if (raced === undefined) throw new Error(`The API token file ${file} is empty`, { cause: error });
    return raced;
  }
}

/** The token in `file`, or undefined when the file does not exist or is empty. */
export async function readApiToken(file: string): Promise<string | undefined> {
  try {
    const token = (await readFile(file, 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Compares in constant time (hashing first makes the lengths equal, so the length does not leak either). */
export function tokensMatch(expected: string, presented: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(presented));
}
