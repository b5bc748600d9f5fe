// Conversation and account state: what the engine keeps per account, per conversation and per
// participant, and the index tables that turn signal kinds and stages into array slots and bits.
import { GROOMING_STAGES, SIGNAL_KINDS, type Evidence, type GroomingStage, type SignalKind } from './reports.ts';
import type { WordingQuote } from './wording.ts';

export const SIGNAL_INDEX = new Map<SignalKind, number>(SIGNAL_KINDS.map((k, i) => [k, i]));
export const STAGE_BIT = new Map<GroomingStage, number>(GROOMING_STAGES.map((s, i) => [s, 1 << i]));
export const NUM_SIGNALS = SIGNAL_KINDS.length;
export const DAY_MS = 86_400_000;
export const S = Object.fromEntries(SIGNAL_KINDS.map((k, i) => [k, i])) as Record<SignalKind, number>;

/** @internal */
export interface ActorState {
  userId: string;
  declaredAge: number | null;
  declaredMinor: boolean | null;
  disclosedAge: number | null;
  /** Youngest and oldest age the account stated in chat: far apart, they are an age lie. */
  minDisclosed: number | null;
  maxDisclosed: number | null;
  /** The account took back or contradicted its stated age (or its declared one). */
  ageLie: boolean;
  /** An age others gave this account ("ur only 13"), and cues that they talk to it as a child. */
  attributedAge: number | null;
  attributedCues: number;
  /** Children this account sent intents to, by child (see noteFanOut); at most MAX_FAN_OUT. */
  fanOut: Map<string, FanOutEntry> | null;
  minorCues: number;
  adultCues: number;
  createdAt: number | null;
  messages: number;
  firstContacts: number;
  answeredFirstContacts: number;
  minorsContacted: Set<string> | null;
  friendRequestsToMinors: number;
  openers: number[] | null;
  duplicateOpeners: number;
  blockedBy: Set<string> | null;
  reportedBy: Set<string> | null;
  risky: { conversationId: string; score: number; stage: GroomingStage | null }[] | null;
  score: number;
  alerted: boolean;
  lastAt: number;
}

/** @internal One child an account sent intents to: where, which intent kinds (bits), and when. */
export interface FanOutEntry {
  conversationId: string;
  kinds: number;
  at: number;
  /** Whether the child was the account's peer (see isPeerOf) when last recorded. */
  peer: boolean;
}

/** @internal */
export interface ParticipantState {
  actor: ActorState;
  messages: number;
  /** Decayed count of each signal kind sent by this participant (allocated on the first signal). */
  signals: Float32Array | null;
  stages: number;
  decayedAt: number;
  /** Messages with an image or video attached, or short ones that name one ("pic", "📷", "vid"). */
  sentImages: number;
  /** Messages that laughed once a threat was made, theirs or the other side's ("you wouldnt dare 😂"). */
  laughedOff: number;
  /** The logits of this participant's most offender-like messages (wording.ts), highest first; null until one is positive. */
  wordingTop: Float32Array | null;
  /** The same messages, quoted for explanations. */
  wordingQuotes: WordingQuote[] | null;
}

/** @internal */
export interface ConversationState {
  id: string;
  participants: ParticipantState[];
  extraParticipants: number;
  messageCount: number;
  firstAt: number;
  lastAt: number;
  score: number;
  suspect: number;
  target: number;
  alerted: boolean;
  /** Participant index who asked the other's age and awaits an answer, else -1. */
  pendingAgeProbe: number;
  initiator: number;
  answered: boolean;
  evidence: Evidence[] | null;
  features: Float64Array | null;
  /** The escalation rule that set the score's floor, if one did. */
  rule: string | null;
  /** A participant addressed the other as their parent ("thanks mum"): family, not a stranger. */
  family: boolean;
}

/** A new account: nothing known about it yet. */
export function newActorState(userId: string): ActorState {
  return {
    userId,
    declaredAge: null,
    declaredMinor: null,
    disclosedAge: null,
    minDisclosed: null,
    maxDisclosed: null,
    ageLie: false,
    attributedAge: null,
    attributedCues: 0,
    fanOut: null,
    minorCues: 0,
    adultCues: 0,
    createdAt: null,
    messages: 0,
    firstContacts: 0,
    answeredFirstContacts: 0,
    minorsContacted: null,
    friendRequestsToMinors: 0,
    openers: null,
    duplicateOpeners: 0,
    blockedBy: null,
    reportedBy: null,
    risky: null,
    score: 0,
    alerted: false,
    lastAt: 0,
  };
}

/** A new conversation, first seen at `t`. */
export function newConversationState(id: string, t: number): ConversationState {
  return {
    id,
    participants: [],
    extraParticipants: 0,
    messageCount: 0,
    firstAt: t,
    lastAt: t,
    score: 0,
    suspect: -1,
    target: -1,
    alerted: false,
    pendingAgeProbe: -1,
    initiator: -1,
    answered: false,
    evidence: null,
    features: null,
    rule: null,
    family: false,
  };
}

export function stagesOf(bits: number): GroomingStage[] {
  return GROOMING_STAGES.filter((s) => bits & (STAGE_BIT.get(s) as number));
}

export function furthestStage(bits: number): GroomingStage | null {
  const stages = stagesOf(bits);
  return stages.length ? (stages[stages.length - 1] as GroomingStage) : null;
}
