// Engine state to and from JSON, for restarts without replaying every event.
import { NUM_SIGNALS, type ActorState, type ConversationState, type FanOutEntry } from './state.ts';
import type { WordingQuote } from './wording.ts';

/** An account as a snapshot holds it: sets and maps as arrays. */
export type RawActor = Omit<ActorState, 'minorsContacted' | 'blockedBy' | 'reportedBy' | 'fanOut'> & {
  minorsContacted: string[] | null;
  blockedBy: string[] | null;
  reportedBy: string[] | null;
  fanOut?: [string, FanOutEntry][] | null;
};

type RawParticipant = {
  userId: string;
  messages: number;
  signals: number[] | null;
  stages: number;
  decayedAt: number;
  sentImages?: number;
  laughedOff?: number;
  wordingTop?: number[] | null;
  wordingQuotes?: WordingQuote[] | null;
};

/** A conversation as a snapshot holds it: participants by account id, typed arrays as arrays. */
export type RawConversation = Omit<ConversationState, 'participants' | 'features'> & {
  participants: RawParticipant[];
  features: number[] | null;
};

export function actorToJson(a: ActorState): unknown {
  return {
    ...a,
    minorsContacted: a.minorsContacted ? [...a.minorsContacted] : null,
    blockedBy: a.blockedBy ? [...a.blockedBy] : null,
    reportedBy: a.reportedBy ? [...a.reportedBy] : null,
    fanOut: a.fanOut ? [...a.fanOut] : null,
  };
}

export function conversationToJson(c: ConversationState): unknown {
  return {
    ...c,
    features: c.features ? Array.from(c.features) : null,
    participants: c.participants.map((p) => ({
      userId: p.actor.userId,
      messages: p.messages,
      signals: p.signals ? Array.from(p.signals) : null,
      stages: p.stages,
      decayedAt: p.decayedAt,
      sentImages: p.sentImages,
      laughedOff: p.laughedOff,
      wordingTop: p.wordingTop ? Array.from(p.wordingTop) : null,
      wordingQuotes: p.wordingQuotes,
    })),
  };
}

export function actorFromJson(raw: RawActor): ActorState {
  // Snapshots from before a field existed restore it empty.
  const defaults = {
    minDisclosed: raw.disclosedAge ?? null,
    maxDisclosed: raw.disclosedAge ?? null,
    ageLie: false,
    attributedAge: null,
    attributedCues: 0,
  };
  return {
    ...defaults,
    ...raw,
    // Entries from snapshots made before `peer` was kept count as peers (the cautious reading).
    fanOut: raw.fanOut ? new Map(raw.fanOut.map(([child, e]) => [child, { ...e, peer: e.peer ?? true }])) : null,
    minorsContacted: raw.minorsContacted ? new Set(raw.minorsContacted) : null,
    blockedBy: raw.blockedBy ? new Set(raw.blockedBy) : null,
    reportedBy: raw.reportedBy ? new Set(raw.reportedBy) : null,
  };
}

/** `actorOf` finds (or creates) the account a participant is. */
export function conversationFromJson(raw: RawConversation, actorOf: (userId: string) => ActorState): ConversationState {
  return {
    ...raw,
    features: raw.features ? Float64Array.from(raw.features) : null,
    rule: raw.rule ?? null,
    family: raw.family ?? false,
    participants: raw.participants.map((p) => ({
      actor: actorOf(p.userId),
      messages: p.messages,
      signals: p.signals ? paddedSignals(p.signals) : null,
      stages: p.stages,
      decayedAt: p.decayedAt,
      sentImages: p.sentImages ?? 0,
      laughedOff: p.laughedOff ?? 0,
      wordingTop: p.wordingTop ? Float32Array.from(p.wordingTop) : null,
      wordingQuotes: p.wordingQuotes ?? null,
    })),
  };
}

/** Signal counts from a snapshot made before kinds were appended: the new kinds start at zero. */
function paddedSignals(values: number[]): Float32Array {
  const out = new Float32Array(NUM_SIGNALS);
  out.set(values.slice(0, NUM_SIGNALS));
  return out;
}
