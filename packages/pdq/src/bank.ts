// Hash banks: named sets of known-image hashes (PDQ for near-duplicates, MD5 and SHA-256 for
// exact files) with enable/disable, incremental add/remove, and matching. Pure module: the
// persistent side lives behind HashBankStore (bankStore.ts).
//
// Role split after Meta's HMA: the hasher (pdq.ts) makes hashes, the matcher (multiIndex.ts)
// finds near ones, the curator (this file) decides which lists exist, which are in use, and
// what each entry says about itself.

import { hashToHex, hexToHash, type PdqHash } from './hex.ts';
import { normalizeHash, type HashKind } from './hashList.ts';
import { PdqIndex, type PdqIndexOptions } from './multiIndex.ts';

export type { HashKind } from './hashList.ts';

/** Upstream PDQ guidance: distance 31 or less is a match for 256-bit PDQ. */
export const DEFAULT_MAX_DISTANCE = 31;

const BANK_NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;

/** Bank names double as file names, so they are restricted to a safe, short alphabet. */
export function validateBankName(name: string): string {
  if (!BANK_NAME_RE.test(name) || name.includes('..')) {
    throw new BankError(
      'invalid_name',
      `invalid bank name ${JSON.stringify(name.slice(0, 80))}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return name;
}

export type BankErrorCode = 'invalid_name' | 'exists' | 'not_found' | 'disabled' | 'invalid_hash';

export class BankError extends Error {
  readonly code: BankErrorCode;
  constructor(code: BankErrorCode, message: string) {
    super(message);
    this.name = 'BankError';
    this.code = code;
  }
}

export interface BankEntry {
  kind: HashKind;
  /** Lowercase hex. */
  hash: string;
  /** Free text from the list (case number, category...). Never image content. */
  meta?: string;
}

export interface BankCounts {
  pdq: number;
  md5: number;
  sha256: number;
}

export interface BankSummary {
  name: string;
  enabled: boolean;
  counts: BankCounts;
}

export interface PdqBankMatch {
  bank: string;
  kind: 'pdq';
  /** The bank's hash that matched. */
  hash: string;
  distance: number;
  meta?: string;
}

export interface ExactBankMatch {
  bank: string;
  kind: 'md5' | 'sha256';
  hash: string;
  distance: 0;
  meta?: string;
}

export type BankMatch = PdqBankMatch | ExactBankMatch;

export interface AddResult {
  added: number;
  duplicates: number;
}

export class HashBank {
  readonly name: string;
  enabled: boolean;
  private readonly pdq: PdqIndex;
  /** Metadata of PDQ entries by index ref; refs are never reused. */
  private readonly pdqMeta: (string | undefined)[] = [];
  private readonly exact: Record<'md5' | 'sha256', Map<string, string | undefined>> = {
    md5: new Map(),
    sha256: new Map(),
  };
  private readonly scratch = new Uint32Array(8);

  constructor(name: string, options: { enabled?: boolean; index?: PdqIndexOptions } = {}) {
    this.name = validateBankName(name);
    this.enabled = options.enabled ?? true;
    this.pdq = new PdqIndex(options.index);
  }

  get counts(): BankCounts {
    return { pdq: this.pdq.size, md5: this.exact.md5.size, sha256: this.exact.sha256.size };
  }

  get size(): number {
    return this.pdq.size + this.exact.md5.size + this.exact.sha256.size;
  }

  /** Adds one entry. Returns false (and keeps the existing metadata) if the hash is already here. */
  add(entry: BankEntry): boolean {
    const hash = this.normalize(entry.kind, entry.hash);
    if (entry.kind === 'pdq') {
      const words = hexToHash(hash, this.scratch);
      const ref = this.pdqMeta.length;
      if (!this.pdq.add(words, ref)) return false;
      this.pdqMeta.push(entry.meta);
      return true;
    }
    const set = this.exact[entry.kind];
    if (set.has(hash)) return false;
    set.set(hash, entry.meta);
    return true;
  }

  /**
   * Adds many entries; PDQ tables are rebuilt once at the end rather than as they grow, or, with
   * `deferIndex`, left for indexSteps() (a caller adding in slices rebuilds once, yielding between steps).
   */
  addMany(entries: readonly BankEntry[], options: { deferIndex?: boolean } = {}): AddResult {
    // Validate everything before changing anything: a bad entry must not leave half a batch.
    const normalized = entries.map((entry) => this.normalize(entry.kind, entry.hash));
    let pdqCount = 0;
    for (const entry of entries) if (entry.kind === 'pdq') pdqCount++;
    const pdqWords = new Uint32Array(pdqCount * 8);
    const pdqRefs = new Uint32Array(pdqCount);
    const firstRef = this.pdqMeta.length;
    let added = 0;
    let duplicates = 0;
    let p = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const hash = normalized[i]!;
      if (entry.kind === 'pdq') {
        hexToHash(hash, this.scratch);
        pdqWords.set(this.scratch, p * 8);
        pdqRefs[p] = firstRef + p;
        this.pdqMeta.push(entry.meta);
        p++;
      } else if (this.exact[entry.kind].has(hash)) {
        duplicates++;
      } else {
        this.exact[entry.kind].set(hash, entry.meta);
        added++;
      }
    }
    if (pdqCount > 0) {
      const pdqAdded = this.pdq.addMany(pdqWords, pdqRefs, !options.deferIndex);
      if (pdqAdded < pdqCount) {
        // Refs of skipped duplicates stay unused: clear their metadata.
        for (let i = 0; i < pdqCount; i++) {
          if (this.pdq.refOf(pdqWords, i * 8) !== pdqRefs[i]) this.pdqMeta[pdqRefs[i]!] = undefined;
        }
      }
      added += pdqAdded;
      duplicates += pdqCount - pdqAdded;
    }
    return { added, duplicates };
  }

  /** The PDQ index rebuild that addMany(..., { deferIndex: true }) left due, in steps (see PdqIndex.indexSteps). */
  indexSteps(): Generator<void> {
    return this.pdq.indexSteps();
  }

  /** Removes one hash. Returns false if it was not in the bank. */
  remove(kind: HashKind, hash: string): boolean {
    const normalized = this.normalize(kind, hash);
    if (kind === 'pdq') {
      const ref = this.pdq.remove(hexToHash(normalized, this.scratch));
      if (ref === undefined) return false;
      this.pdqMeta[ref] = undefined;
      return true;
    }
    return this.exact[kind].delete(normalized);
  }

  has(kind: HashKind, hash: string): boolean {
    const normalized = this.normalize(kind, hash);
    if (kind === 'pdq') return this.pdq.refOf(hexToHash(normalized, this.scratch)) !== undefined;
    return this.exact[kind].has(normalized);
  }

  /** PDQ entries within maxDistance of the query, nearest first. */
  matchPdq(query: PdqHash, maxDistance = DEFAULT_MAX_DISTANCE): PdqBankMatch[] {
    return this.pdq.search(query, maxDistance).map((m) => {
      const match: PdqBankMatch = { bank: this.name, kind: 'pdq', hash: hashToHex(m.hash), distance: m.distance };
      const meta = this.pdqMeta[m.ref];
      if (meta !== undefined) match.meta = meta;
      return match;
    });
  }

  matchExact(kind: 'md5' | 'sha256', hash: string): ExactBankMatch | undefined {
    const normalized = this.normalize(kind, hash);
    const set = this.exact[kind];
    if (!set.has(normalized)) return undefined;
    const match: ExactBankMatch = { bank: this.name, kind, hash: normalized, distance: 0 };
    const meta = set.get(normalized);
    if (meta !== undefined) match.meta = meta;
    return match;
  }

  /** Current contents (for export and store compaction). */
  *entries(): Generator<BankEntry> {
    const pdq: BankEntry[] = [];
    this.pdq.forEach((words, ref) => {
      const entry: BankEntry = { kind: 'pdq', hash: hashToHex(words) };
      const meta = this.pdqMeta[ref];
      if (meta !== undefined) entry.meta = meta;
      pdq.push(entry);
    });
    yield* pdq;
    for (const kind of ['md5', 'sha256'] as const) {
      for (const [hash, meta] of this.exact[kind]) yield meta === undefined ? { kind, hash } : { kind, hash, meta };
    }
  }

  summary(): BankSummary {
    return { name: this.name, enabled: this.enabled, counts: this.counts };
  }

  private normalize(kind: HashKind, hash: string): string {
    try {
      return normalizeHash(kind, hash);
    } catch (err) {
      throw new BankError('invalid_hash', (err as Error).message);
    }
  }
}

export interface MatchOptions {
  maxDistance?: number;
  /** Only these banks. A named bank that is disabled is an error, not silently skipped. */
  banks?: readonly string[];
}

/** The curator: named banks, which are enabled, and matching across the enabled ones. */
export class BankRegistry {
  private readonly banks = new Map<string, HashBank>();

  create(name: string, options: { enabled?: boolean; index?: PdqIndexOptions } = {}): HashBank {
    validateBankName(name);
    if (this.banks.has(name)) throw new BankError('exists', `bank "${name}" already exists`);
    const bank = new HashBank(name, options);
    this.banks.set(name, bank);
    return bank;
  }

  get(name: string): HashBank | undefined {
    return this.banks.get(name);
  }

  require(name: string): HashBank {
    const bank = this.banks.get(name);
    if (!bank) throw new BankError('not_found', `no bank named "${name}"`);
    return bank;
  }

  delete(name: string): boolean {
    return this.banks.delete(name);
  }

  setEnabled(name: string, enabled: boolean): void {
    this.require(name).enabled = enabled;
  }

  list(): BankSummary[] {
    return [...this.banks.values()].map((b) => b.summary()).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** PDQ matches across the selected enabled banks, nearest first. */
  matchPdq(query: PdqHash, options: MatchOptions = {}): PdqBankMatch[] {
    const maxDistance = options.maxDistance ?? DEFAULT_MAX_DISTANCE;
    const out: PdqBankMatch[] = [];
    for (const bank of this.selected(options.banks)) out.push(...bank.matchPdq(query, maxDistance));
    return out.sort((a, b) => a.distance - b.distance || a.bank.localeCompare(b.bank));
  }

  matchExact(kind: 'md5' | 'sha256', hash: string, options: MatchOptions = {}): ExactBankMatch[] {
    const out: ExactBankMatch[] = [];
    for (const bank of this.selected(options.banks)) {
      const m = bank.matchExact(kind, hash);
      if (m) out.push(m);
    }
    return out;
  }

  /** Enabled banks to search: all of them, or the named ones (each must exist and be enabled). */
  selected(names?: readonly string[]): HashBank[] {
    if (names === undefined || names.length === 0) return [...this.banks.values()].filter((b) => b.enabled);
    return names.map((name) => {
      const bank = this.require(name);
      if (!bank.enabled) throw new BankError('disabled', `bank "${name}" is disabled (enable it first)`);
      return bank;
    });
  }
}
