// Per-message signal detection: compiles the lexicon (rules as data) into a token trie and
// walks it once from each token of a normalised message. Pure and stateless.
import { LEXICON, WORD_CLASSES, type LexiconRule } from './lexicon.ts';
import {
  CANONICAL,
  normalize,
  tokenize,
  WORD_TABLE_ENTRIES,
  type NormalizedText,
  type TokenStream,
} from './normalize.ts';
import type { GroomingStage, SignalKind, SignalMatch } from './reports.ts';

interface TrieNode {
  next: Map<string, TrieNode> | null;
  num: TrieNode | null;
  age: TrieNode | null;
  any: TrieNode | null;
  gap: TrieNode | null;
  /** Numbers read as a school year, grade or birth year (see NUMBER_SPECIALS). */
  special: [NumberSpecial, TrieNode][] | null;
  /** `@class` slots: the class's own trie is walked, then this child from where it ended. */
  classes: [CompiledClass, TrieNode][] | null;
  /**
   * Indexes of the `classes` entries a word can start, by word (in `classes` order), so a walk
   * looks a token up once instead of asking every class; built by indexClassSlots once the trie
   * is complete, and shared by every node with the same classes in the same order.
   */
  classesByStart: Map<string, number[]> | null;
  /** startKey flags of the words in classesByStart (shared with it): most tokens stop here. */
  classStartFilter: Uint8Array | null;
  /** Whether some entry of `classes` can start with a number. */
  numberClass: boolean;
  /** Indexes of the `classes` entries that start with any number (shared like classesByStart). */
  numberSlots: number[] | null;
  /**
   * A 32-bit sketch (bit per first letter and length, see tokenBit) of the tokens that can take
   * a walk on from this node, or all ones when it accepts, skips (gap, `*`) or reads numbers: a
   * walk does not step into a node whose sketch lacks the next token's bit. Most steps end there.
   */
  onward: number;
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
  for (const [cls] of root.classes ?? [])
    for (const word of cls.starts) if (word.charCodeAt(0) < 128) filter[startKey(word)] = 1;
  root.startFilter = filter;
}

export interface CompiledLexicon {
  rules: LexiconRule[];
  root: TrieNode;
  /** Every literal word the patterns use: the vocabulary typos are corrected towards. */
  vocabulary: Set<string>;
  /** Chat-speak spellings of vocabulary words (CANONICAL keys), also corrected towards. */
  aliases: Map<string, string>;
  /** Vocabulary words by their consonants, where those name exactly one word ("frnds" → "friends"). */
  skeletons: Map<string, string>;
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
  'minutes',
  'hours',
  'seconds',
  'sec',
  'secs',
  'days',
  'day',
  'weeks',
  'week',
  'months',
  'month',
  'percent',
  'dollars',
  'bucks',
  'pounds',
  'euros',
  'times',
  'miles',
  'mile',
  'km',
  'kms',
  'feet',
  'ft',
  'inches',
  'cm',
  'kg',
  'kgs',
  'lbs',
  'pm',
  'am',
  'people',
  'players',
  'things',
  'messages',
  'more',
  'of',
  'x',
  'th',
  'st',
  'nd',
  'rd',
  'points',
  'pts',
  'level',
  'lvl',
  'mb',
  'gb',
  'kb',
  'k',
  'items',
  'games',
  'floors',
  'steps',
  'meters',
  'metres',
  'degrees',
  'hrs',
  'hours',
  'mins',
  'yards',
  'yds',
  'usd',
  'gbp',
  'eur',
  'quid',
  'cents',
  'ghz',
  'mhz',
  'fps',
  'bit',
]);

/** A word set in the same normalised form as message tokens ("dollars" → "dolars"). */
export function normalizedSet(words: string[]): Set<string> {
  return new Set(words.flatMap((w) => normalize(w).tokens));
}

function newNode(): TrieNode {
  return {
    next: null,
    num: null,
    age: null,
    any: null,
    gap: null,
    special: null,
    classes: null,
    classesByStart: null,
    classStartFilter: null,
    numberClass: false,
    numberSlots: null,
    onward: -1,
    accepts: null,
  };
}

/**
 * Numbers that state an age indirectly: a UK school year ("year 8": 12), a US grade ("8th grade":
 * 13) or a birth year ("a 2012 baby"), which the engine turns into an age with the message's date.
 */
interface NumberSpecial {
  name: '#ukyear' | '#usgrade' | '#birthyear';
  min: number;
  max: number;
  /** What the number gives: an age (school years) or a birth year. */
  capture: 'age' | 'birthYear';
  offset: number;
}
const NUMBER_SPECIALS: Record<NumberSpecial['name'], NumberSpecial> = {
  // Year 7 starts at 11 in England and Wales; the younger age of the school year is taken.
  '#ukyear': { name: '#ukyear', min: 3, max: 13, capture: 'age', offset: 4 },
  // US 6th grade starts at 11.
  '#usgrade': { name: '#usgrade', min: 1, max: 12, capture: 'age', offset: 5 },
  '#birthyear': { name: '#birthyear', min: 1940, max: 2030, capture: 'birthYear', offset: 0 },
};

type Item = { word: string } | { alts: Item[][]; optional: boolean };

/** The age a school year or grade states ("year 7": 11, "6th grade": 11), or null when out of range. */
export function schoolAge(kind: '#ukyear' | '#usgrade', value: number): number | null {
  const sp = NUMBER_SPECIALS[kind];
  return value >= sp.min && value <= sp.max ? value + sp.offset : null;
}

/** Parses the pattern language; throws with the pattern text on a syntax error. */
function parsePattern(pattern: string): Item[] {
  let pos = 0;
  const src = pattern.trim();
  function parseSeq(inGroup: boolean): Item[] {
    const items: Item[] = [];
    while (pos < src.length) {
      const c = src[pos] as string;
      if (c === ' ') {
        pos++;
        continue;
      }
      if (c === ')' || c === '|') {
        if (!inGroup) throw new Error(`unbalanced '${c}' in pattern "${pattern}"`);
        return items;
      }
      if (c === '(') {
        pos++;
        const alts: Item[][] = [parseSeq(true)];
        while (src[pos] === '|') {
          pos++;
          alts.push(parseSeq(true));
        }
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

const SPECIAL = new Set(['#age', '#num', '*', '~', ...Object.keys(NUMBER_SPECIALS)]);
/** Turns one pattern word into slots: specials, markers and classes verbatim, others normalised like messages. */
function wordSlots(word: string): string[] {
  if (SPECIAL.has(word) || word.startsWith('<') || word.startsWith('@')) return [word];
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
    if (out.length > MAX_EXPANSIONS)
      throw new Error(`pattern "${pattern}" expands to more than ${MAX_EXPANSIONS} phrases`);
  }
  return out;
}

/** A word class compiled once into its own trie, shared by every pattern that names it. */
interface CompiledClass {
  name: string;
  root: TrieNode;
  /** Words an entry can start with, and whether one starts with a number. */
  starts: Set<string>;
  startsWithNumber: boolean;
  /**
   * Where the class's entries end when read from a token position of the message being walked:
   * a bit per length (bit k: an entry spans k tokens), valid while `stamps[pos]` is the walk's
   * stamp. A class is read at the same position by many patterns; it is walked once.
   */
  ends: Int32Array;
  stamps: Int32Array;
}

/** Positions whose class readings are remembered; later ones (rare, long messages) are re-walked. */
const CLASS_MEMO_POSITIONS = 64;
/** Entry lengths a class reading can report: bit k of an `ends` mask for k tokens. */
const MAX_CLASS_SPAN = 31;

function compileClasses(classes: Record<string, string[]>): Map<string, CompiledClass> {
  const compiled = new Map<string, CompiledClass>();
  const compiling = new Set<string>();
  const get = (name: string, from: string): CompiledClass => {
    const done = compiled.get(name);
    if (done) return done;
    const entries = classes[name];
    if (!entries) throw new Error(`${from} uses unknown word class @${name}`);
    if (entries.length === 0) throw new Error(`word class @${name} is empty`);
    if (compiling.has(name)) throw new Error(`word class @${name} refers to itself`);
    compiling.add(name);
    const cls: CompiledClass = {
      name,
      root: newNode(),
      starts: new Set(),
      startsWithNumber: false,
      ends: new Int32Array(CLASS_MEMO_POSITIONS),
      stamps: new Int32Array(CLASS_MEMO_POSITIONS),
    };
    for (const entry of entries) {
      for (const seq of expand(parsePattern(entry), entry)) {
        if (seq.length === 0) throw new Error(`word class @${name}: entry "${entry}" can match nothing`);
        if (seq[0] === '*' || seq[0] === '~' || seq[seq.length - 1] === '~')
          throw new Error(`word class @${name}: entry "${entry}" must not start or end with a wildcard or gap`);
        insert(cls.root, seq, 0, (n) => get(n, `word class @${name}`));
      }
    }
    for (const word of cls.root.next?.keys() ?? []) cls.starts.add(word);
    cls.startsWithNumber = cls.root.num !== null || cls.root.age !== null || cls.root.special !== null;
    for (const [sub] of cls.root.classes ?? []) {
      for (const w of sub.starts) cls.starts.add(w);
      if (sub.startsWithNumber) cls.startsWithNumber = true;
    }
    compiling.delete(name);
    compiled.set(name, cls);
    return cls;
  };
  for (const name of Object.keys(classes)) get(name, 'WORD_CLASSES');
  return compiled;
}

function insert(root: TrieNode, seq: string[], ruleIndex: number, classOf: (name: string) => CompiledClass): void {
  let node = root;
  for (const slot of seq) {
    let child: TrieNode | null;
    if (slot === '#age') child = node.age ??= newNode();
    else if (slot === '#num') child = node.num ??= newNode();
    else if (slot === '*') child = node.any ??= newNode();
    else if (slot === '~') child = node.gap ??= newNode();
    else if (slot.startsWith('@')) {
      const cls = classOf(slot.slice(1));
      node.classes ??= [];
      let entry = node.classes.find(([c]) => c === cls);
      if (!entry) {
        entry = [cls, newNode()];
        node.classes.push(entry);
      }
      child = entry[1];
    } else if (slot in NUMBER_SPECIALS) {
      const special = NUMBER_SPECIALS[slot as NumberSpecial['name']];
      node.special ??= [];
      let entry = node.special.find(([sp]) => sp === special);
      if (!entry) {
        entry = [special, newNode()];
        node.special.push(entry);
      }
      child = entry[1];
    } else {
      node.next ??= new Map();
      child = node.next.get(slot) ?? null;
      if (!child) {
        child = newNode();
        node.next.set(slot, child);
      }
    }
    node = child;
  }
  node.accepts ??= [];
  if (!node.accepts.includes(ruleIndex)) node.accepts.push(ruleIndex);
}

/** Bit of a token in an `onward` sketch: its first letter and length. */
function tokenBit(token: string): number {
  // 30 bits, not 32: bits 30 and 31 make numbers outside V8's small-integer range, which are
  // boxed on the heap when passed around (a measured 250 bytes of garbage per message).
  return 1 << ((token.charCodeAt(0) * 7 + token.length) % 30);
}

/** The `onward` sketch of a node whose class slots are indexed (all ones when not worth one). */
function onwardSketch(node: TrieNode): number {
  if (node.accepts !== null || node.gap !== null || node.any !== null || node.numberClass) return -1;
  if (node.num !== null || node.age !== null || node.special !== null) return -1;
  let sketch = 0;
  for (const word of node.next?.keys() ?? []) sketch |= tokenBit(word);
  for (const word of node.classesByStart?.keys() ?? []) sketch |= tokenBit(word);
  return sketch;
}

/** Whether a walk may step into `node` at `pos` (see TrieNode.onward). */
function mayEnter(node: TrieNode, tokens: string[], n: number, pos: number): boolean {
  const sketch = node.onward;
  if (sketch === -1) return true;
  return pos < n && (sketch & tokenBit(tokens[pos] as string)) !== 0;
}

/** Fills classesByStart, numberClass and onward on every node under `node` that has class slots. */
function indexClassSlots(
  node: TrieNode,
  done: Set<TrieNode>,
  shared: Map<string, { byStart: Map<string, number[]>; filter: Uint8Array; numberSlots: number[] }>,
): void {
  if (done.has(node)) return;
  done.add(node);
  if (node.classes !== null) {
    const key = node.classes.map(([cls]) => cls.name).join(' ');
    let index = shared.get(key);
    if (index === undefined) {
      const byStart = new Map<string, number[]>();
      const filter = new Uint8Array(128 * FILTER_LENGTHS);
      for (const [slot, [cls]] of node.classes.entries()) {
        for (const word of cls.starts) {
          const list = byStart.get(word);
          if (list) list.push(slot);
          else byStart.set(word, [slot]);
          const k = startKey(word);
          if (k < filter.length) filter[k] = 1;
        }
      }
      const numberSlots = node.classes.flatMap(([cls], slot) => (cls.startsWithNumber ? [slot] : []));
      index = { byStart, filter, numberSlots };
      shared.set(key, index);
    }
    node.classesByStart = index.byStart;
    node.classStartFilter = index.filter;
    node.numberSlots = index.numberSlots;
    for (const [cls, next] of node.classes) {
      if (cls.startsWithNumber) node.numberClass = true;
      indexClassSlots(next, done, shared);
    }
  }
  if (node.next) for (const child of node.next.values()) indexClassSlots(child, done, shared);
  node.onward = onwardSketch(node);
  for (const child of [node.num, node.age, node.any, node.gap]) if (child) indexClassSlots(child, done, shared);
  for (const [, child] of node.special ?? []) indexClassSlots(child, done, shared);
}

/**
 * Compiles and statically checks a lexicon: every pattern must parse, start with a concrete
 * word or number, not be empty, and stay within the expansion budget.
 */
export function compileLexicon(
  rules: LexiconRule[],
  classes: Record<string, string[]> = WORD_CLASSES,
): CompiledLexicon {
  const root = newNode();
  const unlessRoot = newNode();
  const compiledClasses = compileClasses(classes);
  let patternCount = 0;
  rules.forEach((rule, index) => {
    for (const [list, trie] of [
      [rule.patterns, root],
      [rule.unless ?? [], unlessRoot],
    ] as const) {
      for (const pattern of list) {
        const classOf = (name: string) => {
          const cls = compiledClasses.get(name);
          if (!cls) throw new Error(`pattern "${pattern}" (${rule.kind}) uses unknown word class @${name}`);
          return cls;
        };
        for (const seq of expand(parsePattern(pattern), pattern)) {
          if (seq.length === 0) throw new Error(`pattern "${pattern}" (${rule.kind}) can match nothing`);
          if (seq[0] === '*' || seq[0] === '~')
            throw new Error(`pattern "${pattern}" (${rule.kind}) must not start with a wildcard or gap`);
          if (seq[seq.length - 1] === '~')
            throw new Error(`pattern "${pattern}" (${rule.kind}) must not end with a gap`);
          insert(trie, seq, index, classOf);
          patternCount++;
        }
      }
    }
  });
  const vocabulary = new Set<string>();
  const collect = (node: TrieNode) => {
    if (node.next)
      for (const [word, child] of node.next) {
        vocabulary.add(word);
        collect(child);
      }
    for (const child of [node.num, node.age, node.any, node.gap]) if (child) collect(child);
    for (const [, child] of node.special ?? []) collect(child);
    for (const [, child] of node.classes ?? []) collect(child);
  };
  collect(root);
  for (const cls of compiledClasses.values()) collect(cls.root);
  const indexed = new Set<TrieNode>();
  const sharedIndexes = new Map<
    string,
    { byStart: Map<string, number[]>; filter: Uint8Array; numberSlots: number[] }
  >();
  for (const trie of [root, unlessRoot, ...[...compiledClasses.values()].map((c) => c.root)])
    indexClassSlots(trie, indexed, sharedIndexes);
  const signatures = new Set<number>();
  const signatureBits = new Uint32Array(SIGNATURE_BITS >>> 5);
  // Chat-speak spellings of vocabulary words ("snap" for "snapchat") are typo targets too:
  // "sanp" is "snap" with two letters swapped.
  const aliases = new Map<string, string>();
  for (const [spelling, canonical] of CANONICAL) {
    if (spelling.length >= 4 && vocabulary.has(canonical) && !vocabulary.has(spelling))
      aliases.set(spelling, canonical);
  }
  for (const word of [...vocabulary, ...aliases.keys()]) {
    if (word.length < 4) continue;
    const sig = signature(word);
    signatures.add(sig);
    signatureBits[(sig & (SIGNATURE_BITS - 1)) >>> 5]! |= 1 << (sig & 31);
  }
  const skeletons = skeletonsOf(vocabulary);
  buildStartFilter(root);
  buildStartFilter(unlessRoot);
  return {
    rules,
    root,
    unlessRoot,
    patternCount,
    vocabulary,
    aliases,
    skeletons,
    signatures,
    signatureBits,
    memo: new Uint8Array(WORD_TABLE_ENTRIES),
    memoEpoch: -1,
  };
}

/** Whether a word is consonant letters only ("frnds"): a loop, as most words fail at their first letters. */
function consonantsOnly(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 98 || c > 122 || c === 101 || c === 105 || c === 111 || c === 117) return false;
  }
  return true;
}
/**
 * Chat abbreviations that drop vowels but mean something else than the vocabulary word with the
 * same consonants, seen in real chat (IRC, Topical-Chat): left alone.
 */
const NOT_SKELETONS = new Set([
  'brb',
  'lmk',
  'wtf',
  'smh',
  'ftw',
  'pwd',
  'cd',
  'rm',
  'mv',
  'ls',
  'pm',
  'pms',
  'tbh',
  'btw',
  'nvm',
  'thx',
  'hmm',
  'hm',
  'shh',
  'grr',
  'pfft',
  'ppl',
  'cmd',
  'msg',
  'pkg',
  'src',
  'dst',
  'dns',
  'ssh',
  'ssl',
  'tls',
  'http',
  'www',
  'xml',
  'css',
  'php',
  'sql',
  'gcc',
  'cpp',
  'dvd',
  'cdn',
  'gtk',
  'kde',
  'xfce',
  'dpkg',
  'grml',
  'vnc',
  'rtfm',
  'lts',
  'bsd',
  'fwiw',
  'imho',
  'jk',
  'plz',
  'pls',
  'sry',
  'txt',
  'bf',
  'gf',
  'bc',
  'mb',
  'gb',
  'kb',
  'tb',
  'dm',
  'dms',
  'nm',
  'mm',
  'ok',
  'k',
  'st',
  'nd',
  'rd',
  'th',
  'mr',
  'mrs',
  'ms',
  'dr',
  'jr',
  'sr',
  'vs',
  'lb',
  'lbs',
  'kg',
  'km',
  'cm',
  'mph',
  'hp',
  'tv',
  'pc',
  'cv',
  'hr',
  'hrs',
  'sht',
  'fkn',
  'tht',
  'wht',
  'whr',
  'shld',
  'wld',
  'cld',
]);
function skeletonOf(word: string): string {
  let out = '';
  for (const ch of word) if (!'aeiou'.includes(ch) && out[out.length - 1] !== ch) out += ch;
  return out;
}
function skeletonsOf(vocabulary: Set<string>): Map<string, string> {
  const found = new Map<string, string | null>();
  for (const word of vocabulary) {
    if (word.length < 4 || !/^[a-z]+$/.test(word) || consonantsOnly(word)) continue;
    const skeleton = skeletonOf(word);
    if (skeleton.length < 3 || NOT_SKELETONS.has(skeleton)) continue;
    found.set(skeleton, found.has(skeleton) && found.get(skeleton) !== word ? null : word);
  }
  const out = new Map<string, string>();
  for (const [skeleton, word] of found) if (word !== null && !vocabulary.has(skeleton)) out.set(skeleton, word);
  return out;
}

const SIGNATURE_BITS = 1 << 18;
const correctionCache = new Map<string, string>();
let cachedFor: CompiledLexicon | null = null;
const MAX_CACHE = 20_000;
/**
 * Real words that are another lexicon word with two letters swapped ("quite"/"quiet",
 * "form"/"from"): seen when the corrector ran over 175k real chat messages.
 */
const NOT_TYPOS = normalizedSet([
  'quite',
  'form',
  'relay',
  'dose',
  'angle',
  'sacred',
  'pale',
  'ends',
  'calls',
  'stfu',
  'diary',
  'trial',
  'salt',
  'dial',
  'lion',
  'spot',
  'tired',
  'silver',
  'sliver',
  'venom',
  'intro',
  'acre',
  'acres',
]);

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
  // Words typed without vowels ("scrnshtd", "frnds", "snd"): their consonants name one word.
  if (token.length >= 3 && token.length <= 14 && compiled.skeletons.size > 0 && consonantsOnly(token)) {
    const word = compiled.skeletons.get(token);
    if (word !== undefined) return word;
  }
  // Cheap filter first: no vocabulary word has this length and letter sum, so no swap fits.
  // (Cheaper than any cache lookup: a big Map misses the CPU cache on most tokens.)
  if (token.length < 4 || token.length > 14) return token;
  const sig = signature(token);
  if (
    (((compiled.signatureBits[(sig & (SIGNATURE_BITS - 1)) >>> 5] as number) >>> (sig & 31)) & 1) === 0 ||
    !compiled.signatures.has(sig)
  )
    return token;
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
      if (swapped === token || swapped === found) continue;
      const target = compiled.vocabulary.has(swapped) ? swapped : compiled.aliases.get(swapped);
      if (target !== undefined && target !== found) {
        found = target;
        count++;
      }
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
        m =
          MEMO_KNOWN |
          (correctTypo(t, compiled) !== t ? MEMO_CORRECTED : 0) |
          (startsPattern(t, compiled.root) ? MEMO_STARTS : 0);
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
  if (root.next?.has(token) === true) return true;
  if (isNumber(token) && (root.num !== null || root.age !== null || root.special !== null)) return true;
  return root.classes !== null && classSlotsAt(root, token) !== null;
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
  birthYear?: number;
}

/**
 * Increments once per findMatches call: class readings remembered under an older stamp belong to
 * another message.
 */
let walkStamp = 0;

/** Indexes of the `classes` entries of `node` that can start at `token`, in slot order (null: none). */
function classSlotsAt(node: TrieNode, token: string): number[] | null {
  const key = startKey(token);
  const filter = node.classStartFilter as Uint8Array;
  if (key < filter.length && filter[key] === 0 && !(node.numberClass && isNumber(token))) return null;
  const listed = (node.classesByStart as Map<string, number[]>).get(token);
  if (!node.numberClass || !isNumber(token)) return listed ?? null;
  // A number: entries that start with any number, joined by any that list the token itself
  // (rare: merged in slot order, the only allocation here).
  const numbers = node.numberSlots as number[];
  if (listed === undefined) return numbers;
  return [...new Set([...listed, ...numbers])].sort((a, b) => a - b);
}

/** Where entries of `cls` read from `pos` end, as a mask of lengths (see CompiledClass.ends). */
function classEnds(cls: CompiledClass, tokens: string[], n: number, pos: number): number {
  if (pos < CLASS_MEMO_POSITIONS) {
    if (cls.stamps[pos] === walkStamp) return cls.ends[pos] as number;
    const mask = spanWalk(tokens, n, pos, cls.root, pos);
    cls.stamps[pos] = walkStamp;
    cls.ends[pos] = mask;
    return mask;
  }
  return spanWalk(tokens, n, pos, cls.root, pos);
}

/**
 * walk's twin for class tries: the same steps, but what it returns is only where entries end
 * (a class slot captures no age), as a bit mask, so nothing is allocated.
 */
function spanWalk(tokens: string[], n: number, start: number, node: TrieNode, pos: number): number {
  let mask = 0;
  if (node.accepts !== null && pos > start && pos - start <= MAX_CLASS_SPAN) mask |= 1 << (pos - start);
  if (node.gap !== null)
    for (let k = 0; k <= 3 && pos + k <= n; k++) mask |= spanWalk(tokens, n, start, node.gap, pos + k);
  if (pos >= n) return mask;
  const token = tokens[pos] as string;
  if (node.classes !== null) {
    const slots = classSlotsAt(node, token);
    if (slots !== null)
      for (const slot of slots) {
        // Index access, not destructuring: a destructured pair allocates an iterator per step.
        const entry = (node.classes as [CompiledClass, TrieNode][])[slot] as [CompiledClass, TrieNode];
        const cls = entry[0];
        const next = entry[1];
        let ends = classEnds(cls, tokens, n, pos);
        while (ends !== 0) {
          const length = 31 - Math.clz32(ends & -ends);
          ends &= ends - 1;
          if (mayEnter(next, tokens, n, pos + length)) mask |= spanWalk(tokens, n, start, next, pos + length);
        }
      }
  }
  if (node.next !== null) {
    const child = node.next.get(token);
    if (child !== undefined && mayEnter(child, tokens, n, pos + 1)) mask |= spanWalk(tokens, n, start, child, pos + 1);
  }
  if (node.any !== null) mask |= spanWalk(tokens, n, start, node.any, pos + 1);
  if ((node.num !== null || node.age !== null || node.special !== null) && isNumber(token)) {
    if (node.num !== null) mask |= spanWalk(tokens, n, start, node.num, pos + 1);
    if (node.special !== null && token.length <= 4) {
      const value = Number(token);
      for (const entry of node.special) {
        const sp = entry[0];
        if (value >= sp.min && value <= sp.max) mask |= spanWalk(tokens, n, start, entry[1], pos + 1);
      }
    }
    if (node.age !== null && isAgeAt(tokens, n, pos)) mask |= spanWalk(tokens, n, start, node.age, pos + 1);
  }
  return mask;
}

/** Whether the number at `pos` can be read as an age (in range, not "10 minutes"). */
function isAgeAt(tokens: string[], n: number, pos: number): boolean {
  const token = tokens[pos] as string;
  if (token.length > 2) return false;
  const value = Number(token);
  if (value < AGE_MIN || value > AGE_MAX) return false;
  return pos + 1 >= n || !NOT_AGE_AFTER.has(tokens[pos + 1] as string);
}

/** walk on from each place where an entry of one of `node`'s class slots (at `pos`) ends. */
function walkClassSlots(
  tokens: string[],
  n: number,
  start: number,
  found: RawMatch[],
  node: TrieNode,
  slots: number[],
  pos: number,
  age: number | undefined,
  birthYear: number | undefined,
): void {
  for (const slot of slots) {
    // Index access, not destructuring: a destructured pair allocates an iterator per step.
    const entry = (node.classes as [CompiledClass, TrieNode][])[slot] as [CompiledClass, TrieNode];
    const next = entry[1];
    let ends = classEnds(entry[0], tokens, n, pos);
    while (ends !== 0) {
      const length = 31 - Math.clz32(ends & -ends);
      ends &= ends - 1;
      if (mayEnter(next, tokens, n, pos + length)) walk(tokens, n, start, found, next, pos + length, age, birthYear);
    }
  }
}

/** Walks the trie from `node` over tokens[pos..n), collecting the patterns that end. */
function walk(
  tokens: string[],
  n: number,
  start: number,
  found: RawMatch[],
  node: TrieNode,
  pos: number,
  age: number | undefined,
  birthYear: number | undefined,
): void {
  if (node.accepts !== null && pos > start) {
    for (const rule of node.accepts)
      found.push(
        birthYear === undefined ? { rule, from: start, to: pos, age } : { rule, from: start, to: pos, age, birthYear },
      );
  }
  if (node.gap !== null)
    for (let k = 0; k <= 3 && pos + k <= n; k++) walk(tokens, n, start, found, node.gap, pos + k, age, birthYear);
  if (pos >= n) return;
  const token = tokens[pos] as string;
  if (node.classes !== null) {
    // Most tokens start no entry of any class here: one lookup turns them away.
    const slots = classSlotsAt(node, token);
    if (slots !== null) walkClassSlots(tokens, n, start, found, node, slots, pos, age, birthYear);
  }
  if (node.next !== null) {
    const child = node.next.get(token);
    if (child !== undefined && mayEnter(child, tokens, n, pos + 1))
      walk(tokens, n, start, found, child, pos + 1, age, birthYear);
  }
  if (node.any !== null) walk(tokens, n, start, found, node.any, pos + 1, age, birthYear);
  if ((node.num !== null || node.age !== null || node.special !== null) && isNumber(token)) {
    if (node.num !== null) walk(tokens, n, start, found, node.num, pos + 1, age, birthYear);
    if (node.special !== null && token.length <= 4) {
      const value = Number(token);
      for (const entry of node.special) {
        const sp = entry[0];
        const child = entry[1];
        if (value < sp.min || value > sp.max) continue;
        if (sp.capture === 'age') walk(tokens, n, start, found, child, pos + 1, value + sp.offset, birthYear);
        else walk(tokens, n, start, found, child, pos + 1, age, value);
      }
    }
    if (node.age !== null && isAgeAt(tokens, n, pos))
      walk(tokens, n, start, found, node.age, pos + 1, Number(token), birthYear);
  }
}

const NO_MATCHES: RawMatch[] = [];

/**
 * walk(root) for a token that starts some pattern, with the root's literal step taken here: most
 * starts ("the", "i", "you") go no further than the next token, which the child's onward sketch
 * turns away before any call. Allocates the match list only when a walk goes on.
 */
function walkFromRoot(
  tokens: string[],
  n: number,
  i: number,
  found: RawMatch[] | null,
  root: TrieNode,
): RawMatch[] | null {
  const token = tokens[i] as string;
  // Numbers take the root's number steps too: the full walk, as elsewhere (the rarer case).
  if ((root.num !== null || root.age !== null || root.special !== null) && isNumber(token)) {
    walk(tokens, n, i, (found ??= []), root, i, undefined, undefined);
    return found;
  }
  if (root.classes !== null) {
    const slots = classSlotsAt(root, token);
    if (slots !== null) walkClassSlots(tokens, n, i, (found ??= []), root, slots, i, undefined, undefined);
  }
  const child = root.next?.get(token);
  if (child !== undefined && mayEnter(child, tokens, n, i + 1))
    walk(tokens, n, i, (found ??= []), child, i + 1, undefined, undefined);
  return found;
}

/**
 * Matches starting at each of the first n tokens. With `memo` (for `root`), a word-table token
 * whose memo says it is uncorrected skips the start checks: the memo holds their answer.
 */
function findMatches(
  tokens: string[],
  n: number,
  root: TrieNode,
  ids: Int32Array | null,
  memo: Uint8Array | null,
): RawMatch[] {
  let found: RawMatch[] | null = null;
  walkStamp++;
  const filter = root.startFilter;
  const hasNumberStart = root.num !== null || root.age !== null || root.special !== null || root.numberClass;
  for (let i = 0; i < n; i++) {
    const token = tokens[i] as string;
    if (memo !== null) {
      const id = (ids as Int32Array)[i] as number;
      const m = id >= 0 ? (memo[id] as number) : 0;
      if ((m & (MEMO_KNOWN | MEMO_CORRECTED)) === MEMO_KNOWN) {
        if ((m & MEMO_STARTS) !== 0) found = walkFromRoot(tokens, n, i, found, root);
        continue;
      }
    }
    // Cheap pre-check before startsPattern's Map lookup: most words start no pattern at all (and
    // most messages allocate nothing). The filter knows words only, so numbers go past it.
    const key = startKey(token);
    if (filter !== undefined && key < filter.length && filter[key] === 0 && !(hasNumberStart && isNumber(token)))
      continue;
    if (startsPattern(token, root)) found = walkFromRoot(tokens, n, i, found, root);
  }
  return found ?? NO_MATCHES;
}

/** A caller's NormalizedText as a stream with no word-table ids (nothing memoised). */
function streamOf(norm: NormalizedText): TokenStream {
  const n = norm.tokens.length;
  return {
    tokens: norm.tokens,
    starts: Int32Array.from(norm.starts),
    ends: Int32Array.from(norm.ends),
    ids: new Int32Array(n).fill(-1),
    count: n,
    epoch: -1,
  };
}

export interface DetectedSignal extends SignalMatch {
  stage: GroomingStage | null;
  /** A birth year stated instead of an age ("a 2012 baby"); the engine dates it. */
  birthYear?: number;
}

/** Shared (frozen) result for the common message with no signal: nothing allocated. */
const NO_SIGNALS: readonly DetectedSignal[] = Object.freeze([]);

/**
 * Requests that a negation right before them turns into advice ("never send pics to
 * strangers", "you shouldnt meet people from online"). Secrecy is not here: "dont tell" is
 * itself the signal.
 */
const NEGATABLE = new Set<SignalKind>([
  'image_request',
  'meeting',
  'platform_move',
  'gift',
  'money',
  'personal_info',
  'sextortion_payment',
]);
const NEGATIONS = normalizedSet([
  'dont',
  'do not',
  'never',
  'shouldnt',
  'should not',
  'not',
  'wont',
  'cant',
  'mustnt',
  'must not',
  'stop',
  'no',
]);
const NEGATION_BRIDGES = normalizedSet(['to', 'ever', 'even', 'just', 'you', 'u', 'anyone']);

function negated(tokens: string[], from: number): boolean {
  const before = tokens[from - 1];
  if (before === undefined) return false;
  if (NEGATIONS.has(before)) return true;
  const twoBefore = tokens[from - 2];
  return (
    twoBefore !== undefined && NEGATIONS.has(twoBefore) && NEGATION_BRIDGES.has(before) && tokens[from - 3] !== 'why'
  );
}

/**
 * Reported speech: a child telling a friend what a stranger wrote ("he said \"are ur parents
 * home\"", "this guy keeps asking me to add him on telegram") is asking for help, not grooming.
 * A match is reported when it sits inside quotation marks, or when a reporting verb with a
 * third person before it comes shortly before the match.
 */
const REPORTING_VERBS = normalizedSet([
  'said',
  'say',
  'says',
  'ask',
  'tell',
  'asked',
  'asks',
  'asking',
  'told',
  'tells',
  'telling',
  'keeps',
  'kept',
  'messaged',
  'texted',
  'wrote',
  'writes',
  'saying',
  'sends',
  'wanted',
  'wants',
  'goes',
]);
const THIRD_PERSONS = normalizedSet([
  'he',
  'she',
  'they',
  'hes',
  'shes',
  'theyre',
  'someone',
  'somebody',
  'guy',
  'man',
  'dude',
  'creep',
  'stranger',
  'person',
  'account',
  'girl',
  'boy',
  'lady',
  'woman',
  'girls',
  'guys',
  'people',
  'scammers',
  'accounts',
  'men',
  'adults',
]);
/**
 * Words that frame what follows as examples being discussed ("read these example messages:
 * Example 1: …", "red flags: …", "for the poster, real examples like …"): a safety lesson or a
 * warning quotes a script without running it. Matches after such a word are reported speech.
 */
const EXAMPLE_FRAMES = normalizedSet(['example', 'examples', 'eg', 'flag', 'flags', 'worksheet', 'signs', 'scripts']);

/** Index of the first token that frames examples, or -1 (see EXAMPLE_FRAMES). */
function exampleFrame(tokens: string[], n: number): number {
  for (let k = 0; k < n; k++) if (EXAMPLE_FRAMES.has(tokens[k] as string)) return k;
  return -1;
}

/** Kinds about the sender themself, never reported speech. */
const OWN_KINDS = new Set<SignalKind>(['age_disclosure_minor', 'age_disclosure_adult', 'distress']);

function quotedRanges(text: string): [number, number][] | null {
  let out: [number, number][] | null = null;
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x201c) open = i;
    else if (c === 0x201d && open >= 0) {
      (out ??= []).push([open, i]);
      open = -1;
    } else if (c === 34 /* " */) {
      if (open >= 0) {
        (out ??= []).push([open, i]);
        open = -1;
      } else open = i;
    }
  }
  return out;
}

/** Third persons as the subject right before an act ("shes sending it to the team"): someone else's act. */
const THIRD_SUBJECTS = normalizedSet(['he', 'she', 'they', 'hes', 'shes', 'theyre', 'theyll']);
const MODALS = normalizedSet(['will', 'would', 'could', 'can', 'gonna', 'is', 'was', 'wants', 'might', 'did']);

function reported(tokens: string[], from: number, start: number, quotes: [number, number][] | null): boolean {
  if (quotes?.some(([a, b]) => a < start && start < b)) return true;
  if (from > 0 && THIRD_SUBJECTS.has(tokens[from - 1] as string)) return true;
  if (from > 1 && THIRD_SUBJECTS.has(tokens[from - 2] as string) && MODALS.has(tokens[from - 1] as string)) return true;
  for (let k = from - 1; k >= 0 && k >= from - 8; k--) {
    if (!REPORTING_VERBS.has(tokens[k] as string)) continue;
    for (let j = k - 1; j >= 0 && j >= k - 4; j--) if (THIRD_PERSONS.has(tokens[j] as string)) return true;
  }
  return false;
}

/** Most matches one message can yield: bounds the work a hostile message can cause downstream. */
const MAX_MATCHES_PER_MESSAGE = 16;

/**
 * Detects the signals in one message. Returns each signal with its span in the original
 * text; overlapping matches of the same kind are merged to the longest.
 */
export function detectSignals(
  text: string,
  normalized?: NormalizedText | TokenStream,
  compiled: CompiledLexicon = lexicon(),
): DetectedSignal[] {
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
  let quotes: [number, number][] | null | undefined;
  let frame: number | undefined;
  for (const m of raw) {
    if (cancelled?.has(m.rule)) continue;
    const rule = compiled.rules[m.rule] as LexiconRule;
    let kind = rule.kind;
    const age = m.age ?? rule.age;
    if (kind === 'age_disclosure_minor' && age !== undefined && age >= 18) kind = 'age_disclosure_adult';
    if (NEGATABLE.has(kind) && negated(tokens, m.from)) continue;
    if (!OWN_KINDS.has(kind)) {
      if (quotes === undefined) quotes = text.includes('"') || text.includes('\u201c') ? quotedRanges(text) : null;
      if (reported(tokens, m.from, norm.starts[m.from] as number, quotes)) continue;
      frame ??= exampleFrame(tokens, n);
      if (frame >= 0 && frame < m.from) continue;
    }
    if (taken.some((t) => t.kind === kind && t.from < m.to && m.from < t.to)) continue;
    taken.push({ kind, from: m.from, to: m.to });
    const start = norm.starts[m.from] as number;
    const end = norm.ends[m.to - 1] as number;
    const signal: DetectedSignal = { kind, start, end, excerpt: text.slice(start, end), stage: rule.stage };
    if (age !== undefined) signal.age = age;
    if (m.birthYear !== undefined) signal.birthYear = m.birthYear;
    out.push(signal);
    if (out.length >= MAX_MATCHES_PER_MESSAGE) break;
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}
