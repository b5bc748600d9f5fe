// Bytes to text for chat exports: strict UTF-8 with the line of the first bad byte, UTF-16 by its
// BOM, and JSON parsing that can say which line a value came from.
import { UnusableInputError } from '../types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Line (1-based) of byte offset `at`. */
export function lineAtByte(bytes: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that breaks UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= bytes.length) return i;
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    // Overlong and surrogate forms the simple check above lets through.
    const b1 = bytes[i + 1]!;
    if (
      (b === 0xe0 && b1 < 0xa0) ||
      (b === 0xed && b1 > 0x9f) ||
      (b === 0xf0 && b1 < 0x90) ||
      (b === 0xf4 && b1 > 0x8f)
    )
      return i;
    i += need + 1;
  }
  return -1;
}

export function hasUtf16Bom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * Decodes a whole JSON export. JSON exports are UTF-8 (or UTF-16 with a BOM); a byte that is not
 * valid UTF-8 means the file was edited or joined in another encoding, and it stops the import
 * with the line: guessing would put the wrong words in front of a reviewer.
 */
export function decodeStrict(bytes: Uint8Array, file: string): string {
  const bom = hasUtf16Bom(bytes);
  if (bom) return new TextDecoder(bom).decode(bytes);
  if (bytes.includes(0))
    throw new UnusableInputError(
      `${file}:${lineAtByte(bytes, bytes.indexOf(0))}: binary data (a NUL byte): not a text export`,
    );
  try {
    return utf8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const at = Math.max(0, bad);
    throw new UnusableInputError(
      `${file}:${lineAtByte(bytes, at)}: byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} is not UTF-8: the file mixes text encodings (was it edited or re-saved in another encoding?)`,
    );
  }
}

export interface JsonDocument {
  value: unknown;
  /** Line where an object or array value starts; 0 when unknown. */
  lineOf(node: unknown): number;
}

/**
 * JSON.parse plus the line of every object and array. Containers are numbered in the order their
 * '{' or '[' appears, which is the order a depth-first walk of the parsed value meets them (keys
 * keep their order, except integer-like keys, which JSON.parse moves first: then lines are dropped).
 */
export function parseJsonWithLines(text: string, file: string): JsonDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const lineCol = /\(line (\d+) column \d+\)/.exec(message);
    const line = lineCol
      ? Number(lineCol[1])
      : position
        ? lineOfChar(text, Number(position[1]))
        : lineOfChar(text, text.length);
    throw new UnusableInputError(
      `${file}:${line}: not valid JSON (${message.replace(/^JSON\.parse: /, '')}); truncated or damaged export?`,
    );
  }
  const starts: number[] = [];
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) starts.push(line);
  }
  const lines = new WeakMap<object, number>();
  let next = 0;
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    lines.set(node, starts[next++] ?? 0);
    if (Array.isArray(node)) for (const item of node) walk(item);
    else for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key]);
  };
  walk(value);
  const trusted = next === starts.length;
  return {
    value,
    lineOf: (node) => (trusted && typeof node === 'object' && node !== null ? (lines.get(node) ?? 0) : 0),
  };
}

function lineOfChar(text: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}

/**
 * Instagram and Facebook write UTF-8 bytes as if each were a Latin-1 character ("Ã©" for "é").
 * A string made only of U+0000..U+00FF whose bytes are valid UTF-8 is decoded back; anything else
 * (real Latin-1 text, already-correct text) is left alone.
 */
export function repairMetaText(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s) || /[^\u0000-\u00ff]/.test(s)) return s;
  const bytes = Buffer.from(s, 'latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    return s;
  }
}
