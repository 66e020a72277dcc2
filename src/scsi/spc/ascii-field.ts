// SPC-4 4.4.1 ASCII data fields: printable characters (20h..7Eh), left-aligned and padded with spaces.

/** `text` left-aligned in a field of `length` bytes, padded with spaces; non-printable characters become spaces. */
export function asciiField(text: string, length: number): Buffer {
  const b = Buffer.alloc(length, 0x20);
  for (let i = 0; i < Math.min(text.length, length); i++) {
    const c = text.charCodeAt(i);
    b[i] = c >= 0x20 && c <= 0x7e ? c : 0x20;
  }
  return b;
}

/** Printable ASCII bytes of `text` (no padding). */
export function asciiBytes(text: string): Buffer {
  return asciiField(text, text.length);
}
