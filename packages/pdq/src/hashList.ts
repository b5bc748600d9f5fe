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
  const parser = new HashListParser(options);
  if (text.includes('\u0000')) return parser.refuseBinary();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // byte-order mark
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) parser.line(line);
  return parser.result;
}

/**
 * The same parse one line at a time, so a caller can read a large list in slices and yield between
 * them (the service does, to keep a 900,000-line import from stalling everything else). Lines come
 * without their "\n"; the first may still hold a byte-order mark.
 */
export class HashListParser {
  readonly result: HashListResult = { entries: [], errors: [], errorCount: 0, ignored: 0, lines: 0 };
  private readonly defaultKind: HashKind;
  private readonly maxMeta: number;
  private readonly maxErrors: number;
  /** The header may only be the first line that is not blank or a comment. */
  private seenContent = false;

  constructor(options: HashListOptions = {}) {
    this.defaultKind = options.defaultKind ?? 'pdq';
    this.maxMeta = options.maxMetaLength ?? 1024;
    this.maxErrors = options.maxErrors ?? 100;
  }

  /** For input holding NUL bytes: one error, nothing parsed. */
  refuseBinary(): HashListResult {
    this.fail(1, 'not a text hash list (contains NUL bytes)');
    return this.result;
  }

  private fail(line: number, message: string): void {
    this.result.errorCount++;
    if (this.result.errors.length < this.maxErrors) this.result.errors.push({ line, message });
  }

  line(text: string): void {
    const result = this.result;
    const lineNo = ++result.lines;
    const raw = lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (raw.length > MAX_LINE_LENGTH) {
      this.fail(lineNo, `line is ${raw.length} characters long (limit ${MAX_LINE_LENGTH})`);
      this.seenContent = true;
      return;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      result.ignored++;
      return;
    }
    const headerCandidate = !this.seenContent;
    this.seenContent = true;
    const sep = line.search(/[,\t ]/);
    const token = sep < 0 ? line : line.slice(0, sep);
    const rest = sep < 0 ? '' : line.slice(sep + 1).trim();
    if (headerCandidate && HEADER_NAMES.has(token.toLowerCase())) {
      result.ignored++;
      return;
    }
    let kind: HashKind | undefined;
    let hex = token;
    const colon = token.indexOf(':');
    if (colon >= 0) {
      const prefix = token.slice(0, colon).toLowerCase();
      if (!isHashKind(prefix)) {
        this.fail(lineNo, `unknown hash kind "${clip(prefix)}" (expected pdq, md5 or sha256)`);
        return;
      }
      kind = prefix;
      hex = token.slice(colon + 1);
    } else if (token.toLowerCase().startsWith('hash=')) {
      hex = token.slice(5);
    }
    if (!HEX_RE.test(hex)) {
      this.fail(lineNo, `expected a hex hash, got ${describe(hex)}`);
      return;
    }
    if (kind === undefined) {
      if (hex.length === 32) kind = 'md5';
      else if (hex.length === 64) kind = this.defaultKind;
      else {
        this.fail(lineNo, `expected 64 hex digits (${this.defaultKind}) or 32 (md5), got ${hex.length}`);
        return;
      }
    } else if (hex.length !== HEX_LENGTH[kind]) {
      this.fail(lineNo, `a ${kind} hash has ${HEX_LENGTH[kind]} hex digits, got ${hex.length}`);
      return;
    }
    if (rest.length > this.maxMeta) {
      this.fail(lineNo, `metadata is ${rest.length} characters long (limit ${this.maxMeta})`);
      return;
    }
    if (CONTROL_RE.test(rest)) {
      this.fail(lineNo, 'metadata contains control characters');
      return;
    }
    const entry: HashListEntry = { line: lineNo, kind, hash: hex.toLowerCase() };
    if (rest !== '') entry.meta = rest;
    result.entries.push(entry);
  }
}

function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

function describe(text: string): string {
  return `"${clip(text).replace(CONTROL_RE_ALL, '?')}" (${text.length} characters)`;
}
