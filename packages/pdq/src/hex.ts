// PDQ hash <-> hex conversion in the reference layout.
//
// In memory a PDQ hash is a Uint32Array of 8 words. Bit k (k = row*16 + col of the 16x16 DCT
// output) lives in word k >>> 5 at bit k & 31. That is the reference's sixteen 16-bit words
// w[0..15] packed two to a word (w[2m] low half, w[2m+1] high half), so the reference hex
// string, which prints w[15] first and w[0] last, is simply words 7..0 as 8 hex digits each.
// Pure module: no Node imports (used on device too).

export const PDQ_HASH_WORDS = 8;
export const PDQ_HASH_BITS = 256;
export const PDQ_HEX_LENGTH = 64;

/** 256-bit PDQ hash: 8 unsigned 32-bit words, word m holds bits 32m..32m+31. */
export type PdqHash = Uint32Array;

const HEX_RE = /^[0-9a-f]+$/i;

export function isHex(text: string, length: number): boolean {
  return text.length === length && HEX_RE.test(text);
}

/** Parses a 64-hex-digit PDQ hash (case-insensitive). Throws on anything else. */
export function hexToHash(hex: string, out: PdqHash = new Uint32Array(PDQ_HASH_WORDS)): PdqHash {
  if (!isHex(hex, PDQ_HEX_LENGTH)) {
    throw new Error(`not a PDQ hash: expected ${PDQ_HEX_LENGTH} hex digits, got ${describeToken(hex)}`);
  }
  writeHexWords(hex, out, 0);
  return out;
}

/** Parses 64 hex digits into `words` at `offset` (8 words). Caller has validated the text. */
export function writeHexWords(hex: string, words: Uint32Array, offset: number): void {
  for (let m = 0; m < PDQ_HASH_WORDS; m++) {
    const start = (PDQ_HASH_WORDS - 1 - m) * 8;
    words[offset + m] = Number.parseInt(hex.slice(start, start + 8), 16) >>> 0;
  }
}

export function hashToHex(hash: Uint32Array, offset = 0): string {
  let out = '';
  for (let m = PDQ_HASH_WORDS - 1; m >= 0; m--) {
    out += (hash[offset + m]! >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

/** A short, safe rendering of a bad token for error messages (never echoes huge input). */
export function describeToken(text: string): string {
  const shown = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  return `${JSON.stringify(shown)} (${text.length} chars)`;
}
