// Facts about an account that other engines learnt (the other partitions of a partitioned detector):
// its ages stated in chat, its outreach to children, its fan-out and its risky conversations. The
// host passes them in as plain data; the engine folds them into the account, so that its own
// conversations and its risk see the whole account, not only the part this engine was shown.
// Facts are values, not increments: noting the same facts again changes nothing, and newer facts
// replace older ones (counts are kept apart from the engine's own, so they are never counted twice).
import { MAX_OPENERS, MAX_RISKY_CONVERSATIONS } from './actor-score.ts';
import { MAX_FAN_OUT } from './fan-out.ts';
import type { ActorState, FanOutEntry } from './state.ts';
import type { GroomingStage } from './reports.ts';

/** Counts that add up over engines: what others saw is added to what this engine saw. */
export const OUTSIDE_COUNTS = [
  'minorCues',
  'adultCues',
  'attributedCues',
  'firstContacts',
  'answeredFirstContacts',
  'duplicateOpeners',
] as const;
export type OutsideCount = (typeof OUTSIDE_COUNTS)[number];
export type OutsideCounts = Record<OutsideCount, number>;

/** One child an account sent a pair of intents to, in a conversation of another engine. */
export interface OutsideFanOutEntry extends FanOutEntry {
  childId: string;
}

export interface RiskyConversationFact {
  conversationId: string;
  score: number;
  stage: GroomingStage | null;
}

/** What is known of an account outside one engine (or, from accountFacts, what one engine knows). */
export interface AccountFacts extends OutsideCounts {
  /** The latest age it stated in chat, and the youngest and oldest. */
  disclosedAge: number | null;
  minDisclosed: number | null;
  maxDisclosed: number | null;
  ageLie: boolean;
  /** An age others gave it ("ur only 13"). */
  attributedAge: number | null;
  /** Known children it messaged (at most MAX_MINORS_TRACKED). */
  minorsContacted: string[];
  /** Hashes of the conversation openers it sent (at most MAX_OPENERS), to find copy-pasted ones. */
  openers: number[];
  /** Children it sent intents to (at most MAX_FAN_OUT entries). */
  fanOut: OutsideFanOutEntry[];
  /** Its riskiest conversations as suspect (at most MAX_RISKY_CONVERSATIONS). */
  risky: RiskyConversationFact[];
  /** Time of its latest message (ms). */
  lastAt: number;
}

/** The engine's bounds, shared with the code that keeps the same lists from its own events. */
export interface FactBounds {
  maxMinors: number;
  maxOpeners: number;
  maxFanOut: number;
  maxRisky: number;
}

/** The engine's own list sizes, for hosts that merge facts of several engines (children: engine.ts). */
export const ACCOUNT_FACT_BOUNDS: FactBounds = {
  maxMinors: 1000,
  maxOpeners: MAX_OPENERS,
  maxFanOut: MAX_FAN_OUT,
  maxRisky: MAX_RISKY_CONVERSATIONS,
};

/** What an account's facts are made of when nothing is known (the identity of merging). */
export function emptyAccountFacts(): AccountFacts {
  return {
    disclosedAge: null,
    minDisclosed: null,
    maxDisclosed: null,
    ageLie: false,
    attributedAge: null,
    minorCues: 0,
    adultCues: 0,
    attributedCues: 0,
    firstContacts: 0,
    answeredFirstContacts: 0,
    duplicateOpeners: 0,
    minorsContacted: [],
    openers: [],
    fanOut: [],
    risky: [],
    lastAt: 0,
  };
}

/**
 * What the engine itself learnt about the account, without what it was told from outside (`told`):
 * the counts less the outside ones, and only the fan-out and risky conversations it holds. Ages and
 * children contacted may include outside ones: they merge by union, so repeating them is harmless.
 */
export function ownFacts(a: ActorState, told: OutsideCounts | undefined, holds: (id: string) => boolean): AccountFacts {
  const facts: AccountFacts = {
    ...emptyAccountFacts(),
    disclosedAge: a.disclosedAge,
    minDisclosed: a.minDisclosed,
    maxDisclosed: a.maxDisclosed,
    ageLie: a.ageLie,
    attributedAge: a.attributedAge,
    minorsContacted: a.minorsContacted ? [...a.minorsContacted] : [],
    openers: a.openers ? [...a.openers] : [],
    fanOut: a.fanOut
      ? [...a.fanOut].filter(([, e]) => holds(e.conversationId)).map(([childId, e]) => ({ childId, ...e }))
      : [],
    risky: (a.risky ?? []).filter((r) => holds(r.conversationId)).map((r) => ({ ...r })),
    lastAt: a.lastAt,
  };
  for (const k of OUTSIDE_COUNTS) facts[k] = a[k] - (told?.[k] ?? 0);
  return facts;
}

/**
 * Folds outside facts into the account. `told` is what was noted from outside before (its counts
 * are replaced by the new ones, never added twice); `noteAge` applies an age with the engine's own
 * rule for age lies. Returns the outside counts to remember for the next call.
 */
export function foldOutsideFacts(
  a: ActorState,
  facts: AccountFacts,
  told: OutsideCounts | undefined,
  holds: (id: string) => boolean,
  bounds: FactBounds,
  noteAge: (a: ActorState, age: number) => void,
): OutsideCounts {
  const counts = {} as OutsideCounts;
  for (const k of OUTSIDE_COUNTS) {
    const value = nonNegative(facts[k]);
    a[k] += value - (told?.[k] ?? 0);
    counts[k] = value;
  }
  // Ages: the youngest and oldest stated anywhere, through the engine's lie rule; the latest
  // stated here stays the latest (outside facts carry no order against this engine's events).
  const latest = a.disclosedAge;
  if (facts.minDisclosed !== null) noteAge(a, facts.minDisclosed);
  if (facts.maxDisclosed !== null) noteAge(a, facts.maxDisclosed);
  a.disclosedAge = latest ?? facts.disclosedAge ?? a.disclosedAge;
  if (facts.ageLie) a.ageLie = true;
  if (a.attributedAge === null && facts.attributedAge !== null) a.attributedAge = facts.attributedAge;
  if (facts.minorsContacted.length > 0) {
    const set = (a.minorsContacted ??= new Set());
    for (const id of facts.minorsContacted) {
      if (set.size >= bounds.maxMinors) break;
      if (id !== a.userId) set.add(id);
    }
  }
  if (facts.openers?.length) {
    // Openers sent elsewhere: a later opener here that repeats one counts as copy-pasted, as in one engine.
    const openers = (a.openers ??= []);
    for (const h of facts.openers) if (openers.length < bounds.maxOpeners && !openers.includes(h)) openers.push(h);
  }
  for (const e of facts.fanOut) {
    const map = (a.fanOut ??= new Map());
    const mine = map.get(e.childId);
    if (mine) {
      mine.kinds |= e.kinds;
      if (e.at < mine.at) mine.at = e.at;
      // A peer only if every record says so: the stricter fan-out count then never applies wrongly.
      mine.peer &&= e.peer !== false;
      // A conversation of this engine's stays the one to raise; another engine raises its own.
      if (!holds(mine.conversationId)) mine.conversationId = e.conversationId;
    } else if (map.size < bounds.maxFanOut)
      map.set(e.childId, { conversationId: e.conversationId, kinds: e.kinds, at: e.at, peer: e.peer === true });
  }
  if (facts.risky.length > 0) {
    // This engine's own conversations are scored here; another engine's come from its facts.
    const list = (a.risky ?? []).filter(
      (r) => holds(r.conversationId) || !facts.risky.some((o) => o.conversationId === r.conversationId),
    );
    for (const r of facts.risky)
      if (!holds(r.conversationId) && !list.some((x) => x.conversationId === r.conversationId))
        list.push({ conversationId: r.conversationId, score: r.score, stage: r.stage });
    list.sort((x, y) => y.score - x.score || (x.conversationId < y.conversationId ? -1 : 1));
    if (list.length > bounds.maxRisky) list.length = bounds.maxRisky;
    a.risky = list;
  }
  if (facts.lastAt > a.lastAt) a.lastAt = facts.lastAt;
  return counts;
}

/**
 * Merges facts from several engines (the host's account stage does this): unions, youngest and
 * oldest ages, summed counts, each conversation as the later facts report it. The latest stated
 * age is taken from the facts whose account was active last.
 */
export function mergeAccountFacts(all: AccountFacts[], bounds: FactBounds): AccountFacts {
  const out = emptyAccountFacts();
  let latestAt = -1;
  const contacted = new Set<string>();
  const openers = new Set<number>();
  const fan = new Map<string, OutsideFanOutEntry>();
  const risky = new Map<string, RiskyConversationFact>();
  for (const f of all) {
    for (const k of OUTSIDE_COUNTS) out[k] += nonNegative(f[k]);
    out.minDisclosed = minOf(out.minDisclosed, f.minDisclosed);
    out.maxDisclosed = maxOf(out.maxDisclosed, f.maxDisclosed);
    if (f.disclosedAge !== null && f.lastAt > latestAt) {
      out.disclosedAge = f.disclosedAge;
      latestAt = f.lastAt;
    }
    out.ageLie ||= f.ageLie;
    out.attributedAge ??= f.attributedAge;
    for (const id of f.minorsContacted) if (contacted.size < bounds.maxMinors) contacted.add(id);
    for (const h of f.openers ?? []) if (openers.size < bounds.maxOpeners) openers.add(h);
    for (const e of f.fanOut) {
      const had = fan.get(e.childId);
      if (had) {
        had.kinds |= e.kinds;
        if (e.at < had.at) had.at = e.at;
        had.peer &&= e.peer !== false;
      } else if (fan.size < bounds.maxFanOut) fan.set(e.childId, { ...e });
    }
    for (const r of f.risky) risky.set(r.conversationId, { ...r });
    if (f.lastAt > out.lastAt) out.lastAt = f.lastAt;
  }
  // In a fixed order, so that merging the same facts in any order gives the same value.
  out.minorsContacted = [...contacted].sort();
  out.openers = [...openers].sort((x, y) => x - y);
  out.fanOut = [...fan.values()].sort((x, y) => x.at - y.at || (x.childId < y.childId ? -1 : 1));
  out.risky = [...risky.values()]
    .sort((x, y) => y.score - x.score || (x.conversationId < y.conversationId ? -1 : 1))
    .slice(0, bounds.maxRisky);
  return out;
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
