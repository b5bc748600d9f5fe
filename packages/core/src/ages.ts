// Who is a child: an account's age from what the platform declared, what it said in chat and
// what others said to it, and the reading of a short reply to an age question.
import { AGE_MAX, AGE_MIN, NOT_AGE_AFTER, normalizedSet, schoolAge } from './signals.ts';
import type { AgeSource } from './reports.ts';
import type { ActorState, ConversationState, ParticipantState } from './state.ts';

const AGE_ANSWER_SUFFIX = normalizedSet([
  'f',
  'm',
  'male',
  'female',
  'girl',
  'boy',
  'and',
  'you',
  'wbu',
  'hbu',
  'u',
  'yrs',
  'years',
  'yo',
  'old',
  'too',
  'lol',
  'haha',
]);

export function ageOf(a: ActorState): { age: number | null; ageSource: AgeSource; isMinor: boolean | null } {
  // An account that lied about its age is taken at the oldest age it gave (adults lie downwards).
  if (a.ageLie) {
    const oldest = Math.max(a.maxDisclosed ?? 0, a.declaredAge ?? 0);
    if (oldest >= 18) return { age: oldest, ageSource: 'disclosed', isMinor: false };
  }
  if (a.declaredMinor !== null) return { age: a.declaredAge, ageSource: 'declared', isMinor: a.declaredMinor };
  if (a.disclosedAge !== null) return { age: a.disclosedAge, ageSource: 'disclosed', isMinor: a.disclosedAge < 18 };
  if (a.minorCues >= 2 && a.adultCues === 0) return { age: null, ageSource: 'disclosed', isMinor: true };
  if (a.adultCues >= 2 && a.minorCues === 0) return { age: null, ageSource: 'disclosed', isMinor: false };
  return { age: null, ageSource: 'unknown', isMinor: null };
}

/** Allocation-free form of ageOf(a).isMinor for the per-message path. */
export function isMinorOf(a: ActorState): boolean | null {
  if (a.ageLie && Math.max(a.maxDisclosed ?? 0, a.declaredAge ?? 0) >= 18) return false;
  if (a.declaredMinor !== null) return a.declaredMinor;
  if (a.disclosedAge !== null) return a.disclosedAge < 18;
  if (a.minorCues >= 2 && a.adultCues === 0) return true;
  if (a.adultCues >= 2 && a.minorCues === 0) return false;
  return null;
}

/**
 * How strongly an account reads as a child when it is the one at risk: 1 known, 0.5 from one
 * school-age cue, else 0. Protection takes the younger age: a declared adult who says "im 13"
 * counts as a child here (while, as a suspect, a declared adult claiming to be 14 stays adult).
 */
export function minorStrength(a: ActorState): number {
  const info = ageOf(a);
  if (info.isMinor === true) return 1;
  if (a.disclosedAge !== null && a.disclosedAge < 18) return 1;
  if (info.isMinor === false) return 0;
  // Named a child by the other side ("ur only 13"), or talked to as one ("at your age").
  if (a.attributedAge !== null && a.attributedAge < 18) return 1;
  return a.minorCues > 0 || a.attributedCues > 0 ? 0.5 : 0;
}

/**
 * Years between a minor suspect and a younger child from which the two are no longer peers: a
 * 17-year-old account asking a 12-year-old whether their parents check their phone is not
 * teenage banter. Close-in-age exemptions in law sit at two to four years; four is the cautious end.
 */
const PEER_AGE_GAP = 4;

/** The suspect is a child talking to a child of about their own age (or of unknown age). */
export function isPeerOf(
  suspectAge: { age: number | null; isMinor: boolean | null },
  targetAge: { age: number | null } | null,
): boolean {
  if (suspectAge.isMinor !== true) return false;
  if (suspectAge.age === null || targetAge?.age == null) return true;
  return suspectAge.age - targetAge.age < PEER_AGE_GAP;
}

export function noteDisclosedAge(actor: ActorState, age: number): void {
  if (age < AGE_MIN || age > AGE_MAX) return;
  actor.disclosedAge = age;
  actor.minDisclosed = actor.minDisclosed === null ? age : Math.min(actor.minDisclosed, age);
  actor.maxDisclosed = actor.maxDisclosed === null ? age : Math.max(actor.maxDisclosed, age);
  // A child's age stated, then an adult's (or years apart), or an adult's in chat under a
  // child's account: one of them is a lie, and adults lie downwards to reach children.
  if ((actor.minDisclosed < 18 && actor.maxDisclosed >= 18) || actor.maxDisclosed - actor.minDisclosed >= 4)
    actor.ageLie = true;
  if (actor.declaredMinor === true && age >= 20) actor.ageLie = true;
}

/** "ur only 13", "at your age": the sender names the one they talk to as a child. */
export function noteAttributedAge(
  c: ConversationState,
  senderIdx: number,
  recipientBits: number,
  age: number | undefined,
): void {
  let other = -1;
  if (recipientBits !== 0 && (recipientBits & (recipientBits - 1)) === 0) other = 31 - Math.clz32(recipientBits);
  else if (c.participants.length === 2) other = 1 - senderIdx;
  if (other < 0 || other === senderIdx) return;
  const target = (c.participants[other] as ParticipantState).actor;
  if (age !== undefined && age >= AGE_MIN && age <= AGE_MAX) target.attributedAge = age;
  else target.attributedCues++;
}

const SAME = normalizedSet(['same', 'me too', 'same here', 'snap', 'twins']);
/** "year 7" / "yr 7" (normalised "your 7") / "y7": a UK school year. */
const UK_YEAR_WORDS = normalizedSet(['year', 'your', 'y']);
const ORDINAL_SUFFIXES = normalizedSet(['th', 'st', 'nd', 'rd']);

export function endsWithAgeQuestion(tokens: string[], count: number): boolean {
  const last = tokens[count - 1];
  if (last === 'old') return count >= 2 && tokens[count - 2] === 'how';
  return last === 'age' && (count === 1 || (count === 2 && (tokens[0] === 'your' || tokens[0] === 'and')));
}

/**
 * The age in a reply to "how old are you" (or to "13 f, u?") or "what year/grade are you in", read
 * from the first `count` tokens: "13", "13 f", "14 too! add me...", "same, 15 in june", or "same"
 * when the asker gave their own age.
 */
export function ageAnswer(
  tokens: string[],
  count: number,
  askerAge: number | null,
  year: number | null = null,
): number | null {
  if (count === 0 || count > 12) return null;
  for (let i = 0; i < Math.min(3, count); i++) {
    const t = tokens[i] as string;
    const c = t.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    // A birth year ("2012 why", after "what year were you born") is an age in the message's year.
    if (t.length === 4 && year !== null) {
      const age = year - Number(t);
      return age >= AGE_MIN && age <= AGE_MAX ? age : null;
    }
    if (t.length > 2) return null;
    const next = i + 1 < count ? tokens[i + 1] : undefined;
    // A school year or grade given as the answer ("year 7", "yr 8", "7th", "grade 6") is an age too.
    const n = Number(t);
    const prev = i > 0 ? (tokens[i - 1] as string) : undefined;
    if (prev !== undefined && UK_YEAR_WORDS.has(prev)) return schoolAge('#ukyear', n);
    if ((next !== undefined && ORDINAL_SUFFIXES.has(next)) || prev === 'grade' || next === 'grade')
      return schoolAge('#usgrade', n);
    if (next !== undefined && !AGE_ANSWER_SUFFIX.has(next) && NOT_AGE_AFTER.has(next)) return null;
    if (i === 0 && next !== undefined && !AGE_ANSWER_SUFFIX.has(next) && count > 4) return null;
    const age = Number(t);
    return age >= AGE_MIN && age <= AGE_MAX ? age : null;
  }
  if (askerAge !== null && SAME.has(tokens[0] as string)) return askerAge;
  return null;
}
