// What a message says beyond the lexicon's signals: a parent addressed ("ok mum"), a picture
// named in a short message, and a bare countdown ("9 min") from someone already pressing.
import { normalizedSet, type DetectedSignal } from './signals.ts';
import { S } from './state.ts';

const DURATION_WORDS = normalizedSet(['minutes', 'min', 'mins', 'seconds', 'secs', 'hours', 'hrs']);

/** Parents themselves, by the names children call them. */
const PARENT_NAMES = [
  'mom',
  'mum',
  'mam',
  'dad',
  'mommy',
  'mummy',
  'mama',
  'papa',
  'daddy',
  'amma',
  'appa',
  'ammi',
  'abbu',
  'mami',
];
// Parents and the family who stand in for them ("hi grandad", "grandma here", "thanks auntie").
const PARENT_WORDS = normalizedSet([
  ...PARENT_NAMES,
  'mammy',
  'grandma',
  'grandmother',
  'grandad',
  'granddad',
  'grandpa',
  'grandfather',
  'gran',
  'granny',
  'nan',
  'nana',
  'nanna',
  'auntie',
  'aunty',
]);
const VOCATIVE_LEADS = normalizedSet([
  'ok',
  'okay',
  'thanks',
  'thank',
  'love',
  'hi',
  'hey',
  'sorry',
  'night',
  'bye',
  'omw',
  'coming',
]);
const VOCATIVE_ENDS = normalizedSet([
  'lmao',
  'lmfao',
  'xd',
  'ty',
  'thx',
  'x',
  'xx',
  'xxx',
  'love',
  'i',
  'im',
  'can',
  'pls',
  'please',
  'lol',
  'haha',
  'ok',
  'okay',
  'thanks',
]);

/** "ok mum", "thanks dad x", "mom can you…", "love you mum": a message addressed to a parent. */
/** A parent named bare, as someone both sides share ("mom said", "amma says", "our dad wants"). */
const SHARED_PARENT_WORDS = normalizedSet(PARENT_NAMES);
const PARENT_REPORTS = normalizedSet(['said', 'says', 'asked', 'wants', 'told', 'texted', 'called', 'needs']);
/**
 * "mom said i gotta pick u up", "amma said to check": the sender passes on what a parent they
 * share with the other said, which siblings and the other parent do and strangers do not (a
 * stranger says "your mom"). Read in the first words of a message.
 */
export function reportsSharedParent(tokens: string[], count: number): boolean {
  for (let k = 0; k + 1 < Math.min(count, 8); k++) {
    if (!SHARED_PARENT_WORDS.has(tokens[k] as string) || !PARENT_REPORTS.has(tokens[k + 1] as string)) continue;
    const before = k > 0 ? (tokens[k - 1] as string) : undefined;
    if (before === undefined || before === 'our' || !POSSESSIVES.has(before)) return true;
  }
  return false;
}

export function addressesParent(tokens: string[], count: number): boolean {
  if (count === 0 || count > 14) return false;
  if (PARENT_WORDS.has(tokens[0] as string) && count > 1 && VOCATIVE_FOLLOWS.has(tokens[1] as string)) return true;
  let named = false;
  for (let k = 1; k < count; k++) {
    if (!PARENT_WORDS.has(tokens[k] as string)) continue;
    const before = tokens[k - 1] as string;
    // "ur mom an dad": once a parent is named with a possessive, the rest of the list is named too.
    if (named) continue;
    const after = k + 1 < count ? tokens[k + 1] : undefined;
    // The sender names themselves: "grandma here", "this is grandad", "its mum".
    if (after === 'here' && !POSSESSIVES.has(before)) return true;
    if (before === 'its' || (before === 'is' && k >= 2 && SELF_NAMING.has(tokens[k - 2] as string))) return true;
    if (POSSESSIVES.has(before)) {
      named = true; // "ask your mom" names a parent, it does not address one
      continue;
    }
    if (after !== undefined && !VOCATIVE_ENDS.has(after)) continue; // "no mom is at work" tells, it does not address
    if (VOCATIVE_LEADS.has(before) || before === 'you' || k === count - 1) return true;
  }
  return false;
}
const SELF_NAMING = normalizedSet(['this', 'it']);
const VOCATIVE_FOLLOWS = normalizedSet([
  'can',
  'could',
  'pls',
  'please',
  'where',
  'when',
  'are',
  'will',
  'im',
  'i',
  'its',
  'ok',
  'what',
  'come',
  'wheres',
  'hi',
  'why',
  'wait',
  'stop',
  'omg',
  'do',
  'did',
  'ur',
  'you',
]);
const POSSESSIVES = normalizedSet([
  'your',
  'ur',
  'my',
  'his',
  'her',
  'their',
  'the',
  'a',
  'our',
  'tell',
  'ask',
  'to',
  'and',
  'or',
  'with',
]);
const MEDIA_TOKENS = normalizedSet([
  'pic',
  'video',
  'nudes',
  'cam',
  'image',
  'images',
  'screenshot',
  'screenshots',
  'recording',
  'nude',
  'photo',
  'selfie',
]);

/**
 * Short messages are where a picture is sent ("📷", "[image]", "here's the pic") and a parent is
 * addressed ("ok mum"): one lookup per word tells which of the two a message may hold.
 */
export const SHORT_MESSAGE_TOKENS = 14;
export const WORD_PARENT = 1;
export const WORD_MEDIA = 2;
const SHORT_WORDS = new Map<string, number>([
  ...[...PARENT_WORDS].map((w) => [w, WORD_PARENT] as const),
  ...[...MEDIA_TOKENS].map((w) => [w, WORD_MEDIA] as const),
]);
/** First letter and length of each SHORT_WORDS word: most tokens are turned away before the Map. */
const SHORT_WORD_SHAPES = new Uint8Array(128 * 32);
for (const w of SHORT_WORDS.keys()) {
  const c = w.charCodeAt(0);
  if (c < 128) SHORT_WORD_SHAPES[c * 32 + Math.min(w.length, 31)] = 1;
}
export function shortMessageWords(tokens: string[], count: number): number {
  let bits = 0;
  for (let k = 0; k < count; k++) {
    const token = tokens[k] as string;
    const c = token.charCodeAt(0);
    if (c < 128 && SHORT_WORD_SHAPES[c * 32 + Math.min(token.length, 31)] === 0) continue;
    bits |= SHORT_WORDS.get(token) ?? 0;
  }
  return bits;
}

export function hasThreatOrLeverage(sig: Float32Array): boolean {
  return (sig[S.sextortion_threat] as number) > 0.05 || (sig[S.sextortion_leverage] as number) > 0.05;
}

const LAUGH_WORDS = normalizedSet(['lol', 'lmao', 'lmfao', 'rofl', 'haha', 'hahaha', 'hehe', 'lool', 'dare', 'menace']);
const LAUGH_EMOJI = /[\u{1F602}\u{1F923}\u{1F606}\u{1F639}\u{1F480}]/u;
/** A message that laughs, dares or mocks outrage ("lmao", "you wouldnt dare", "ur dead to me", "😂", "💀"). */
export function laughsOff(text: string, tokens: string[], count: number): boolean {
  for (let k = 0; k < count; k++) {
    const t = tokens[k] as string;
    if (LAUGH_WORDS.has(t) || t.startsWith('haha')) return true;
    // Mock outrage: "ur dead to me".
    if (t === 'dead' && tokens[k + 1] === 'to' && tokens[k + 2] === 'me' && k + 2 < count) return true;
  }
  return LAUGH_EMOJI.test(text);
}

export function hasSextortionPressure(sig: Float32Array): boolean {
  return (
    (sig[S.sextortion_threat] as number) > 0.05 ||
    (sig[S.sextortion_payment] as number) > 0.05 ||
    (sig[S.sextortion_leverage] as number) > 0.05
  );
}

/** A message that is only a duration ("9 min", "6 minutes left"), as a deadline signal. */
export function bareDuration(
  text: string,
  tokens: string[],
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
  count: number,
): DetectedSignal | null {
  for (let k = 0; k + 1 < count; k++) {
    const t = tokens[k] as string;
    const c = t.charCodeAt(0);
    if (c < 48 || c > 57 || !DURATION_WORDS.has(tokens[k + 1] as string)) continue;
    const start = starts[k] as number;
    const end = ends[k + 1] as number;
    return { kind: 'sextortion_deadline', start, end, excerpt: text.slice(start, end), stage: 'sextortion' };
  }
  return null;
}
