// Normalisation that undoes common evasion before any signal is matched:
// Unicode compatibility forms and homoglyphs, diacritics, zero-width characters, leetspeak,
// repeated letters, spaced-out and dotted spelling, emoji used as words, and chat-speak.
//
// The output is a token list with each token's span in the original text, so every signal
// can point a moderator at the exact characters it matched. One pass over the text, no regex
// in the hot path: this runs on every message (goal: well over 200k messages/s per core).

import { LATIN_LOOKALIKES } from './lookalikes.ts';

export interface NormalizedText {
  /** Canonical tokens: lowercase ASCII words, numbers, or markers like `<url>` and `<phone>`. */
  tokens: string[];
  /** Start offset (UTF-16) of each token in the original text. */
  starts: number[];
  /** End offset (exclusive) of each token in the original text. */
  ends: number[];
}

/**
 * The same result in reused buffers, for the engine's per-message path (no arrays allocated per
 * message): only the first `count` entries are this message's, and everything is overwritten by
 * the next call to `tokenize` or `normalize`. `ids[k]` is token k's entry in the word table (or
 * -1), stable while `epoch` is unchanged, so callers can memoise facts about a word by entry.
 */
export interface TokenStream {
  readonly tokens: string[];
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly ids: Int32Array;
  readonly count: number;
  readonly epoch: number;
}

/** Lookup tables are Maps: no prototype keys ("constructor"), fast misses. */
function table(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

// Characters that look like Latin letters in other scripts (Cyrillic, Greek, IPA, symbols): the
// shared table, and a few more that only messages use.
const HOMOGLYPHS = new Map([
  ...LATIN_LOOKALIKES,
  ...table({ п: 'n', г: 'r', '∂': 'd', '†': 't', '∪': 'u', '∩': 'n' }),
]);

// Emoji that people use in place of words in this domain. Each becomes a word token.
const EMOJI_WORDS = table({
  '👻': 'snapchat',
  '📸': 'pic',
  '📷': 'pic',
  '🤳': 'pic',
  '🤫': 'secret',
  '🤐': 'secret',
  '🎁': 'gift',
  '💰': 'money',
  '💵': 'money',
  '💸': 'money',
  '💲': 'money',
  '🤑': 'money',
  '📱': 'phone',
  '📞': 'phone',
  '☎': 'phone',
  '😘': 'kiss',
  '💋': 'kiss',
  '😍': 'love',
  '❤': 'love',
  '💕': 'love',
  '💖': 'love',
  '😏': 'wink',
  '😉': 'wink',
  '🔥': 'hot',
  '🍆': '<sexemoji>',
  '🍑': '<sexemoji>',
  '💦': '<sexemoji>',
  '👅': '<sexemoji>',
  '🔞': '<sexemoji>',
  '⏰': 'deadline',
  '⏳': 'deadline',
  '🏠': 'home',
  '🚗': 'car',
});

// Chat-speak and spelling variants mapped to one canonical word (applied after squeezing).
export const CANONICAL: ReadonlyMap<string, string> = table({
  u: 'you',
  yu: 'you',
  ya: 'you',
  ur: 'your',
  yr: 'your',
  youre: 'your',
  r: 'are',
  pl: 'please',
  pls: 'please',
  plz: 'please',
  plez: 'please',
  pleas: 'please',
  pik: 'pic',
  pics: 'pic',
  pix: 'pic',
  piks: 'pic',
  pict: 'pic',
  picture: 'pic',
  pictures: 'pic',
  photo: 'pic',
  photos: 'pic',
  foto: 'pic',
  fotos: 'pic',
  selfie: 'pic',
  selfies: 'pic',
  snaps: 'pic',
  vid: 'video',
  vids: 'video',
  videos: 'video',
  nude: 'nudes',
  nudez: 'nudes',
  nudies: 'nudes',
  webcam: 'cam',
  camera: 'cam',
  wana: 'wanna',
  gona: 'gonna',
  gota: 'gotta',
  lemme: 'let me',
  dnt: 'dont',
  dont: 'dont',
  tel: 'tell',
  telin: 'telling',
  teling: 'telling',
  tol: 'tell',
  thx: 'thanks',
  thanx: 'thanks',
  ty: 'thanks',
  bc: 'because',
  cuz: 'because',
  cos: 'because',
  gf: 'girlfriend',
  bf: 'boyfriend',
  bae: 'baby',
  babe: 'baby',
  hun: 'baby',
  hunny: 'baby',
  sweety: 'sweetie',
  mum: 'mom',
  mam: 'mom',
  mommy: 'mom',
  momy: 'mom',
  daddy: 'dad',
  parent: 'parents',
  folks: 'parents',
  rents: 'parents',
  wat: 'what',
  wut: 'what',
  wht: 'what',
  whut: 'what',
  wats: 'whats',
  wuts: 'whats',
  hw: 'how',
  ol: 'old',
  yrs: 'years',
  yearold: 'years',
  sixth: '6 th',
  seventh: '7 th',
  eighth: '8 th',
  eigth: '8 th',
  ninth: '9 th',
  tenth: '10 th',
  eleventh: '11 th',
  twelfth: '12 th',
  thirten: '13',
  fourten: '14',
  fiften: '15',
  sixten: '16',
  seventen: '17',
  twelve: '12',
  eleven: '11',
  eighten: '18',
  nineten: '19',
  twenty: '20',
  thirty: '30',
  forty: '40',
  fifty: '50',
  snap: 'snapchat',
  snapch: 'snapchat',
  snp: 'snapchat',
  snpchat: 'snapchat',
  snapchatt: 'snapchat',
  insta: 'instagram',
  instagrm: 'instagram',
  telegrm: 'telegram',
  telegramm: 'telegram',
  whtsapp: 'whatsapp',
  watsapp: 'whatsapp',
  whatsap: 'whatsapp',
  wtsapp: 'whatsapp',
  discrd: 'discord',
  dscrd: 'discord',
  abt: 'about',
  thru: 'through',
  snd: 'send',
  bcoz: 'because',
  bcos: 'because',
  coz: 'because',
  pic4pic: 'pic for pic',
  ig: 'instagram',
  tg: 'telegram',
  fb: 'facebook',
  facebok: 'facebook',
  txt: 'text',
  tx: 'text',
  texts: 'text',
  msg: 'message',
  mesage: 'message',
  dm: 'message',
  dms: 'message',
  giftcard: 'gift card',
  giftcards: 'gift card',
  vbuck: 'vbucks',
  robuck: 'robux',
  robucks: 'robux',
  cashap: 'cashapp',
  zele: 'zelle',
  bitcoin: 'crypto',
  btc: 'crypto',
  usdt: 'crypto',
  secrets: 'secret',
  sekret: 'secret',
  secrt: 'secret',
  scret: 'secret',
  secretz: 'secret',
  alon: 'alone',
  meetup: 'meet up',
  met: 'meet',
  sory: 'sorry',
  sorri: 'sorry',
  kk: 'ok',
  okay: 'ok',
  oki: 'ok',
  luv: 'love',
  lov: 'love',
  ily: 'i love you',
  ilu: 'i love you',
  ilysm: 'i love you',
  gorgeus: 'gorgeous',
  beautifull: 'beautiful',
  beautful: 'beautiful',
  butiful: 'beautiful',
  cutie: 'cute',
  sexi: 'sexy',
  secsy: 'sexy',
  rn: 'right now',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tonite: 'tonight',
  hv: 'have',
  hav: 'have',
  snt: 'sent',
  thn: 'then',
  frends: 'friends',
  frens: 'friends',
  ppl: 'people',
  everyon: 'everyone',
  evryone: 'everyone',
  sumthing: 'something',
  nothin: 'nothing',
  mins: 'minutes',
  min: 'minutes',
  minute: 'minutes',
  hrs: 'hours',
  hr: 'hours',
  hour: 'hours',
});

// Chat-speak that mixes digits into words, looked up before leetspeak is resolved.
const RAW_WORDS = table({
  b4: 'before',
  l8r: 'later',
  l8: 'late',
  '2nite': 'tonight',
  '2night': 'tonight',
  '2day': 'today',
  '2moro': 'tomorrow',
  '2morrow': 'tomorrow',
  every1: 'everyone',
  any1: 'anyone',
  some1: 'someone',
  no1: 'no one',
  '4u': 'for you',
  gr8: 'great',
  h8: 'hate',
  m8: 'mate',
  w8: 'wait',
  n00dz: 'nudes',
  n00ds: 'nudes',
  noodz: 'nudes',
  nudez: 'nudes',
  '18plus': '18',
});

const ZERO_WIDTH = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0x180e, 0x034f]);
// Leetspeak digits/symbols and the letter each usually stands for.
const LEET = table({
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
});
// Symbols that can stand inside a word as leetspeak; elsewhere they separate tokens.
const LEET_SYMBOLS = new Set(['@', '$', '!', '|', '+']);

/** The token a currency sign next to a number becomes ("$200", "£ 50", "300€"): amounts read as money. */
export const CURRENCY = '<cur>';
const CURRENCY_SIGNS = new Set(['£', '€', '¥', '₹', '₦', '₱']);
/** Whether a digit stands right before text[i] or after it (one space allowed after: "$ 2 5 0"). */
function besideDigit(text: string, i: number): boolean {
  if (i > 0 && isDigit(text.charCodeAt(i - 1))) return true;
  const next = text.charCodeAt(i + 1);
  return isDigit(next) || (next === 32 && isDigit(text.charCodeAt(i + 2)));
}

const foldCache = new Map<string, string>();
/**
 * Folds one non-ASCII character to ASCII letters/digits, a word marker (emoji), '' (drop),
 * or ' ' (separator). Results are cached: chat uses few distinct non-ASCII characters.
 */
function foldChar(ch: string): string {
  let folded = foldCache.get(ch);
  if (folded !== undefined) return folded;
  const cp = ch.codePointAt(0) ?? 0;
  const lower = ch.toLowerCase();
  if (ZERO_WIDTH.has(cp) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1f3fb && cp <= 0x1f3ff)) folded = '';
  else if (EMOJI_WORDS.has(ch)) folded = `\u0001${EMOJI_WORDS.get(ch)}`;
  else if (HOMOGLYPHS.has(lower)) folded = HOMOGLYPHS.get(lower) as string;
  else {
    // Compatibility decomposition turns fullwidth, circled, mathematical and accented forms
    // into plain letters plus combining marks, which we then drop.
    const decomposed = ch
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    if (/^[a-z0-9]+$/.test(decomposed)) folded = decomposed;
    else if (decomposed.length === 1 && HOMOGLYPHS.has(decomposed)) folded = HOMOGLYPHS.get(decomposed) as string;
    else if (/^[\p{L}\p{N}]+$/u.test(ch))
      folded = `\u0002${lower}`; // a letter of another script: keep as-is
    else folded = ' ';
  }
  if (foldCache.size < 10_000) foldCache.set(ch, folded);
  return folded;
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Collapses every run of a repeated letter to one ("sooo" → "so", "meeet" → "met"); digits are kept. */
function squeeze(word: string): string {
  let repeated = false;
  for (let i = 1; i < word.length; i++)
    if (word.charCodeAt(i) === word.charCodeAt(i - 1)) {
      repeated = true;
      break;
    }
  if (!repeated) return word;
  let out = '';
  let prev = -1;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === prev && isLetter(c)) continue;
    out += word[i];
    prev = c;
  }
  return out;
}

/** Emits a piece of a raw token, mapping its raw positions back to the original text. */
function out(st: State, offsets: Int32Array, count: number, end: number, word: string, from: number, to: number): void {
  emit(st, word, from < count ? (offsets[from] as number) : 0, to >= count ? end : (offsets[to] as number));
}

const UNIT_SUFFIX = /^(\d{1,4})(st|nd|rd|th|yo|yos|y|yrs|yr|years|f|m|k|min|mins|minutes|h|hr|hrs|hours|am|pm|s)$/;

/**
 * Resolves leetspeak inside one raw token and splits letter/number boundaries.
 * A digit stands for a letter only as a lone digit next to a letter ("s3cr3t", "sn4p", "h0w"):
 * "13yo" and "14f" are an age plus a unit, not leetspeak. A symbol stands for a letter only
 * between letters ("p!c"), or `$` before one ("$ecret"); "hello!" keeps its word intact.
 */
function resolveToken(st: State, raw: string, offsets: Int32Array, end: number): void {
  const count = raw.length;
  const chat = RAW_WORDS.get(raw);
  if (chat !== undefined) {
    out(st, offsets, count, end, chat, 0, count);
    return;
  }
  const unit = UNIT_SUFFIX.exec(raw);
  if (unit) {
    const num = unit[1] as string;
    // A glued "15m" in chat is minutes or megabytes far more often than "15, male".
    const suffix = unit[2] === 'm' ? 'min' : (unit[2] as string);
    out(st, offsets, count, end, num, 0, num.length);
    out(st, offsets, count, end, suffix, num.length, count);
    return;
  }
  const n = count;
  // s is raw with leetspeak resolved and separators blanked, built only from the first change.
  let s: string | null = null;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (isLetter(c)) {
      if (s !== null) s += raw[i] as string;
      continue;
    }
    const ch = raw[i] as string;
    const leet = LEET.get(ch);
    let piece: string;
    if (leet === undefined) piece = isDigit(c) ? ch : ' ';
    else {
      const before = i > 0 && isLetter(raw.charCodeAt(i - 1));
      const after = i + 1 < n && isLetter(raw.charCodeAt(i + 1));
      let asLetter: boolean;
      if (isDigit(c)) {
        const digitNeighbour =
          (i > 0 && isDigit(raw.charCodeAt(i - 1))) || (i + 1 < n && isDigit(raw.charCodeAt(i + 1)));
        // "s3cr3t": a lone digit beside a letter; "k33p": two digits with letters on both sides.
        asLetter = ((before || after) && !digitNeighbour) || leetPair(raw, i);
      } else asLetter = (before && after) || (ch === '$' && after);
      piece = asLetter ? leet : isDigit(c) ? ch : ' ';
    }
    if (s !== null) s += piece;
    else if (piece !== ch) s = raw.slice(0, i) + piece;
  }
  if (s === null) s = raw;
  // Split into runs of letters and runs of digits; anything else separates.
  let runStart = -1;
  let runIsDigit = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 32;
    const letter = isLetter(c);
    const digit = isDigit(c);
    if (runStart >= 0 && (!(letter || digit) || digit !== runIsDigit)) {
      out(st, offsets, count, end, runStart === 0 && i === n ? s : s.slice(runStart, i), runStart, i);
      runStart = -1;
    }
    if (runStart < 0 && (letter || digit)) {
      runStart = i;
      runIsDigit = digit;
    }
  }
}

/** Whether the digit at i is one of exactly two leet digits between letters ("k33p", "sh00t"). */
function leetPair(raw: string, i: number): boolean {
  const a = i > 0 && isDigit(raw.charCodeAt(i - 1)) ? i - 1 : i;
  const b = a === i && i + 1 < raw.length && isDigit(raw.charCodeAt(i + 1)) ? i + 2 : a === i ? i + 1 : i + 1;
  if (b - a !== 2) return false;
  return (
    a > 0 &&
    isLetter(raw.charCodeAt(a - 1)) &&
    b < raw.length &&
    isLetter(raw.charCodeAt(b)) &&
    LEET.has(raw[a] as string) &&
    LEET.has(raw[a + 1] as string)
  );
}

function isAddressSoFar(raw: string): boolean {
  return raw.startsWith('http') || raw.startsWith('www') || raw.includes('.');
}

const TLDS = new Set(['com', 'net', 'org', 'me', 'gg', 'io', 'co', 'app', 'ly', 'uk', 'tv', 'be', 'to', 'link']);
/** Whether the dot at `i` sits inside a web address rather than between spelled-out letters. */
function isAddressDot(raw: string, text: string, i: number): boolean {
  if (raw.startsWith('http') || raw.startsWith('www') || raw.includes('.') || raw.includes('@')) return true;
  let j = i + 1;
  let label = '';
  while (j < text.length && label.length < 6) {
    const c = text.charCodeAt(j) | 32;
    if (!isLetter(c)) break;
    label += String.fromCharCode(c);
    j++;
  }
  return raw.length >= 1 && TLDS.has(label) && (raw.length >= 3 || raw === 't' || raw === 'wa');
}

// Gap codes between a token and the one before it, used to re-join spelled-out words.
const GAP_NONE = 0; // adjacent
const GAP_SPACE = 1; // one or two spaces
const GAP_SPELL = 2; // one or two characters including a spelling separator ("s.n", "s - n")
const GAP_OTHER = 3;
const GAP_WIDE = 4; // two or three spaces: between words spelled out letter by letter ("p a y  m e")
const GAP_PUNCT_SPACE = 5; // spelling punctuation then a space ("a l l. u r"): a word break in a space-spelled run

function isCleanEnd(text: string, j: number): boolean {
  if (j >= text.length) return true;
  const c = text.charCodeAt(j);
  if (
    c === 32 ||
    c === 10 ||
    c === 9 ||
    c === 13 ||
    c === 44 ||
    c === 63 ||
    c === 59 ||
    c === 34 ||
    c === 40 ||
    c === 41
  )
    return true;
  // '!' and '.' end a word unless a letter follows ("p!c", "s.n.a.p", "snapchat.com").
  if (c === 33 || c === 46 || c === 58) {
    const n = j + 1 < text.length ? text.charCodeAt(j + 1) | 32 : 32;
    return !isLetter(n) && !isDigit(n) && n !== 47; // "https://" keeps going
  }
  return false;
}

/** Working state of one normalisation; plain functions over it avoid per-call closures. */
interface State extends TokenStream {
  text: string;
  tokens: string[];
  starts: Int32Array;
  ends: Int32Array;
  ids: Int32Array;
  count: number;
  epoch: number;
  /** Tokens the previous message left in `tokens`, cleared so no old text is held. */
  previousCount: number;
  /** Gap code before each token (see GAP_*), in a scratch array reused across calls. */
  gaps: Uint8Array;
  /** The raw token being collected (lower-cased, leet symbols kept) as char codes, and each one's offset in the text. */
  rawCodes: Uint16Array;
  rawOffsets: Int32Array;
  rawLen: number;
  rawEnd: number;
  /** Whether the raw token is exactly the lower-cased text from its first offset: then one slice makes it. */
  rawPlain: boolean;
  gapLen: number;
  /** Characters in the gap other than spaces. */
  gapChars: number;
  gapSpell: boolean;
  gapOther: boolean;
  /** Tokens whose source is one character: spelled-out words need at least three. */
  singles: number;
}

function push(st: State, token: string, start: number, end: number, id = -1): void {
  if (end - start === 1) st.singles++;
  const k = st.count++;
  if (k >= st.starts.length) growBuffers(st);
  st.tokens[k] = token; // in place, or appended when k is the array's length
  st.starts[k] = start;
  st.ends[k] = end;
  st.ids[k] = id;
  st.gaps[k] =
    st.gapLen === 0
      ? GAP_NONE
      : st.gapLen > 3 || st.gapOther || (st.gapSpell && st.gapLen > 2)
        ? GAP_OTHER
        : st.gapSpell
          ? st.gapLen > st.gapChars
            ? GAP_PUNCT_SPACE
            : GAP_SPELL
          : st.gapLen === 1
            ? GAP_SPACE
            : GAP_WIDE;
  st.gapLen = 0;
  st.gapChars = 0;
  st.gapSpell = false;
  st.gapOther = false;
}

function growBuffers(st: State): void {
  const size = st.starts.length * 2;
  const starts = new Int32Array(size);
  const ends = new Int32Array(size);
  const ids = new Int32Array(size);
  const gaps = new Uint8Array(size);
  starts.set(st.starts);
  ends.set(st.ends);
  ids.set(st.ids);
  gaps.set(st.gaps);
  st.starts = starts;
  st.ends = ends;
  st.ids = ids;
  st.gaps = gaps;
}

/** The canonical token of a lower-case word: repeated letters squeezed, then chat-speak mapped. */
function canonicalOf(word: string): string {
  const squeezed = squeeze(word);
  return CANONICAL.get(squeezed) ?? squeezed;
}

function emit(st: State, word: string, start: number, end: number): void {
  emitCanonical(st, canonicalOf(word), start, end);
}

function emitCanonical(st: State, canonical: string, start: number, end: number): void {
  if (canonical.indexOf(' ') >= 0) {
    // Multi-word expansions ("ily" → "i love you") share the original span.
    for (const part of canonical.split(' ')) push(st, part, start, end);
    return;
  }
  push(st, canonical, start, end);
}

/** The raw token as a string (a slice of the text when plain, so no per-character concatenation). */
function rawText(st: State): string {
  const n = st.rawLen;
  if (n === 0) return '';
  if (st.rawPlain) {
    const from = st.rawOffsets[0] as number;
    return st.text.slice(from, from + n).toLowerCase();
  }
  let s = '';
  for (let k = 0; k < n; k++) s += String.fromCharCode(st.rawCodes[k] as number);
  return s;
}

function flush(st: State): void {
  if (st.rawLen === 0) return;
  const raw = rawText(st);
  const offsets = st.rawOffsets; // read before the next append, which is after this returns
  const end = st.rawEnd;
  st.rawLen = 0;
  st.rawPlain = true;
  // A URL or handle is one marker token; its text matters less than what it is.
  if (raw.startsWith('http') || raw.startsWith('www.') || /\.(com|net|org|me|gg|io|co|app|ly)(\/|$)/.test(raw)) {
    const app =
      raw.includes('t.me') ||
      raw.includes('wa.me') ||
      raw.includes('discord.gg') ||
      raw.includes('snapchat.com') ||
      raw.includes('kik.me');
    push(st, app ? '<applink>' : '<url>', offsets[0] as number, end);
  } else if (raw.charCodeAt(0) === 64 /* @ */ && raw.length > 2) {
    push(st, '<handle>', offsets[0] as number, end);
  } else {
    resolveToken(st, raw, offsets, end);
  }
}

function addGap(st: State, ch: number): void {
  st.gapLen++;
  if (ch === 32) return;
  st.gapChars++;
  if (ch === 46 || ch === 45 || ch === 95 || ch === 42 || ch === 47 || ch === 126 || ch === 44) st.gapSpell = true;
  else st.gapOther = true;
}

/** Appends the ASCII character text[i], already lower-cased to code c, to the raw token. */
function appendChar(st: State, c: number, i: number): void {
  const k = st.rawLen;
  if (k === st.rawCodes.length) growRaw(st);
  // Still plain while every character is the next one of the text (an apostrophe skipped is not).
  if (k > 0 && i !== (st.rawOffsets[0] as number) + k) st.rawPlain = false;
  st.rawCodes[k] = c;
  st.rawOffsets[k] = i;
  st.rawLen = k + 1;
  st.rawEnd = i + 1;
}

/** Appends a folded piece (from a non-ASCII character at offset) to the raw token. */
function appendRaw(st: State, piece: string, offset: number, end: number): void {
  st.rawPlain = false;
  for (let p = 0; p < piece.length; p++) {
    const k = st.rawLen;
    if (k === st.rawCodes.length) growRaw(st);
    st.rawCodes[k] = piece.charCodeAt(p);
    st.rawOffsets[k] = offset;
    st.rawLen = k + 1;
  }
  st.rawEnd = end;
}

function growRaw(st: State): void {
  const codes = new Uint16Array(st.rawCodes.length * 2);
  const offsets = new Int32Array(st.rawCodes.length * 2);
  codes.set(st.rawCodes);
  offsets.set(st.rawOffsets);
  st.rawCodes = codes;
  st.rawOffsets = offsets;
}

// Plain ASCII words, the bulk of all chat, are looked up in an intern table keyed by a hash
// computed while scanning the word. A hit gives the word's canonical token (squeezed and
// mapped) without slicing, lower-casing or hashing a new string, and every later Map lookup
// on that token (lexicon trie, typo cache) reuses the interned string's cached hash.
// Open addressing; cleared when full so a long stream of new words cannot grow it.
const INTERN_BITS = 16;
const INTERN_MASK = (1 << INTERN_BITS) - 1;
const INTERN_MAX = (3 << INTERN_BITS) >> 2;
const MAX_INTERNED_LENGTH = 24;
const ARENA_BYTES = INTERN_MAX * 12;
// Each slot is four ints side by side (hash, arena offset, length, entry number + 1), so a probe
// touches one cache line; the words' letters sit in one byte arena in insertion order, so the
// frequent words, seen first, share a few cache lines instead of one heap string each.
const internSlots = new Int32Array(4 << INTERN_BITS);
const internArena = new Uint8Array(ARENA_BYTES);
let arenaUsed = 0;
let internTokens: string[] = [];
/** Generation of the word table: entry numbers from an earlier generation mean nothing. */
let internEpoch = 0;
/** Size of the word table: TokenStream ids are below this. */
export const WORD_TABLE_ENTRIES = INTERN_MAX;

/** Pushes the canonical token(s) of the ASCII word st.text[i..j), whose lower-case hash is h. */
function pushWord(st: State, i: number, j: number, h: number): void {
  const text = st.text;
  const n = j - i;
  let slot = h & INTERN_MASK;
  for (;;) {
    const base = slot << 2;
    const entry = internSlots[base + 3] as number;
    if (entry === 0) break;
    if (internSlots[base] === h && internSlots[base + 2] === n) {
      const offset = internSlots[base + 1] as number;
      let k = 0;
      while (k < n && (text.charCodeAt(i + k) | 32) === internArena[offset + k]) k++;
      if (k === n) {
        push(st, internTokens[entry - 1] as string, i, j, entry - 1);
        return;
      }
    }
    slot = (slot + 1) & INTERN_MASK;
  }
  const word = text.slice(i, j).toLowerCase();
  const canonical = canonicalOf(word);
  // Multi-word expansions ("ily") are not interned, so a hit is always a single token.
  if (n > MAX_INTERNED_LENGTH || canonical.indexOf(' ') >= 0) {
    emitCanonical(st, canonical, i, j);
    return;
  }
  if (internTokens.length >= INTERN_MAX || arenaUsed + n > ARENA_BYTES) {
    internSlots.fill(0);
    internTokens = [];
    arenaUsed = 0;
    internEpoch++;
    for (let k = 0; k < st.count; k++) st.ids[k] = -1; // this message's earlier entries are gone
    slot = h & INTERN_MASK;
  }
  for (let k = 0; k < n; k++) internArena[arenaUsed + k] = word.charCodeAt(k);
  internTokens.push(canonical);
  const base = slot << 2;
  internSlots[base] = h;
  internSlots[base + 1] = arenaUsed;
  internSlots[base + 2] = n;
  internSlots[base + 3] = internTokens.length;
  arenaUsed += n;
  push(st, canonical, i, j, internTokens.length - 1);
}

function newState(): State {
  return {
    text: '',
    tokens: [],
    starts: new Int32Array(64),
    ends: new Int32Array(64),
    ids: new Int32Array(64),
    count: 0,
    epoch: 0,
    previousCount: 0,
    gaps: new Uint8Array(64),
    rawCodes: new Uint16Array(64),
    rawOffsets: new Int32Array(64),
    rawLen: 0,
    rawEnd: 0,
    rawPlain: true,
    gapLen: 0,
    gapChars: 0,
    gapSpell: false,
    gapOther: false,
    singles: 0,
  };
}
// Two working states: `tokenize` hands out STREAM, while `normalize` (which the lexicon
// compiler and word lists call, possibly lazily between a tokenize and the use of its result)
// works in COPY and returns copies, so it can never overwrite a stream still being read.
const STREAM = newState();
const COPY = newState();

/** Normalises a message into canonical tokens with spans in the original text. */
export function normalize(text: string): NormalizedText {
  return plainCopy(run(COPY, text));
}

/** The state's tokens and spans as fresh plain arrays. */
function plainCopy(st: State): NormalizedText {
  const n = st.count;
  const starts: number[] = [];
  const ends: number[] = [];
  for (let k = 0; k < n; k++) {
    starts.push(st.starts[k] as number);
    ends.push(st.ends[k] as number);
  }
  return { tokens: st.tokens.slice(0, n), starts, ends };
}

/**
 * Normalises into reused buffers (see TokenStream), valid until the next call to tokenize:
 * read the result before tokenizing another message.
 */
export function tokenize(text: string): TokenStream {
  return run(STREAM, text);
}

function run(st: State, text: string): State {
  // Nothing here calls out while it runs, so one working state serves every call.
  st.text = text;
  st.count = 0;
  st.rawLen = 0;
  st.rawPlain = true;
  st.rawEnd = 0;
  st.gapLen = 0;
  st.gapChars = 0;
  st.gapSpell = false;
  st.gapOther = false;
  st.singles = 0;
  let digitCount = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    let c = text.charCodeAt(i);
    if (c < 128) {
      if (c === 32) {
        // A space only ends the current raw token.
        if (st.rawLen !== 0) flush(st);
        st.gapLen++;
        continue;
      }
      if (c >= 65 && c <= 90) c += 32;
      if (isLetter(c) && st.rawLen === 0) {
        // Fast path: a plain ASCII word ending cleanly is most of all chat.
        let h = Math.imul(c ^ 0x811c9dc5, 16777619);
        let j = i + 1;
        while (j < len) {
          const d = text.charCodeAt(j) | 32;
          if (d < 97 || d > 122) break;
          h = Math.imul(h ^ d, 16777619);
          j++;
        }
        if (isCleanEnd(text, j)) {
          pushWord(st, i, j, h);
          i = j - 1;
          continue;
        }
      }
      if (isLetter(c) || isDigit(c)) {
        if (isDigit(c)) digitCount++;
        appendChar(st, c, i);
        continue;
      }
      if (c === 39 /* ' */) continue; // "don't" → "dont"
      if (c === 36 /* $ */ && besideDigit(text, i)) {
        flush(st);
        push(st, CURRENCY, i, i + 1);
        continue;
      }
      const piece = String.fromCharCode(c);
      const inToken = st.rawLen !== 0;
      if (
        LEET_SYMBOLS.has(piece) &&
        (inToken || ((c === 64 || c === 36) && i + 1 < len && isLetter(text.charCodeAt(i + 1) | 32)))
      ) {
        appendChar(st, c, i);
        continue;
      }
      if (
        inToken &&
        st.rawCodes[0] === 64 &&
        (c === 95 || c === 46) &&
        i + 1 < len &&
        isLetter(text.charCodeAt(i + 1) | 32)
      ) {
        appendChar(st, c, i); // "@cool_kid", "@first.last"
        continue;
      }
      if (inToken && c === 46 /* . */ && isAddressDot(rawText(st), text, i)) {
        appendChar(st, c, i);
        continue;
      }
      if (inToken && (c === 47 || c === 58) && isAddressSoFar(rawText(st))) {
        appendChar(st, c, i);
        continue;
      }
      flush(st);
      addGap(st, c);
      continue;
    }
    // Non-ASCII: handle surrogate pairs (emoji, mathematical alphanumerics) as one character.
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < len ? 2 : 1;
    if (c === 0x2019 || c === 0x2018) continue; // curly apostrophes
    const ch = width === 1 ? (text[i] as string) : text.slice(i, i + width);
    if (CURRENCY_SIGNS.has(ch) && besideDigit(text, i)) {
      flush(st);
      push(st, CURRENCY, i, i + 1);
      continue;
    }
    const folded = foldChar(ch);
    if (folded === '') {
      i += width - 1;
      continue;
    }
    if (folded === ' ') {
      flush(st);
      addGap(st, 32);
      i += width - 1;
      continue;
    }
    if (folded.charCodeAt(0) === 1) {
      flush(st);
      push(st, folded.slice(1), i, i + width);
      i += width - 1;
      continue;
    }
    appendRaw(st, folded.charCodeAt(0) === 2 ? folded.slice(1) : folded, i, i + width);
    i += width - 1;
  }
  flush(st);
  const spelled = st.singles >= 3 && hasSpelledRun(st);
  if (spelled || digitCount >= 7) rewriteRare(st, spelled, digitCount >= 7);
  st.text = ''; // hold no message text between calls
  const tokens = st.tokens;
  for (let k = st.count; k < st.previousCount; k++) tokens[k] = '';
  if (tokens.length > 4096 && st.count < 1024) tokens.length = st.count; // after a huge message
  st.previousCount = st.count;
  st.epoch = internEpoch;
  return st;
}

/** Spelled-out words and phone numbers (a few messages in a thousand) are rewritten on plain arrays. */
function rewriteRare(st: State, spelled: boolean, digits: boolean): void {
  const n = st.count;
  const { tokens, starts, ends } = plainCopy(st);
  if (spelled) joinSpelledOut(st.text, tokens, starts, ends, st.gaps);
  if (digits) markPhoneNumbers(st.text, tokens, starts, ends);
  const shifted = tokens.length !== n;
  for (let k = 0; k < tokens.length; k++) {
    // A position whose token changed or moved no longer names its word-table entry.
    if (shifted || st.tokens[k] !== tokens[k]) st.ids[k] = -1;
    st.tokens[k] = tokens[k] as string;
    st.starts[k] = starts[k] as number;
    st.ends[k] = ends[k] as number;
  }
  for (let k = tokens.length; k < n; k++) st.tokens[k] = ''; // joined away: hold nothing stale
  st.count = tokens.length;
}

/**
 * The letter or digit a token spells out, if its source is one character. Its token may already
 * be canonicalised ("r" → "are"), so the character is read back from the source.
 */
function letterAt(
  text: string,
  tokens: string[],
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
  k: number,
): string | null {
  if ((ends[k] as number) - (starts[k] as number) !== 1) return null;
  const c = text.charCodeAt(starts[k] as number) | 32;
  if (isLetter(c)) return String.fromCharCode(c);
  if (isDigit(c)) return String.fromCharCode(c);
  const t = tokens[k] as string;
  return t.length === 1 && isLetter(t.charCodeAt(0)) ? t : null;
}

/** Gaps that continue a spelled-out run: spaces, spelling punctuation, or a wider gap between its words. */
function continuesRun(g: number): boolean {
  return g === GAP_SPACE || g === GAP_SPELL || g === GAP_WIDE || g === GAP_PUNCT_SPACE;
}

/**
 * A run of one-character tokens spells words out when it has at least four letters, or three
 * joined by punctuation ("s.n.a.p", "s n a p"). Three spaced letters are left alone ("u r a ...").
 */
function spellsOut(letters: number, digits: number, punctuated: boolean): boolean {
  return letters >= 4 || (letters >= 2 && letters + digits >= 4) || (letters === 3 && punctuated);
}

/** Whether joinSpelledOut would join anything: the same runs, found without copying or allocating. */
function hasSpelledRun(st: State): boolean {
  let run = 0;
  let letters = 0;
  let digits = 0;
  let punctuated = false;
  for (let k = 0; k < st.count; k++) {
    const ch = letterAt(st.text, st.tokens, st.starts, st.ends, k);
    if (ch === null) {
      run = 0;
      continue;
    }
    const g = st.gaps[k] as number;
    if (run > 0 && continuesRun(g)) {
      run++;
      if (g === GAP_SPELL) punctuated = true;
    } else {
      run = 1;
      letters = 0;
      digits = 0;
      punctuated = false;
    }
    if (isLetter(ch.charCodeAt(0))) letters++;
    else digits++;
    if (spellsOut(letters, digits, punctuated)) return true;
  }
  return false;
}

/** One spelled-out word's characters: digits alone are a number, digits among letters leetspeak. */
function spelledWord(chars: string): string {
  if (/^[0-9]+$/.test(chars)) return chars;
  let word = '';
  for (const ch of chars) word += isDigit(ch.charCodeAt(0)) ? (LEET.get(ch) ?? ch) : ch;
  return canonicalOf(word);
}

/**
 * Joins letters spelled out one by one ("s n a p", "s.n.a.p", "s-e-c-r-e-t") into words. A gap
 * of two or three spaces inside such a run separates its words ("p a y  m e" → "pay me"), and
 * single digits in it are leetspeak ("n 0 w") or, alone, a number ("1 0  m i n s").
 */
function joinSpelledOut(text: string, tokens: string[], starts: number[], ends: number[], gaps: Uint8Array): void {
  // gaps is not spliced with the tokens: after joins, token k's gap is gaps[k + shift].
  let shift = 0;
  let i = 0;
  while (i < tokens.length) {
    const first = letterAt(text, tokens, starts, ends, i);
    if (first === null) {
      i++;
      continue;
    }
    let j = i + 1;
    let punctuated = false;
    let spaced = false;
    let letters = isLetter(first.charCodeAt(0)) ? 1 : 0;
    let digits = 1 - letters;
    while (j < tokens.length) {
      const g = gaps[j + shift] as number;
      const ch = letterAt(text, tokens, starts, ends, j);
      if (ch === null || !continuesRun(g)) break;
      if (g === GAP_SPELL) punctuated = true;
      if (g === GAP_SPACE) spaced = true;
      if (isLetter(ch.charCodeAt(0))) letters++;
      else digits++;
      j++;
    }
    if (!spellsOut(letters, digits, punctuated)) {
      i = j;
      continue;
    }
    // Split the run into words at its wide gaps (and, when letters are spaced one apart, at
    // punctuation followed by a space: "a l l. u r"; when punctuation joins them, at a space)
    // and join each word's characters.
    const words: { text: string; start: number; end: number }[] = [];
    let chars = '';
    let wordStart = starts[i] as number;
    for (let k = i; k < j; k++) {
      const g = gaps[k + shift];
      // Where punctuation joins the letters ("s.a.v.e.d"), a plain space is a word break: "i s.a.v.e.d" is "i saved".
      if (k > i && (g === GAP_WIDE || (spaced && g === GAP_PUNCT_SPACE) || (punctuated && g === GAP_SPACE))) {
        words.push({ text: spelledWord(chars), start: wordStart, end: ends[k - 1] as number });
        chars = '';
        wordStart = starts[k] as number;
      }
      chars += letterAt(text, tokens, starts, ends, k) as string;
    }
    words.push({ text: spelledWord(chars), start: wordStart, end: ends[j - 1] as number });
    const newTokens: string[] = [];
    const newStarts: number[] = [];
    const newEnds: number[] = [];
    for (const w of words) {
      for (const part of w.text.split(' ')) {
        newTokens.push(part);
        newStarts.push(w.start);
        newEnds.push(w.end);
      }
    }
    const run = j - i;
    tokens.splice(i, run, ...newTokens);
    starts.splice(i, run, ...newStarts);
    ends.splice(i, run, ...newEnds);
    // Keep the gap array aligned: the run's tokens became newTokens.length tokens.
    shift += run - newTokens.length;
    i += newTokens.length;
  }
}

const PHONE = /(?:\+?\d[\s.\-()]{0,3}){9,14}\d/g;
/** Replaces runs of digits that look like a phone number with one `<phone>` token. */
function markPhoneNumbers(text: string, tokens: string[], starts: number[], ends: number[]): void {
  PHONE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PHONE.exec(text)) !== null) {
    // Dotted quads, dates and version strings are not phone numbers; "503.555.0120" is.
    const dots = m[0].match(/\./g)?.length ?? 0;
    if (dots >= 3 || (dots === 2 && (m[0].match(/\d/g)?.length ?? 0) < 10)) continue;
    const s = m.index;
    const e = s + m[0].length;
    let first = -1;
    let last = -1;
    for (let k = 0; k < tokens.length; k++) {
      if ((starts[k] as number) >= s && (ends[k] as number) <= e) {
        if (first < 0) first = k;
        last = k;
      }
    }
    if (first < 0) continue;
    tokens.splice(first, last - first + 1, '<phone>');
    starts.splice(first, last - first + 1, starts[first] as number);
    ends.splice(first, last - first + 1, ends[last] as number);
  }
}
