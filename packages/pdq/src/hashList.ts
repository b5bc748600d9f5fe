// Parser for hash-list files (what NCMEC, IWF and others distribute, and what upstream PDQ
// tools read). Pure module. Grammar, one entry per line:
//
//   [kind:]HEX[<sep>METADATA]
//
// - kind is `pdq`, `md5` or `sha256` (case-insensitive, followed by `:`); upstream's `hash=`
//   prefix is also accepted. Without a kind, 32 hex digits is MD5 and 64 hex digits is the
//   list's default kind (PDQ unless the caller says SHA-256: the two look the same).
// - <sep> is a comma, tab or space; METADATA is the rest of the line (trimmed), kept as text.
// - Blank lines and lines starting with `#` are ignored. A first line whose first field is a
//   column name (hash, pdq, md5, sha256, signal, signal_value, hash_value) is a header and skipped.
// Every problem is reported with its 1-based line number; nothing is silently dropped.

export type HashKind = 'pdq' | 'md5' | 'sha256';
export const HASH_KINDS: readonly HashKind[] = ['pdq', 'md5', 'sha256'];
export const HEX_LENGTH: Record<HashKind, number> = { pdq: 64, md5: 32, sha256: 64 };

export interface HashListEntry {
  line: number;
  kind: HashKind;
  /** Lowercase hex. */
  hash: string;
  meta?: string;
}

export interface HashListError {
  line: number;
  message: string;
}

export interface HashListOptions {
  /** Kind for a bare 64-hex-digit hash. Default 'pdq'. */
  defaultKind?: 'pdq' | 'sha256';
  /** Longest metadata kept, in characters. Default 1024. */
  maxMetaLength?: number;
  /** Stop collecting error details after this many (the count keeps going). Default 100. */
  maxErrors?: number;
}

export interface HashListResult {
  entries: HashListEntry[];
  errors: HashListError[];
  /** Total bad lines, including those beyond maxErrors. */
  errorCount: number;
  /** Blank, comment and header lines. */
  ignored: number;
  lines: number;
}

const MAX_LINE_LENGTH = 8192;
const HEADER_NAMES = new Set(['hash', 'pdq', 'md5', 'sha256', 'signal', 'signal_value', 'hash_value']);
const HEX_RE = /^[0-9a-f]+$/i;
// Control characters other than tab have no business in metadata and can spoof terminal output.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE_ALL = /[\u0000-\u001f\u007f]/g;

/** Checks and normalises one hash of a known kind; returns lowercase hex or throws. */
export function normalizeHash(kind: HashKind, hash: string): string {
  const want = HEX_LENGTH[kind];
  if (hash.length !== want || !HEX_RE.test(hash)) {
    throw new Error(`not a valid ${kind} hash: expected ${want} hex digits, got ${describe(hash)}`);
  }
  return hash.toLowerCase();
}

export function isHashKind(value: string): value is HashKind {
  return (HASH_KINDS as readonly string[]).includes(value);
}

export function parseHashList(text: string, options: HashListOptions = {}): HashListResult {
  const defaultKind = options.defaultKind ?? 'pdq';
  const maxMeta = options.maxMetaLength ?? 1024;
  const maxErrors = options.maxErrors ?? 100;
  const result: HashListResult = { entries: [], errors: [], errorCount: 0, ignored: 0, lines: 0 };
  const fail = (line: number, message: string): void => {
    result.errorCount++;
    if (result.errors.length < maxErrors) result.errors.push({ line, message });
  };
  if (text.includes('\u0000')) {
    fail(1, 'not a text hash list (contains NUL bytes)');
    return result;
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // byte-order mark
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  result.lines = lines.length;
  const headerCandidate = firstContentLine(lines);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    if (raw.length > MAX_LINE_LENGTH) {
      fail(lineNo, `line is ${raw.length} characters long (limit ${MAX_LINE_LENGTH})`);
      continue;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      result.ignored++;
      continue;
    }
    const sep = line.search(/[,\t ]/);
    const token = sep < 0 ? line : line.slice(0, sep);
    const rest = sep < 0 ? '' : line.slice(sep + 1).trim();
    if (i === headerCandidate && HEADER_NAMES.has(token.toLowerCase())) {
      result.ignored++;
      continue;
    }
    let kind: HashKind | undefined;
    let hex = token;
    const colon = token.indexOf(':');
    if (colon >= 0) {
      const prefix = token.slice(0, colon).toLowerCase();
      if (!isHashKind(prefix)) {
        fail(lineNo, `unknown hash kind "${clip(prefix)}" (expected pdq, md5 or sha256)`);
        continue;
      }
      kind = prefix;
      hex = token.slice(colon + 1);
    } else if (token.toLowerCase().startsWith('hash=')) {
      hex = token.slice(5);
    }
    if (!HEX_RE.test(hex)) {
      fail(lineNo, `expected a hex hash, got ${describe(hex)}`);
      continue;
    }
    if (kind === undefined) {
      if (hex.length === 32) kind = 'md5';
      else if (hex.length === 64) kind = defaultKind;
      else {
        fail(lineNo, `expected 64 hex digits (${defaultKind}) or 32 (md5), got ${hex.length}`);
        continue;
      }
    } else if (hex.length !== HEX_LENGTH[kind]) {
      fail(lineNo, `a ${kind} hash has ${HEX_LENGTH[kind]} hex digits, got ${hex.length}`);
      continue;
    }
    if (rest.length > maxMeta) {
      fail(lineNo, `metadata is ${rest.length} characters long (limit ${maxMeta})`);
      continue;
    }
    if (CONTROL_RE.test(rest)) {
      fail(lineNo, 'metadata contains control characters');
      continue;
    }
    const entry: HashListEntry = { line: lineNo, kind, hash: hex.toLowerCase() };
    if (rest !== '') entry.meta = rest;
    result.entries.push(entry);
  }
  return result;
}

function firstContentLine(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t !== '' && !t.startsWith('#')) return i;
  }
  return -1;
}

function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

function describe(text: string): string {
  return `"${clip(text).replace(CONTROL_RE_ALL, '?')}" (${text.length} characters)`;
}
