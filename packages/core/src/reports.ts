// What the engine tells its callers: risk reports with the evidence behind every score.
// These shapes are part of the public contract (service API, CLI --json, on-device mode).

/** Families of per-message signals. Each names a behaviour, never a verdict. */
export const SIGNAL_KINDS = [
  'age_disclosure_minor', // "im 13", "8th grade"
  'age_disclosure_adult', // "im 34", "i'm a grown man"
  'age_probe', // "how old are you", "asl"
  'personal_info', // asks or gives school, address, town
  'phone_number',
  'platform_move', // "add me on snap", handles, links, "text me"
  'secrecy', // "don't tell anyone", "delete this", "our secret"
  'isolation', // "are your parents home", "are you alone", "they don't understand you"
  'flattery', // "you're so mature", "you're beautiful"
  'relationship', // "i love you", "be my girlfriend"
  'gift', // gift cards, game currency, "i'll buy you"
  'money', // payment apps, sending money
  'image_request', // "send a pic", "turn on your cam"
  'meeting', // "meet up", "i'll pick you up"
  'sexualisation', // non-explicit cue lists: body, experience, clothing questions
  'sextortion_leverage', // "i have your pics", "i recorded you"
  'sextortion_threat', // "i'll send them to your friends"
  'sextortion_payment', // "pay $200", "send a gift card or"
  'sextortion_deadline', // "you have 10 minutes"
  'distress', // the child: "please don't", "i'm scared"
  // Added later: appended so the indexes of stored engine snapshots keep their meaning.
  'age_attributed', // the other is named as a child: "ur only 13", "mature for 12", "at your age"
  'age_lie', // a stated age taken back or contradicted: "im not actually 15", 15 then 23
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** Grooming stages after the research literature (O'Connell; Lorenzo-Dus; Winters et al.). */
export const GROOMING_STAGES = [
  'access',
  'trust',
  'risk_assessment',
  'isolation',
  'platform_move',
  'sexualisation',
  'meeting',
  'sextortion',
] as const;
export type GroomingStage = (typeof GROOMING_STAGES)[number];

export type RiskLevel = 'none' | 'low' | 'medium' | 'high' | 'critical';

/** One matched signal in one message, with the span a moderator can see highlighted. */
export interface SignalMatch {
  kind: SignalKind;
  /** Start and end offsets (UTF-16 code units) in the message's original text. */
  start: number;
  end: number;
  /** The original text of the span. */
  excerpt: string;
  /** For age disclosures, the age stated. */
  age?: number;
}

export interface Evidence extends SignalMatch {
  messageId: string;
  conversationId: string;
  senderId: string;
  time: number;
  stage: GroomingStage | null;
  /** Set when retention removed the excerpt (now ''): the kind, span and message id remain. */
  textRemoved?: true;
}

export type AgeSource = 'declared' | 'disclosed' | 'unknown';

export interface ParticipantView {
  userId: string;
  /** Best estimate in years, if any. */
  age: number | null;
  ageSource: AgeSource;
  isMinor: boolean | null;
  messageCount: number;
}

export interface SextortionView {
  leverage: boolean;
  threat: boolean;
  payment: boolean;
  deadline: boolean;
}

export interface ConversationRiskReport {
  conversationId: string;
  /** 0..1; a reason for human review, never a verdict. */
  score: number;
  level: RiskLevel;
  /** Furthest grooming stage reached so far, in GROOMING_STAGES order. */
  stage: GroomingStage | null;
  stagesReached: GroomingStage[];
  sextortion: SextortionView;
  /** The participant whose messages carry the risk (the likely adult), if one stands out. */
  suspectId: string | null;
  /** The participant the risk is directed at (the likely child), if known. */
  targetId: string | null;
  participants: ParticipantView[];
  messageCount: number;
  firstAt: number;
  lastAt: number;
  /** Which risk model produced the score (`RiskModel.id`, or "default"). */
  modelId?: string;
  /** At or above the watch level: ranked for review before it alerts. */
  watch?: boolean;
  /** Human-readable reasons, strongest first. */
  reasons: string[];
  /** The messages and spans behind the score (bounded; strongest kept). */
  evidence: Evidence[];
}

export interface ActorRiskReport {
  userId: string;
  score: number;
  level: RiskLevel;
  age: number | null;
  ageSource: AgeSource;
  accountAgeDays: number | null;
  distinctMinorsContacted: number;
  firstContacts: number;
  unansweredFirstContacts: number;
  duplicateOpeners: number;
  blocksAgainst: number;
  reportsAgainst: number;
  /** Highest conversation scores where this account is the suspect. */
  riskyConversations: { conversationId: string; score: number; stage: GroomingStage | null }[];
  /**
   * The same intent sequence (e.g. flattery + age probe) sent to several children: who, which
   * intents and where. Null when the account shows no such fan-out.
   */
  fanOut?: FanOutView | null;
  /** Which risk model produced the score (`RiskModel.id`, or "default"). */
  modelId?: string;
  reasons: string[];
}

export interface FanOutView {
  /** The children the intent sequence reached, most recent first. */
  children: string[];
  /** The signal kinds every one of those conversations shares, e.g. ["flattery", "age_probe"]. */
  intents: SignalKind[];
  conversations: string[];
  /**
   * The account's other one-to-one conversations with children in the same window where it sent
   * two or more intents of another pair (a fan-out account rewords from child to child).
   */
  alsoConversations: string[];
  /** Time span of those first contacts, in days. */
  withinDays: number;
}

export interface Alert {
  kind: 'conversation' | 'actor';
  /** Conversation id or user id. */
  subjectId: string;
  level: RiskLevel;
  score: number;
  time: number;
  /** The event that pushed the score over the threshold. */
  eventId: string;
  /** Number of messages the engine had read in this conversation (or from this actor) when it fired. */
  messagesRead: number;
}
