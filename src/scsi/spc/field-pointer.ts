// Field pointers thrown by page code are relative to the page; the command knows where the page sits.
import { SenseError } from '../sense.js';

/** Run `fn`; a parameter-list field pointer it throws is moved by `offset` bytes. */
export function withParameterOffset<T>(offset: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const fp = err instanceof SenseError ? err.sense.fieldPointer : undefined;
    if (err instanceof SenseError && fp && !fp.inCdb) {
      throw new SenseError({ ...err.sense, fieldPointer: { ...fp, byte: fp.byte + offset } });
    }
    throw err;
  }
}

/** The highest set bit of a non-zero byte (field pointers name the most significant bit of a field). */
export function highestBit(value: number): number {
  return 31 - Math.clz32(value & 0xff);
}
