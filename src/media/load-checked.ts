// Loading a system library's binding that is trusted only once it gives a known answer: the cipher seam
// (crypto/aes-gcm-choice.ts) and the codecs (codec/codec-choice.ts) both fall back, with the reason, when it does not.

/**
 * What `load()` returns, when it loads and `problemOf` finds nothing wrong with it; else the reason: that problem, or
 * `unloaded` of the error's message when it did not load.
 */
export function loadChecked<T>(load: () => T, problemOf: (loaded: T) => string | undefined, unloaded: (message: string) => string): { loaded: T } | { reason: string } {
  try {
    const loaded = load();
    const problem = problemOf(loaded);
    return problem === undefined ? { loaded } : { reason: problem };
  } catch (error) {
    return { reason: unloaded(error instanceof Error ? error.message : String(error)) };
  }
}
