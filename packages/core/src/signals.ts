// Per-message signal detection: compiles the lexicon (rules as data) into a token trie and
// walks it once from each token of a normalised message. Pure and stateless.
import { LEXICON, type LexiconRule } from './lexicon.ts';
import { normalize, tokenize, WORD_TABLE_ENTRIES, type NormalizedText, type TokenStream } from './normalize.ts';
import type { GroomingStage, SignalKind, SignalMatch } from './reports.ts';

interface TrieNode {
  next: Map<string, TrieNode> | null;
  num: TrieNode | null;
  age: TrieNode | null;
  any: TrieNode | null;
  gap: TrieNode | null;
  /** Indexes of rules whose pattern ends here. */
  accepts: number[] | null;
  /**
   * Roots only: a flag per (first character, length) of the words in `next`, so most tokens,
   * which start no pattern, are turned away without a Map lookup.
   */
  startFilter?: Uint8Array;
}

const FILTER_LENGTHS = 32;
function startKey(token: string): number {
  return token.charCodeAt(0) * FILTER_LENGTHS + (token.length < FILTER_LENGTHS ? token.length : FILTER_LENGTHS - 1);
}
function buildStartFilter(root: TrieNode): void {
  const filter = new Uint8Array(128 * FILTER_LENGTHS);
  for (const word of root.next?.keys() ?? []) if (word.charCodeAt(0) < 128) filter[startKey(word)] = 1;
  root.startFilter = filter;
}

export interface CompiledLexicon {
  rules: LexiconRule[];
  root: TrieNode;
  /** Every literal word the patterns use: the vocabulary typos are corrected towards. */
  vocabulary: Set<string>;
  /** Letter signature of each vocabulary word: a swapped-letter typo shares it. */
  signatures: Set<number>;
  /** One bit per signature modulo 2^18, checked before the Set: a typed-array load instead of a hash probe. */
  signatureBits: Uint32Array;
  /** Patterns that cancel a rule in the same message, keyed by rule index in `accepts`. */
  unlessRoot: TrieNode;
  patternCount: number;
  /**
   * What this lexicon makes of each word-table entry (TokenStream ids; MEMO_* bits, 0 while
   * unknown), so a frequent word's typo check and start check run once, not on every message.
   */
  memo: Uint8Array;
  /** The word-table generation the memo belongs to. */
  memoEpoch: number;
}

const MEMO_KNOWN = 1;
const MEMO_CORRECTED = 2; // the typo corrector changes the word
const MEMO_STARTS = 4; // some pattern starts with the word

/** Ages people state in chat; outside this range a number is not read as an age. */
export const AGE_MIN = 9;
export const AGE_MAX = 79;
/** Words after a number that mean it is not an age ("im 10 minutes away"). */
export const NOT_AGE_AFTER = normalizedSet([
  'minutes', 'hours', 'seconds', 'sec', 'secs', 'days', 'day', 'weeks', 'week', 'months', 'month', 'percent', 'dollars', 'bucks', 'pounds',
  'euros', 'times', 'miles', 'mile', 'km', 'kms', 'feet', 'ft', 'inches', 'cm', 'kg', 'kgs', 'lbs', 'pm', 'am', 'people', 'players', 'things',
  'messages', 'more', 'of', 'x', 'th', 'st', 'nd', 'rd', 'points', 'pts', 'level', 'lvl', 'mb', 'gb', 'kb', 'k', 'items', 'games', 'floors',
  'steps', 'meters', 'metres', 'degrees', 'hrs', 'hours', 'mins', 'yards', 'yds', 'usd', 'gbp', 'eur', 'quid', 'cents', 'ghz', 'mhz', 'fps', 'bit',
]);

/** A word set in the same normalised form as message tokens ("dollars" → "dolars"). */
export function normalizedSet(words: string[]): Set<string> {
  return new Set(words.flatMap((w) => normalize(w).tokens));
}

function newNode(): TrieNode {
  return { next: null, num: null, age: null, any: null, gap: null, accepts: null };
}

type Item = { word: string } | { alts: Item[][]; optional: boolean };

/** Parses the pattern language; throws with the pattern text on a syntax error. */
function parsePattern(pattern: string): Item[] {
  let pos = 0;
  const src = pattern.trim();
  function parseSeq(inGroup: boolean): Item[] {
    const items: Item[] = [];
    while (pos < src.length) {
      const c = src[pos] as string;
      if (c === ' ') { pos++; continue; }
      if (c === ')' || c === '|') {
        if (!inGroup) throw new Error(`unbalanced '${c}' in pattern "${pattern}"`);
        return items;
      }
      if (c === '(') {
        pos++;
        const alts: Item[][] = [parseSeq(true)];
        while (src[pos] === '|') { pos++; alts.push(parseSeq(true)); }
        if (src[pos] !== ')') throw new Error(`missing ')' in pattern "${pattern}"`);
        pos++;
        const optional = src[pos] === '?';
        if (optional) pos++;
        items.push({ alts, optional });
        continue;
      }
      let end = pos;
      while (end < src.length && !' ()|'.includes(src[end] as string)) end++;
      items.push({ word: src.slice(pos, end) });
      pos = end;
    }
    if (inGroup) throw new Error(`missing ')' in pattern "${pattern}"`);
    return items;
  }
  return parseSeq(false);
}

const SPECIAL = new Set(['#age', '#num', '*', '~']);
/** Turns one pattern word into slots: specials and markers verbatim, others normalised like messages. */
function wordSlots(word: string): string[] {
  if (SPECIAL.has(word) || word.startsWith('<')) return [word];
  if (word.startsWith('#')) throw new Error(`unknown pattern token "${word}"`);
  return normalize(word).tokens;
}

const MAX_EXPANSIONS = 20_000;
function expand(items: Item[], pattern: string): string[][] {
  let out: string[][] = [[]];
  for (const item of items) {
    if ('word' in item) {
      const slots = wordSlots(item.word);
      out = out.map((seq) => seq.concat(slots));
      continue;
    }
    const variants: string[][] = item.optional ? [[]] : [];
    for (const alt of item.alts) variants.push(...expand(alt, pattern));
    const next: string[][] = [];
    for (const seq of out) for (const v of variants) next.push(seq.concat(v));
    out = next;
    if (out.length > MAX_EXPANSIONS) throw new Error(`pattern "${pattern}" expands to more than ${MAX_EXPANSIONS} phrases`);
  }
  return out;
}

function insert(root: TrieNode, seq: string[], ruleIndex: number): void {
  let node = root;
  for (const slot of seq) {
    let child: TrieNode | null;
    if (slot === '#age') child = node.age ??= newNode();
    else if (slot === '#num') child = node.num ??= newNode();
    else if (slot === '*') child = node.any ??= newNode();
    else if (slot === '~') child = node.gap ??= newNode();
    else {
      node.next ??= new Map();
      child = node.next.get(slot) ?? null;
      if (!child) { child = newNode(); node.next.set(slot, child); }
    }
    node = child;
  }
  node.accepts ??= [];
  if (!node.accepts.includes(ruleIndex)) node.accepts.push(ruleIndex);
}

/**
 * Compiles and statically checks a lexicon: every pattern must parse, start with a concrete
 * word or number, not be empty, and stay within the expansion budget.
 */
export function compileLexicon(rules: LexiconRule[]): CompiledLexicon {
  const root = newNode();
  const unlessRoot = newNode();
  let patternCount = 0;
  rules.forEach((rule, index) => {
    for (const [list, trie] of [[rule.patterns, root], [rule.unless ?? [], unlessRoot]] as const) {
      for (const pattern of list) {
        for (const seq of expand(parsePattern(pattern), pattern)) {
          if (seq.length === 0) throw new Error(`pattern "${pattern}" (${rule.kind}) can match nothing`);
          if (seq[0] === '*' || seq[0] === '~') throw new Error(`pattern "${pattern}" (${rule.kind}) must not start with a wildcard or gap`);
          if (seq[seq.length - 1] === '~') throw new Error(`pattern "${pattern}" (${rule.kind}) must not end with a gap`);
          insert(trie, seq, index);
          patternCount++;
        }
      }
    }
  });
  const vocabulary = new Set<string>();
  const collect = (node: TrieNode) => {
    if (node.next) for (const [word, child] of node.next) { vocabulary.add(word); collect(child); }
    for (const child of [node.num, node.age, node.any, node.gap]) if (child) collect(child);
  };
  collect(root);
  const signatures = new Set<number>();
  const signatureBits = new Uint32Array(SIGNATURE_BITS >>> 5);
  for (const word of vocabulary) {
    if (word.length < 4) continue;
    const sig = signature(word);
    signatures.add(sig);
    signatureBits[(sig & (SIGNATURE_BITS - 1)) >>> 5]! |= 1 << (sig & 31);
  }
  buildStartFilter(root);
  buildStartFilter(unlessRoot);
  return { rules, root, unlessRoot, patternCount, vocabulary, signatures, signatureBits, memo: new Uint8Array(WORD_TABLE_ENTRIES), memoEpoch: -1 };
}

const SIGNATURE_BITS = 1 << 18;
const correctionCache = new Map<string, string>();
let cachedFor: CompiledLexicon | null = null;
const MAX_CACHE = 20_000;
/**
 * Real words that are another lexicon word with two letters swapped ("quite"/"quiet",
 * "form"/"from"): seen when the corrector ran over 175k real chat messages.
 */
const NOT_TYPOS = normalizedSet(['quite', 'form', 'relay', 'dose', 'angle', 'sacred', 'pale', 'ends', 'calls', 'stfu', 'diary', 'trial', 'salt', 'dial', 'lion', 'spot', 'tired', 'silver', 'sliver', 'venom', 'intro', 'acre', 'acres']);

/**
 * Corrects two swapped letters towards the lexicon's vocabulary ("tlel" → "tell", "secert" →
 * "secret", "aynone" → "anyone"). Other typo classes (a missing, extra or wrong letter) are
 * not corrected: measured on 175k real chat messages they turn ordinary words into lexicon
 * words ("asked" → "naked", "bring" → "boring").
 */
/**
 * Mixes length, sum and sum of squares of the letters, which swapping two letters leaves
 * unchanged. A filter only (collisions just cost a full check); kept in small-integer range so
 * the Set lookup allocates nothing.
 */
function signature(word: string): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    sum += c;
    squares += c * c;
  }
  return (Math.imul(word.length * 2048 + sum, 0x9e3779b1) ^ squares) & 0x3fffffff;
}

export function correctTypo(token: string, compiled: CompiledLexicon = lexicon()): string {
  // Cheap filter first: no vocabulary word has this length and letter sum, so no swap fits.
  // (Cheaper than any cache lookup: a big Map misses the CPU cache on most tokens.)
  if (token.length < 4 || token.length > 14) return token;
  const sig = signature(token);
  if ((((compiled.signatureBits[(sig & (SIGNATURE_BITS - 1)) >>> 5] as number) >>> (sig & 31)) & 1) === 0 || !compiled.signatures.has(sig)) return token;
  const cached = correctionCache.get(token);
  if (cached !== undefined && compiled === cachedFor) return cached;
  if (compiled !== cachedFor) {
    correctionCache.clear();
    cachedFor = compiled;
  }
  if (correctionCache.size >= MAX_CACHE) correctionCache.clear();
  if (compiled.vocabulary.has(token)) {
    correctionCache.set(token, token);
    return token;
  }
  let result = token;
  if (/^[a-z]+$/.test(token) && !NOT_TYPOS.has(token)) {
    let found = '';
    let count = 0;
    for (let i = 0; i + 1 < token.length; i++) {
      const swapped = token.slice(0, i) + (token[i + 1] as string) + (token[i] as string) + token.slice(i + 2);
      if (swapped !== token && swapped !== found && compiled.vocabulary.has(swapped)) { found = swapped; count++; }
    }
    if (count === 1) result = found;
  }
  correctionCache.set(token, result);
  return result;
}

/**
 * The stream's tokens with typos corrected: the stream's own array when nothing changed (read
 * only its first `count`), else a corrected copy. Fills the memo for word-table tokens.
 */
function correctTokens(stream: TokenStream, compiled: CompiledLexicon): string[] {
  const tokens = stream.tokens;
  const ids = stream.ids;
  const n = stream.count;
  const memo = compiled.memo;
  if (stream.epoch >= 0 && stream.epoch !== compiled.memoEpoch) {
    memo.fill(0);
    compiled.memoEpoch = stream.epoch;
  }
  let out: string[] | null = null;
  for (let i = 0; i < n; i++) {
    const t = tokens[i] as string;
    const id = ids[i] as number;
    if (id >= 0) {
      let m = memo[id] as number;
      if (m === 0) {
        m = MEMO_KNOWN | (correctTypo(t, compiled) !== t ? MEMO_CORRECTED : 0) | (startsPattern(t, compiled.root) ? MEMO_STARTS : 0);
        memo[id] = m;
      }
      if ((m & MEMO_CORRECTED) === 0) continue;
    }
    const c = correctTypo(t, compiled);
    if (c !== t) {
      out ??= tokens.slice(0, n);
      out[i] = c;
    }
  }
  return out ?? tokens;
}

/** Whether a walk from `root` can get past this token (what findMatches checks unmemoised). */
function startsPattern(token: string, root: TrieNode): boolean {
  return ((root.num !== null || root.age !== null) && isNumber(token)) || root.next?.has(token) === true;
}

let defaultLexicon: CompiledLexicon | null = null;
function lexicon(): CompiledLexicon {
  return (defaultLexicon ??= compileLexicon(LEXICON));
}

function isNumber(token: string): boolean {
  const c = token.charCodeAt(0);
  return c >= 48 && c <= 57;
}

interface RawMatch {
  rule: number;
  from: number; // token index
  to: number; // exclusive token index
  age: number | undefined;
}

/** Walks the trie from `node` over tokens[pos..n), collecting the patterns that end. */
function walk(tokens: string[], n: number, start: number, found: RawMatch[], node: TrieNode, pos: number, age: number | undefined): void {
  if (node.accepts && pos > start) {
    for (const rule of node.accepts) found.push({ rule, from: start, to: pos, age });
  }
  if (node.gap) for (let k = 0; k <= 3 && pos + k <= n; k++) walk(tokens, n, start, found, node.gap, pos + k, age);
  if (pos >= n) return;
  const token = tokens[pos] as string;
  const child = node.next?.get(token);
  if (child) walk(tokens, n, start, found, child, pos + 1, age);
  if (node.any) walk(tokens, n, start, found, node.any, pos + 1, age);
  if ((node.num || node.age) && isNumber(token)) {
    if (node.num) walk(tokens, n, start, found, node.num, pos + 1, age);
    if (node.age) {
      const value = Number(token);
      const after = pos + 1 < n ? tokens[pos + 1] : undefined;
      if (value >= AGE_MIN && value <= AGE_MAX && token.length <= 2 && (after === undefined || !NOT_AGE_AFTER.has(after))) {
        walk(tokens, n, start, found, node.age, pos + 1, value);
      }
    }
  }
}

const NO_MATCHES: RawMatch[] = [];

/**
 * Matches starting at each of the first n tokens. With `memo` (for `root`), a word-table token
 * whose memo says it is uncorrected skips the start checks: the memo holds their answer.
 */
function findMatches(tokens: string[], n: number, root: TrieNode, ids: Int32Array | null, memo: Uint8Array | null): RawMatch[] {
  let found: RawMatch[] | null = null;
  const filter = root.startFilter;
  const hasNumberStart = root.num !== null || root.age !== null;
  for (let i = 0; i < n; i++) {
    const token = tokens[i] as string;
    if (memo !== null) {
      const id = (ids as Int32Array)[i] as number;
      const m = id >= 0 ? (memo[id] as number) : 0;
      if ((m & (MEMO_KNOWN | MEMO_CORRECTED)) === MEMO_KNOWN) {
        if ((m & MEMO_STARTS) !== 0) walk(tokens, n, i, (found ??= []), root, i, undefined);
        continue;
      }
    }
    // Cheap pre-check before startsPattern's Map lookup: most words start no pattern at all (and
    // most messages allocate nothing). The filter knows words only, so numbers go past it.
    const key = startKey(token);
    if (filter !== undefined && key < filter.length && filter[key] === 0 && !(hasNumberStart && isNumber(token))) continue;
    if (startsPattern(token, root)) walk(tokens, n, i, (found ??= []), root, i, undefined);
  }
  return found ?? NO_MATCHES;
}

/** A caller's NormalizedText as a stream with no word-table ids (nothing memoised). */
function streamOf(norm: NormalizedText): TokenStream {
  const n = norm.tokens.length;
  return { tokens: norm.tokens, starts: Int32Array.from(norm.starts), ends: Int32Array.from(norm.ends), ids: new Int32Array(n).fill(-1), count: n, epoch: -1 };
}

export interface DetectedSignal extends SignalMatch {
  stage: GroomingStage | null;
}

/** Shared (frozen) result for the common message with no signal: nothing allocated. */
const NO_SIGNALS: readonly DetectedSignal[] = Object.freeze([]);

/**
 * Requests that a negation right before them turns into advice ("never send pics to
 * strangers", "you shouldnt meet people from online"). Secrecy is not here: "dont tell" is
 * itself the signal.
 */
const NEGATABLE = new Set<SignalKind>(['image_request', 'meeting', 'platform_move', 'gift', 'money', 'personal_info', 'sextortion_payment']);
const NEGATIONS = normalizedSet(['dont', 'do not', 'never', 'shouldnt', 'should not', 'not', 'wont', 'cant', 'mustnt', 'must not', 'stop', 'no']);
const NEGATION_BRIDGES = normalizedSet(['to', 'ever', 'even', 'just', 'you', 'u', 'anyone']);

function negated(tokens: string[], from: number): boolean {
  const before = tokens[from - 1];
  if (before === undefined) return false;
  if (NEGATIONS.has(before)) return true;
  const twoBefore = tokens[from - 2];
  return twoBefore !== undefined && NEGATIONS.has(twoBefore) && NEGATION_BRIDGES.has(before) && tokens[from - 3] !== 'why';
}

/** Most matches one message can yield: bounds the work a hostile message can cause downstream. */
const MAX_MATCHES_PER_MESSAGE = 16;

/**
 * Detects the signals in one message. Returns each signal with its span in the original
 * text; overlapping matches of the same kind are merged to the longest.
 */
export function detectSignals(text: string, normalized?: NormalizedText | TokenStream, compiled: CompiledLexicon = lexicon()): DetectedSignal[] {
  let norm: TokenStream;
  if (normalized === undefined) norm = tokenize(text);
  else if ('count' in normalized) norm = normalized;
  else norm = streamOf(normalized);
  const tokens = correctTokens(norm, compiled);
  const n = norm.count;
  const raw = findMatches(tokens, n, compiled.root, norm.ids, compiled.memo);
  if (raw.length === 0) return NO_SIGNALS as DetectedSignal[];
  let cancelled: Set<number> | null = null;
  for (const m of raw) {
    if (compiled.rules[m.rule]?.unless) {
      cancelled = new Set(findMatches(tokens, n, compiled.unlessRoot, null, null).map((u) => u.rule));
      break;
    }
  }
  // Longest match first, then earliest, so overlapping shorter matches of a kind are dropped.
  raw.sort((a, b) => b.to - b.from - (a.to - a.from) || a.from - b.from);
  const taken: { kind: SignalKind; from: number; to: number }[] = [];
  const out: DetectedSignal[] = [];
  for (const m of raw) {
    if (cancelled?.has(m.rule)) continue;
    const rule = compiled.rules[m.rule] as LexiconRule;
    let kind = rule.kind;
    if (kind === 'age_disclosure_minor' && m.age !== undefined && m.age >= 18) kind = 'age_disclosure_adult';
    if (NEGATABLE.has(kind) && negated(tokens, m.from)) continue;
    if (taken.some((t) => t.kind === kind && t.from < m.to && m.from < t.to)) continue;
    taken.push({ kind, from: m.from, to: m.to });
    const start = norm.starts[m.from] as number;
    const end = norm.ends[m.to - 1] as number;
    const signal: DetectedSignal = { kind, start, end, excerpt: text.slice(start, end), stage: rule.stage };
    if (m.age !== undefined) signal.age = m.age;
    out.push(signal);
    if (out.length >= MAX_MATCHES_PER_MESSAGE) break;
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}
