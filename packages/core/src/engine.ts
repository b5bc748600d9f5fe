// The detection engine: consumes events one at a time and keeps compact state per
// conversation and per account. Conversation risk accumulates (and decays) per participant,
// knows who is the adult and who the child, and fires alerts the moment a threshold is
// crossed. Actor risk follows an account across all its conversations.
import { toMillis, type AccountEvent, type ContactEvent, type LifeguardEvent, type MessageEvent } from './events.ts';
import { explainActor, explainConversation } from './explain.ts';
import { strongestRule, ESCALATION_RULES, type EscalationFacts, type EscalationRule } from './escalation.ts';
import { CONVERSATION_FEATURES, DEFAULT_MODEL, scoreFeatures, type RiskModel } from './model.ts';
import { tokenize } from './normalize.ts';
import { foldOutsideFacts, ownFacts, type AccountFacts, type OutsideCounts } from './outsideFacts.ts';
import {
  AGE_MAX,
  AGE_MIN,
  NOT_AGE_AFTER,
  detectSignals,
  normalizedSet,
  schoolAge,
  type DetectedSignal,
} from './signals.ts';
import {
  GROOMING_STAGES,
  SIGNAL_KINDS,
  type ActorRiskReport,
  type AgeSource,
  type Alert,
  type ConversationRiskReport,
  type Evidence,
  type FanOutView,
  type GroomingStage,
  type RiskLevel,
  type SignalKind,
} from './reports.ts';

export interface EngineOptions {
  model?: RiskModel;
  /** Conversation score at which an alert fires. Default 0.5. */
  alertThreshold?: number;
  /** Actor score at which an alert fires. Default 0.5. */
  actorAlertThreshold?: number;
  /** Conversation score from which a conversation is on the watch list (ranked for review before it alerts). Default 0.3. */
  watchThreshold?: number;
  /** Evidence items kept per conversation. Default 12. */
  maxEvidence?: number;
  /** Half-life of accumulated signals, in days. Default 30 (grooming runs over weeks). */
  halfLifeDays?: number;
  /** Participants tracked per conversation (group chats), 1 to 31. Default 16. */
  maxParticipants?: number;
}

export interface EngineStats {
  conversations: number;
  actors: number;
  messages: number;
  alerts: number;
}

const SIGNAL_INDEX = new Map<SignalKind, number>(SIGNAL_KINDS.map((k, i) => [k, i]));
const STAGE_BIT = new Map<GroomingStage, number>(GROOMING_STAGES.map((s, i) => [s, 1 << i]));
const NUM_SIGNALS = SIGNAL_KINDS.length;
const DAY_MS = 86_400_000;
const MAX_MINORS_TRACKED = 1000;
const MAX_TRACKED_PARTICIPANTS = 31;
const MAX_OPENERS = 32;
const MAX_RISKY_CONVERSATIONS = 5;
const MAX_FAN_OUT = 32;
/** Fan-out counts children reached within this window of first contacts. */
const FAN_OUT_WINDOW_MS = 7 * DAY_MS;
/** Children an account must send the same intent pair to before fan-out alone raises its risk. */
const FAN_OUT_CHILDREN = 3;
/** For an account that is itself a child (peers message many peers), more are needed. */
const FAN_OUT_CHILDREN_FROM_MINOR = 4;
/** Signal kinds that make up an account's intents toward a child, for fan-out. */
const INTENT_KINDS: readonly SignalKind[] = [
  'flattery',
  'age_probe',
  'age_attributed',
  'platform_move',
  'personal_info',
  'secrecy',
  'isolation',
  'image_request',
  'gift',
  'money',
  'relationship',
  'meeting',
  'sexualisation',
];
const DURATION_WORDS = normalizedSet(['minutes', 'min', 'mins', 'seconds', 'secs', 'hours', 'hrs']);
/** Returned when an event raises no alert: saves an allocation per message. */
const NO_ALERTS: Alert[] = Object.freeze([]) as unknown as Alert[];
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

export interface EngineSnapshot {
  version: 1;
  options: Required<Omit<EngineOptions, 'model'>>;
  messages: number;
  alerts: number;
  actors: unknown[];
  conversations: unknown[];
  /** Counts noted from outside per account (noteOutsideFacts); absent in older snapshots. */
  outside?: [string, OutsideCounts][];
}

export class DetectionEngine {
  private readonly conversations = new Map<string, ConversationState>();
  private readonly actors = new Map<string, ActorState>();
  private readonly model: RiskModel;
  private readonly opts: Required<Omit<EngineOptions, 'model'>>;
  private readonly halfLifeMs: number;
  private messageTotal = 0;
  private alertTotal = 0;
  /** Accounts whose fan-out changed while rescoring: their risk is updated before the event returns. */
  private readonly pendingActorUpdates = new Set<ActorState>();
  /** Per account, the counts last noted from outside (kept apart so that they are never added twice). */
  private readonly outsideCounts = new Map<string, OutsideCounts>();

  constructor(options: EngineOptions = {}) {
    this.model = options.model ?? DEFAULT_MODEL;
    this.opts = {
      alertThreshold: options.alertThreshold ?? 0.5,
      actorAlertThreshold: options.actorAlertThreshold ?? 0.5,
      watchThreshold: options.watchThreshold ?? 0.3,
      maxEvidence: options.maxEvidence ?? 12,
      halfLifeDays: options.halfLifeDays ?? 30,
      maxParticipants: options.maxParticipants ?? 16,
    };
    this.halfLifeMs = this.opts.halfLifeDays * DAY_MS;
    const mp = this.opts.maxParticipants;
    // A message's recipients are kept as one bit per tracked participant.
    if (!Number.isInteger(mp) || mp < 1 || mp > MAX_TRACKED_PARTICIPANTS) {
      throw new RangeError(`maxParticipants must be an integer from 1 to ${MAX_TRACKED_PARTICIPANTS}, got ${mp}`);
    }
  }

  /** Feeds one validated event. Returns the alerts whose thresholds this event crossed. */
  process(event: LifeguardEvent): Alert[] {
    switch (event.type) {
      case 'message':
        return this.onMessage(event);
      case 'account':
        this.onAccount(event);
        return NO_ALERTS;
      case 'contact':
        return this.onContact(event);
    }
  }

  // --- accounts -------------------------------------------------------------------------

  private actor(userId: string): ActorState {
    let a = this.actors.get(userId);
    if (!a) {
      a = {
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
      this.actors.set(userId, a);
    }
    return a;
  }

  private onAccount(e: AccountEvent): void {
    const a = this.actor(e.userId);
    if (e.age !== undefined) {
      a.declaredAge = e.age;
      a.declaredMinor = e.age < 18;
    } else if (e.ageBand !== undefined && e.ageBand !== 'unknown') {
      a.declaredMinor = e.ageBand !== 'adult';
      a.declaredAge = null;
    }
    a.createdAt = toMillis(e.createdAt ?? e.time);
  }

  /** Age facts for an account: declared by the platform, else disclosed in chat, else unknown. */
  /**
   * `disclosedAge` is the latest age the account stated in chat, even when a declared age wins
   * `age`: a child who signed up as an adult and later says "im 13" must still be protected.
   */
  accountInfo(userId: string): {
    age: number | null;
    ageSource: AgeSource;
    isMinor: boolean | null;
    createdAt: number | null;
    disclosedAge: number | null;
  } {
    const a = this.actors.get(userId);
    if (!a) return { age: null, ageSource: 'unknown', isMinor: null, createdAt: null, disclosedAge: null };
    return { ...ageOf(a), createdAt: a.createdAt, disclosedAge: a.disclosedAge };
  }

  // --- contacts --------------------------------------------------------------------------

  private onContact(e: ContactEvent): Alert[] {
    const actor = this.actor(e.actorId);
    const target = this.actor(e.targetId);
    const t = toMillis(e.time);
    switch (e.action) {
      case 'block':
        (target.blockedBy ??= new Set()).add(actor.userId);
        break;
      case 'report':
        (target.reportedBy ??= new Set()).add(actor.userId);
        break;
      case 'friend_request':
        if (isMinorOf(target) === true && isMinorOf(actor) !== true) actor.friendRequestsToMinors++;
        break;
      default:
        return [];
    }
    const subject = e.action === 'friend_request' ? actor : target;
    return this.updateActor(subject, t, e.id);
  }

  // --- messages --------------------------------------------------------------------------

  private conversation(id: string, t: number): ConversationState {
    let c = this.conversations.get(id);
    if (!c) {
      c = {
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
      this.conversations.set(id, c);
    }
    return c;
  }

  private participantIndex(c: ConversationState, userId: string, t: number): number {
    const ps = c.participants;
    for (let i = 0; i < ps.length; i++) if ((ps[i] as ParticipantState).actor.userId === userId) return i;
    if (ps.length >= this.opts.maxParticipants) {
      c.extraParticipants++;
      return -1;
    }
    ps.push({ actor: this.actor(userId), messages: 0, signals: null, stages: 0, decayedAt: t, sentImages: 0 });
    return ps.length - 1;
  }

  private onMessage(e: MessageEvent): Alert[] {
    const t = toMillis(e.time);
    this.messageTotal++;
    const c = this.conversation(e.conversationId, t);
    const senderIdx = this.participantIndex(c, e.senderId, t);
    const recipients = e.recipientIds;
    // Recipients' accounts, found through the conversation's participants (no map lookup);
    // kept as participant bits, not an array, so a message allocates nothing here.
    let recipientBits = 0;
    for (let i = 0; i < recipients.length; i++) {
      const r = recipients[i] as string;
      if (r === e.senderId) continue;
      const idx = this.participantIndex(c, r, t);
      if (idx >= 0) recipientBits |= 1 << idx;
    }
    const firstMessage = c.messageCount === 0;
    c.messageCount++;
    if (t < c.firstAt) c.firstAt = t; // out-of-order delivery: keep the true span
    if (t > c.lastAt) c.lastAt = t;
    if (senderIdx < 0) {
      // Beyond the tracked participants of a large group: the account still exists and counts.
      const extra = this.actor(e.senderId);
      extra.messages++;
      if (t > extra.lastAt) extra.lastAt = t;
      return NO_ALERTS;
    }
    const sender = c.participants[senderIdx] as ParticipantState;
    sender.messages++;
    const actor = sender.actor;
    actor.messages++;
    if (t > actor.lastAt) actor.lastAt = t;

    // Reused buffers, valid until the next tokenize: used only within this call.
    const norm = tokenize(e.text);
    const tokens = norm.tokens;
    const tokenCount = norm.count;
    let changed = false;

    // First contact and copy-pasted openers are behaviour of the account, not the text.
    let behaviourChanged = false;
    if (firstMessage) {
      behaviourChanged = actor.firstContacts >= 4;
      c.initiator = senderIdx;
      actor.firstContacts++;
      if (tokenCount >= 4 && this.noteOpener(actor, tokens, tokenCount)) behaviourChanged = true;
    } else if (!c.answered && senderIdx !== c.initiator && c.initiator >= 0) {
      c.answered = true;
      (c.participants[c.initiator] as ParticipantState).actor.answeredFirstContacts++;
    }

    // Contact with a known child by an account not known to be a child.
    if (recipientBits !== 0 && isMinorOf(actor) !== true) {
      for (let idx = 0; idx < c.participants.length; idx++) {
        if ((recipientBits & (1 << idx)) === 0) continue;
        const ra = (c.participants[idx] as ParticipantState).actor;
        if (isMinorOf(ra) === true) {
          const set = (actor.minorsContacted ??= new Set());
          if (set.size < MAX_MINORS_TRACKED && !set.has(ra.userId)) {
            set.add(ra.userId);
            behaviourChanged = true;
          }
        }
      }
    }

    // "ok mum", "thanks dad", "mom can you…": the sender talks to a parent, so the other side
    // of this one-to-one conversation is their parent, not a stranger.
    if (tokenCount <= SHORT_MESSAGE_TOKENS) {
      const words = shortMessageWords(tokens, tokenCount);
      if (
        (words & WORD_PARENT) !== 0 &&
        !c.family &&
        c.participants.length === 2 &&
        addressesParent(tokens, tokenCount)
      ) {
        c.family = true;
        changed = true; // the cap applies to what was already scored
      }
      if ((words & WORD_MEDIA) !== 0) sender.sentImages++;
    }
    if (e.attachments?.some((a) => a.kind === 'image' || a.kind === 'video')) sender.sentImages++;
    let signals = detectSignals(e.text, norm);
    // A bare duration ("9 min", "6 minutes.") from someone already threatening or demanding
    // payment is the countdown of a deadline.
    if (
      tokenCount <= 5 &&
      sender.signals !== null &&
      !signals.some((s) => s.kind === 'sextortion_deadline') &&
      hasSextortionPressure(sender.signals)
    ) {
      const deadline = bareDuration(e.text, norm.tokens, norm.starts, norm.ends, tokenCount);
      if (deadline) signals = signals.length ? [...signals, deadline] : [deadline];
    }

    // A bare number right after someone asked "how old are you" is an age.
    if (c.pendingAgeProbe >= 0 && c.pendingAgeProbe !== senderIdx) {
      const asker = (c.participants[c.pendingAgeProbe] as ParticipantState).actor;
      const age = ageAnswer(tokens, tokenCount, asker.disclosedAge);
      c.pendingAgeProbe = -1;
      if (age !== null) {
        this.noteDisclosedAge(actor, age);
        c.pendingAgeProbe = senderIdx; // "15, u?" asks back
        // A reply the lexicon also reads as an age ("im 13") is cited once, by its signal below.
        if (!signals.some((s) => s.kind === 'age_disclosure_minor' || s.kind === 'age_disclosure_adult')) {
          const end = Math.min(e.text.length, 80);
          this.addEvidence(c, e, t, {
            kind: age < 18 ? 'age_disclosure_minor' : 'age_disclosure_adult',
            start: 0,
            end,
            excerpt: e.text.slice(0, end),
            age,
            stage: null,
          });
        }
        changed = true;
      }
    }

    // A short message ending "how old" or just "age?" asks the other's age as surely as "how old are you".
    if (tokenCount <= SHORT_MESSAGE_TOKENS && endsWithAgeQuestion(tokens, tokenCount)) c.pendingAgeProbe = senderIdx;

    if (signals.length > 0) {
      this.decay(sender, t);
      const counts = (sender.signals ??= new Float32Array(NUM_SIGNALS));
      for (const s of signals) {
        const idx = SIGNAL_INDEX.get(s.kind) as number;
        counts[idx] = (counts[idx] as number) + 1;
        if (s.stage) sender.stages |= STAGE_BIT.get(s.stage) as number;
        if (s.kind === 'age_probe') c.pendingAgeProbe = senderIdx;
        else if (s.kind === 'age_attributed') this.noteAttributedAge(c, senderIdx, recipientBits, s.age);
        else if (s.kind === 'age_lie') actor.ageLie = true;
        else if (s.kind === 'age_disclosure_minor' || s.kind === 'age_disclosure_adult') {
          if (s.birthYear !== undefined) {
            const age = new Date(t).getUTCFullYear() - s.birthYear;
            if (age >= AGE_MIN && age <= AGE_MAX) s.age = age;
          }
          if (s.age !== undefined) {
            this.noteDisclosedAge(actor, s.age);
            // "13 f, u?" invites the other's age just as a question does.
            if (c.pendingAgeProbe < 0) c.pendingAgeProbe = senderIdx;
          } else if (s.kind === 'age_disclosure_minor') actor.minorCues++;
          else actor.adultCues++;
        }
        this.addEvidence(c, e, t, s);
      }
      changed = true;
    }
    // Nothing new in a conversation without risk: only the sender's behaviour can have moved.
    if (!changed && c.score === 0) return behaviourChanged ? this.updateActor(actor, t, e.id) : NO_ALERTS;

    if (changed) this.rescore(c);
    const alerts: Alert[] = [];
    if (!c.alerted && c.score >= this.opts.alertThreshold) {
      c.alerted = true;
      this.alertTotal++;
      alerts.push({
        kind: 'conversation',
        subjectId: c.id,
        level: levelOf(c.score),
        score: c.score,
        time: t,
        eventId: e.id,
        messagesRead: c.messageCount,
      });
    }
    const more = this.updateActorIfNeeded(actor, t, e.id, c, changed, behaviourChanged);
    if (this.pendingActorUpdates.size > 0) {
      for (const a of this.pendingActorUpdates) if (a !== actor || !changed) more.push(...this.updateActor(a, t, e.id));
      this.pendingActorUpdates.clear();
    }
    return more.length ? alerts.concat(more) : alerts;
  }

  private updateActorIfNeeded(
    sender: ActorState,
    t: number,
    eventId: string,
    c: ConversationState,
    changed: boolean,
    behaviourChanged: boolean,
  ): Alert[] {
    const alerts: Alert[] = [];
    if (changed && c.suspect >= 0) {
      const suspect = (c.participants[c.suspect] as ParticipantState).actor;
      this.noteRiskyConversation(suspect, c);
      alerts.push(...this.updateActor(suspect, t, eventId));
      if (suspect === sender) return alerts;
    }
    // Behaviour alone (many children, copy-pasted openers) can raise the sender's risk.
    if (behaviourChanged) alerts.push(...this.updateActor(sender, t, eventId));
    return alerts;
  }

  private noteDisclosedAge(actor: ActorState, age: number): void {
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
  private noteAttributedAge(
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

  /** Records a conversation opener; true when it repeats one sent before (copy-paste). */
  private noteOpener(actor: ActorState, tokens: string[], count: number): boolean {
    const h = simhash32(tokens, count);
    const openers = (actor.openers ??= []);
    for (let k = 0; k < openers.length; k++) {
      if (popcount32((openers[k] as number) ^ h) <= 3) {
        actor.duplicateOpeners++;
        return true;
      }
    }
    if (openers.length < MAX_OPENERS) openers.push(h);
    return false;
  }

  private decay(p: ParticipantState, t: number): void {
    if (p.signals && t > p.decayedAt) {
      const factor = 0.5 ** ((t - p.decayedAt) / this.halfLifeMs);
      if (factor < 0.999) for (let i = 0; i < NUM_SIGNALS; i++) p.signals[i] = (p.signals[i] as number) * factor;
    }
    if (t > p.decayedAt) p.decayedAt = t;
  }

  private addEvidence(c: ConversationState, e: MessageEvent, t: number, s: DetectedSignal): void {
    const ev = (c.evidence ??= []);
    const item: Evidence = {
      kind: s.kind,
      start: s.start,
      end: s.end,
      excerpt: s.excerpt.length > 200 ? s.excerpt.slice(0, 200) : s.excerpt,
      messageId: e.id,
      conversationId: e.conversationId,
      senderId: e.senderId,
      time: t,
      stage: s.stage,
    };
    if (s.age !== undefined) item.age = s.age;
    if (ev.length >= this.opts.maxEvidence) {
      // Keep variety: drop the oldest item of a kind that is already represented twice.
      let drop = 0;
      for (let i = 0; i < ev.length; i++) {
        const kind = (ev[i] as Evidence).kind;
        if (ev.filter((x) => x.kind === kind).length > 1) {
          drop = i;
          break;
        }
      }
      ev.splice(drop, 1);
    }
    ev.push(item);
  }

  // --- scoring ---------------------------------------------------------------------------

  /** Scores each participant as a possible suspect against the most vulnerable other one. */
  private rescore(c: ConversationState): void {
    const ps = c.participants;
    let best = 0;
    let bestSuspect = -1;
    let bestTarget = -1;
    let bestFeatures: Float64Array | null = null;
    let totalSignals = 0;
    for (const p of ps) if (p.signals) for (let i = 0; i < NUM_SIGNALS; i++) totalSignals += p.signals[i] as number;
    let bestRule: EscalationRule | null = null;
    // A likely child is never the suspect when someone not known to be a child also carries
    // risk: children answer, ask back and panic, and those words must not name them.
    let bestAdultish = -1;
    let bestAdultishScore = 0;
    const scored: { score: number; target: number; features: Float64Array; rule: EscalationRule | null }[] = [];
    for (let s = 0; s < ps.length; s++) {
      const suspect = ps[s] as ParticipantState;
      if (!suspect.signals) {
        scored.push({ score: -1, target: -1, features: EMPTY_FEATURES, rule: null });
        continue;
      }
      const target = pickTarget(ps, s);
      const targetState = target >= 0 ? (ps[target] as ParticipantState) : null;
      const f = conversationFeatures(c, suspect, targetState, totalSignals);
      let score = scoreFeatures(this.model, f);
      // Escalation rules describe private grooming: not busy group chats, where wording travels.
      const rule =
        c.family || ps.length + c.extraParticipants > MAX_ESCALATION_PARTICIPANTS
          ? null
          : escalation(suspect, targetState, f, c);
      if (rule && rule.floor > score) score = rule.floor;
      // A parent's messages to their own child ("are you alone? send me a pic so i know you're
      // ok") stay on the watch level at most: reviewable, never an alert on wording alone.
      if (c.family && score > FAMILY_CAP) score = FAMILY_CAP;
      scored.push({ score, target, features: f, rule: rule && rule.floor >= score ? rule : null });
      if (score > best || bestSuspect < 0) {
        best = score;
        bestSuspect = s;
      }
      if (minorStrength(suspect.actor) < 0.5 && score > bestAdultishScore) {
        bestAdultish = s;
        bestAdultishScore = score;
      }
    }
    if (
      bestSuspect >= 0 &&
      bestAdultish >= 0 &&
      bestAdultish !== bestSuspect &&
      minorStrength((ps[bestSuspect] as ParticipantState).actor) >= 0.5 &&
      bestAdultishScore >= 0.05
    ) {
      bestSuspect = bestAdultish;
      best = bestAdultishScore;
    }
    if (bestSuspect >= 0) {
      const chosen = scored[bestSuspect] as (typeof scored)[number];
      bestTarget = chosen.target;
      bestFeatures = chosen.features;
      bestRule = chosen.rule;
    }
    c.score = best;
    c.suspect = bestSuspect;
    c.target = bestTarget;
    c.features = bestFeatures;
    c.rule = bestRule?.id ?? null;
    this.noteFanOut(c);
    // Part of an account's fan-out to several children: each conversation is worth a look.
    if (bestSuspect >= 0 && c.score < FAN_OUT_CONVERSATION_FLOOR && !c.family) {
      const fan = fanOutOf((ps[bestSuspect] as ParticipantState).actor);
      if (fan && (fan.conversations.includes(c.id) || fan.alsoConversations.includes(c.id))) {
        c.score = FAN_OUT_CONVERSATION_FLOOR;
        c.rule = FAN_OUT_RULE;
      }
    }
  }

  /** Raises the other conversations of an account's fan-out to the fan-out floor, alerting where that crosses the threshold. */
  private applyFanOut(a: ActorState, fan: FanOutView, t: number, eventId: string): Alert[] {
    let alerts: Alert[] | null = null;
    for (const id of [...fan.conversations, ...fan.alsoConversations]) {
      const c = this.conversations.get(id);
      if (!c || c.family || c.score >= FAN_OUT_CONVERSATION_FLOOR) continue;
      const idx = c.participants.findIndex((p) => p.actor === a);
      if (idx < 0) continue;
      c.score = FAN_OUT_CONVERSATION_FLOOR;
      c.rule = FAN_OUT_RULE;
      c.suspect = idx;
      c.target = pickTarget(c.participants, idx);
      if (!c.alerted && c.score >= this.opts.alertThreshold) {
        c.alerted = true;
        this.alertTotal++;
        (alerts ??= []).push({
          kind: 'conversation',
          subjectId: c.id,
          level: levelOf(c.score),
          score: c.score,
          time: t,
          eventId,
          messagesRead: c.messageCount,
        });
      }
    }
    return alerts ?? NO_ALERTS;
  }

  /**
   * Records, for each participant sending intents to a likely child in a one-to-one
   * conversation, which intent kinds reached which child: the same pair reaching several
   * children is fan-out, whatever the wording.
   */
  private noteFanOut(c: ConversationState): void {
    if (c.participants.length !== 2 || c.extraParticipants > 0) return;
    for (let i = 0; i < 2; i++) {
      const p = c.participants[i] as ParticipantState;
      const other = (c.participants[1 - i] as ParticipantState).actor;
      if (!p.signals || minorStrength(other) < 0.5) continue;
      let kinds = 0;
      for (let k = 0; k < INTENT_KINDS.length; k++)
        if ((p.signals[S[INTENT_KINDS[k] as SignalKind]] as number) > 0.05) kinds |= 1 << k;
      if (kinds === 0 || (kinds & (kinds - 1)) === 0) continue; // one intent is ordinary chat
      const map = (p.actor.fanOut ??= new Map());
      const existing = map.get(other.userId);
      if (existing) {
        existing.kinds |= kinds;
        existing.conversationId = c.id;
      } else if (map.size < MAX_FAN_OUT) map.set(other.userId, { conversationId: c.id, kinds, at: c.firstAt });
      else continue;
      if (fanOutOf(p.actor) !== null) this.pendingActorUpdates.add(p.actor);
    }
  }

  private noteRiskyConversation(actor: ActorState, c: ConversationState): void {
    if (c.score < 0.05) return;
    const list = (actor.risky ??= []);
    const stage = furthestStage((c.participants[c.suspect] as ParticipantState).stages);
    const existing = list.find((r) => r.conversationId === c.id);
    if (existing) {
      existing.score = c.score;
      existing.stage = stage;
    } else list.push({ conversationId: c.id, score: c.score, stage });
    list.sort((a, b) => b.score - a.score);
    if (list.length > MAX_RISKY_CONVERSATIONS) list.length = MAX_RISKY_CONVERSATIONS;
  }

  private updateActor(a: ActorState, t: number, eventId: string): Alert[] {
    // The fan-out is worked out once here and shared by the score and the conversations it raises.
    const fan = a.fanOut !== null && a.fanOut.size >= FAN_OUT_CHILDREN ? fanOutOf(a) : null;
    a.score = actorScore(a, t, fan);
    const fanAlerts = fan !== null ? this.applyFanOut(a, fan, t, eventId) : NO_ALERTS;
    if (fanAlerts.length > 0) {
      const own = this.updateActorAlert(a, t, eventId);
      return own.length ? fanAlerts.concat(own) : fanAlerts;
    }
    return this.updateActorAlert(a, t, eventId);
  }

  private updateActorAlert(a: ActorState, t: number, eventId: string): Alert[] {
    if (!a.alerted && a.score >= this.opts.actorAlertThreshold) {
      a.alerted = true;
      this.alertTotal++;
      return [
        {
          kind: 'actor',
          subjectId: a.userId,
          level: levelOf(a.score),
          score: a.score,
          time: t,
          eventId,
          messagesRead: a.messages,
        },
      ];
    }
    return [];
  }

  // --- facts from outside (partitioned detection) -----------------------------------------

  /** What this engine itself learnt about an account (see outsideFacts.ts), or null if unseen. */
  accountFacts(userId: string): AccountFacts | null {
    const a = this.actors.get(userId);
    if (!a) return null;
    return ownFacts(a, this.outsideCounts.get(userId), (id) => this.conversations.has(id));
  }

  /**
   * Folds in facts other engines learnt about an account (see outsideFacts.ts). An account this
   * engine has not seen is skipped (null) unless `create`: a host notes facts before the events that
   * name an account, and keeps the rest for accounts it holds. The fan-out raises this engine's
   * conversations at once; age facts count from a conversation's next message, as they would in one
   * engine. Returns the alerts crossed (eventId "outside:<account>") and the conversations it raised.
   */
  noteOutsideFacts(
    userId: string,
    facts: AccountFacts,
    create = false,
  ): { alerts: Alert[]; conversations: string[] } | null {
    const a = create ? this.actor(userId) : this.actors.get(userId);
    if (!a) return null;
    const holds = (id: string) => this.conversations.has(id);
    const before = new Map<string, number>();
    const remember = () => {
      for (const e of a.fanOut?.values() ?? []) {
        const c = this.conversations.get(e.conversationId);
        if (c && !before.has(c.id)) before.set(c.id, c.score);
      }
    };
    remember();
    const bounds = {
      maxMinors: MAX_MINORS_TRACKED,
      maxOpeners: MAX_OPENERS,
      maxFanOut: MAX_FAN_OUT,
      maxRisky: MAX_RISKY_CONVERSATIONS,
    };
    const counts = foldOutsideFacts(a, facts, this.outsideCounts.get(userId), holds, bounds, (x, age) =>
      this.noteDisclosedAge(x, age),
    );
    this.outsideCounts.set(userId, counts);
    remember();
    // Rescored only where one engine would have scored it: an account with no risk anywhere keeps 0.
    const scored =
      a.score > 0 ||
      (a.risky?.length ?? 0) > 0 ||
      (a.minorsContacted?.size ?? 0) > 0 ||
      (a.fanOut?.size ?? 0) >= FAN_OUT_CHILDREN ||
      a.duplicateOpeners > 0 ||
      a.firstContacts > 4;
    const alerts = scored ? this.updateActor(a, a.lastAt, `outside:${userId}`) : NO_ALERTS;
    const conversations = [...before].filter(([id, s]) => this.conversations.get(id)?.score !== s).map(([id]) => id);
    return { alerts, conversations };
  }

  // --- reading ---------------------------------------------------------------------------

  conversationScore(conversationId: string): number {
    return this.conversations.get(conversationId)?.score ?? 0;
  }

  actorScore(userId: string): number {
    return this.actors.get(userId)?.score ?? 0;
  }

  /** The feature vector behind a conversation's score (for training), or null if unknown. */
  conversationFeatures(conversationId: string): number[] | null {
    const c = this.conversations.get(conversationId);
    if (!c) return null;
    return c.features ? Array.from(c.features) : new Array<number>(CONVERSATION_FEATURES.length).fill(0);
  }

  conversationReport(conversationId: string): ConversationRiskReport | null {
    const c = this.conversations.get(conversationId);
    if (!c) return null;
    const suspect = c.suspect >= 0 ? (c.participants[c.suspect] as ParticipantState) : null;
    const target = c.target >= 0 ? (c.participants[c.target] as ParticipantState) : null;
    const stagesReached = suspect ? stagesOf(suspect.stages) : [];
    const sig = suspect?.signals;
    const has = (k: SignalKind) => (sig ? (sig[SIGNAL_INDEX.get(k) as number] as number) > 0.01 : false);
    const report: ConversationRiskReport = {
      conversationId: c.id,
      score: round(c.score),
      level: levelOf(c.score),
      stage: stagesReached.length ? (stagesReached[stagesReached.length - 1] as GroomingStage) : null,
      stagesReached,
      sextortion: {
        leverage: has('sextortion_leverage'),
        threat: has('sextortion_threat'),
        payment: has('sextortion_payment'),
        deadline: has('sextortion_deadline'),
      },
      suspectId: suspect && c.score >= 0.05 ? suspect.actor.userId : null,
      targetId: target && c.score >= 0.05 ? target.actor.userId : null,
      participants: c.participants.map((p) => ({
        userId: p.actor.userId,
        ...ageOf(p.actor),
        messageCount: p.messages,
      })),
      messageCount: c.messageCount,
      firstAt: c.firstAt,
      lastAt: c.lastAt,
      reasons: [],
      evidence: (c.evidence ?? []).slice().sort((a, b) => a.time - b.time),
      watch: c.score >= this.opts.watchThreshold,
      modelId: this.model.id ?? 'default',
    };
    report.reasons = explainConversation(report, this.model, c.features);
    const rule = c.rule !== null ? ESCALATION_RULES.find((r) => r.id === c.rule) : undefined;
    if (rule) report.reasons.unshift(`${rule.reason} (rule ${rule.id}: at least ${rule.floor})`);
    if (c.rule === FAN_OUT_RULE && suspect) {
      const fan = fanOutOf(suspect.actor);
      if (fan)
        report.reasons.unshift(
          `${suspect.actor.userId} sent the same ${fan.intents.join(' + ').replace(/_/g, ' ')} to ${fan.children.length} children within ${fan.withinDays} days (rule fan_out: at least ${FAN_OUT_CONVERSATION_FLOOR})`,
        );
    }
    if (c.family) report.reasons.push(`a participant addressed the other as their parent: capped at ${FAMILY_CAP}`);
    if (suspect?.actor.ageLie)
      report.reasons.push(
        `${suspect.actor.userId} contradicted their own stated age (${suspect.actor.minDisclosed ?? '?'} and ${suspect.actor.maxDisclosed ?? suspect.actor.declaredAge ?? '?'})`,
      );
    return report;
  }

  actorReport(userId: string): ActorRiskReport | null {
    const a = this.actors.get(userId);
    if (!a) return null;
    const age = ageOf(a);
    const report: ActorRiskReport = {
      userId,
      score: round(a.score),
      level: levelOf(a.score),
      age: age.age,
      ageSource: age.ageSource,
      accountAgeDays: a.createdAt !== null ? Math.max(0, Math.floor((a.lastAt - a.createdAt) / DAY_MS)) : null,
      distinctMinorsContacted: a.minorsContacted?.size ?? 0,
      firstContacts: a.firstContacts,
      unansweredFirstContacts: a.firstContacts - a.answeredFirstContacts,
      duplicateOpeners: a.duplicateOpeners,
      blocksAgainst: a.blockedBy?.size ?? 0,
      reportsAgainst: a.reportedBy?.size ?? 0,
      riskyConversations: (a.risky ?? []).map((r) => ({ ...r, score: round(r.score) })),
      fanOut: fanOutOf(a),
      modelId: this.model.id ?? 'default',
      reasons: [],
    };
    report.reasons = explainActor(report);
    return report;
  }

  conversationIds(): IterableIterator<string> {
    return this.conversations.keys();
  }

  actorIds(): IterableIterator<string> {
    return this.actors.keys();
  }

  topConversations(limit = 20, minScore = 0.5): ConversationRiskReport[] {
    const ids: [string, number][] = [];
    for (const c of this.conversations.values()) if (c.score >= minScore) ids.push([c.id, c.score]);
    ids.sort((a, b) => b[1] - a[1]);
    return ids.slice(0, limit).map(([id]) => this.conversationReport(id) as ConversationRiskReport);
  }

  /**
   * Conversations at the watch level (from watchThreshold up to, not including, the alert
   * threshold), highest first: what a reviewer looks at before anything alerts.
   */
  watchlist(limit = 20): ConversationRiskReport[] {
    const ids: [string, number][] = [];
    for (const c of this.conversations.values())
      if (c.score >= this.opts.watchThreshold && c.score < this.opts.alertThreshold) ids.push([c.id, c.score]);
    ids.sort((a, b) => b[1] - a[1]);
    return ids.slice(0, limit).map(([id]) => this.conversationReport(id) as ConversationRiskReport);
  }

  topActors(limit = 20, minScore = 0.5): ActorRiskReport[] {
    const ids: [string, number][] = [];
    for (const a of this.actors.values()) if (a.score >= minScore) ids.push([a.userId, a.score]);
    ids.sort((a, b) => b[1] - a[1]);
    return ids.slice(0, limit).map(([id]) => this.actorReport(id) as ActorRiskReport);
  }

  stats(): EngineStats {
    return {
      conversations: this.conversations.size,
      actors: this.actors.size,
      messages: this.messageTotal,
      alerts: this.alertTotal,
    };
  }

  /**
   * Retention: blanks the excerpt of every evidence item from a message sent before `time`
   * (event time, ms), except in conversations `keep` names (those a case holds), so the detector
   * holds no message text the store has purged. Kinds, spans, message ids and scores stay, so the
   * risk it remembers is unchanged. Returns how many excerpts were removed.
   */
  removeExcerptsBefore(time: number, keep?: (conversationId: string) => boolean): number {
    let removed = 0;
    for (const c of this.conversations.values()) {
      if (c.evidence === null || c.firstAt >= time || keep?.(c.id) === true) continue;
      for (const ev of c.evidence) {
        if (ev.time < time && ev.textRemoved !== true) {
          ev.excerpt = '';
          ev.textRemoved = true;
          removed++;
        }
      }
    }
    return removed;
  }

  /** Drops a conversation's state (retention, or a platform deleting it). */
  forgetConversation(conversationId: string): boolean {
    return this.conversations.delete(conversationId);
  }

  // --- persistence -----------------------------------------------------------------------

  /** A JSON-serialisable copy of the whole state, for restarts without replaying every event. */
  snapshot(): EngineSnapshot {
    const actors = [...this.actors.values()].map((a) => ({
      ...a,
      minorsContacted: a.minorsContacted ? [...a.minorsContacted] : null,
      blockedBy: a.blockedBy ? [...a.blockedBy] : null,
      reportedBy: a.reportedBy ? [...a.reportedBy] : null,
      fanOut: a.fanOut ? [...a.fanOut] : null,
    }));
    const conversations = [...this.conversations.values()].map((c) => ({
      ...c,
      features: c.features ? Array.from(c.features) : null,
      participants: c.participants.map((p) => ({
        userId: p.actor.userId,
        messages: p.messages,
        signals: p.signals ? Array.from(p.signals) : null,
        stages: p.stages,
        decayedAt: p.decayedAt,
        sentImages: p.sentImages,
      })),
    }));
    return {
      version: 1,
      options: { ...this.opts },
      messages: this.messageTotal,
      alerts: this.alertTotal,
      actors,
      conversations,
      outside: [...this.outsideCounts],
    };
  }

  static restore(snapshot: EngineSnapshot, options: EngineOptions = {}): DetectionEngine {
    if (snapshot?.version !== 1) throw new Error('unsupported engine snapshot version');
    const engine = new DetectionEngine({ ...snapshot.options, ...options });
    engine.messageTotal = snapshot.messages;
    engine.alertTotal = snapshot.alerts;
    for (const [id, counts] of snapshot.outside ?? []) engine.outsideCounts.set(id, counts);
    for (const raw of snapshot.actors as (Omit<
      ActorState,
      'minorsContacted' | 'blockedBy' | 'reportedBy' | 'fanOut'
    > & {
      minorsContacted: string[] | null;
      blockedBy: string[] | null;
      reportedBy: string[] | null;
      fanOut?: [string, FanOutEntry][] | null;
    })[]) {
      // Snapshots from before a field existed restore it empty.
      const defaults = {
        minDisclosed: raw.disclosedAge ?? null,
        maxDisclosed: raw.disclosedAge ?? null,
        ageLie: false,
        attributedAge: null,
        attributedCues: 0,
      };
      engine.actors.set(raw.userId, {
        ...defaults,
        ...raw,
        fanOut: raw.fanOut ? new Map(raw.fanOut) : null,
        minorsContacted: raw.minorsContacted ? new Set(raw.minorsContacted) : null,
        blockedBy: raw.blockedBy ? new Set(raw.blockedBy) : null,
        reportedBy: raw.reportedBy ? new Set(raw.reportedBy) : null,
      });
    }
    type RawParticipant = {
      userId: string;
      messages: number;
      signals: number[] | null;
      stages: number;
      decayedAt: number;
      sentImages?: number;
    };
    for (const raw of snapshot.conversations as (Omit<ConversationState, 'participants' | 'features'> & {
      participants: RawParticipant[];
      features: number[] | null;
    })[]) {
      engine.conversations.set(raw.id, {
        ...raw,
        features: raw.features ? Float64Array.from(raw.features) : null,
        rule: raw.rule ?? null,
        family: raw.family ?? false,
        participants: raw.participants.map((p) => ({
          actor: engine.actor(p.userId),
          messages: p.messages,
          signals: p.signals ? paddedSignals(p.signals) : null,
          stages: p.stages,
          decayedAt: p.decayedAt,
          sentImages: p.sentImages ?? 0,
        })),
      });
    }
    return engine;
  }
}

// --- helpers (pure) ------------------------------------------------------------------------

function ageOf(a: ActorState): { age: number | null; ageSource: AgeSource; isMinor: boolean | null } {
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
function isMinorOf(a: ActorState): boolean | null {
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
function minorStrength(a: ActorState): number {
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
function isPeerOf(
  suspectAge: { age: number | null; isMinor: boolean | null },
  targetAge: { age: number | null } | null,
): boolean {
  if (suspectAge.isMinor !== true) return false;
  if (suspectAge.age === null || targetAge?.age == null) return true;
  return suspectAge.age - targetAge.age < PEER_AGE_GAP;
}

function pickTarget(ps: ParticipantState[], suspect: number): number {
  let best = -1;
  let bestStrength = -1;
  for (let i = 0; i < ps.length; i++) {
    if (i === suspect) continue;
    const strength = minorStrength((ps[i] as ParticipantState).actor) * 10 + (ps[i] as ParticipantState).messages / 1e6;
    if (strength > bestStrength) {
      best = i;
      bestStrength = strength;
    }
  }
  return best;
}

const F = Object.fromEntries(CONVERSATION_FEATURES.map((f, i) => [f, i])) as Record<
  (typeof CONVERSATION_FEATURES)[number],
  number
>;
const S = Object.fromEntries(SIGNAL_KINDS.map((k, i) => [k, i])) as Record<SignalKind, number>;

function conversationFeatures(
  c: ConversationState,
  suspect: ParticipantState,
  target: ParticipantState | null,
  totalSignals: number,
): Float64Array {
  const f = new Float64Array(CONVERSATION_FEATURES.length);
  const sig = suspect.signals as Float32Array;
  const l = (k: SignalKind) => Math.log1p(sig[S[k]] as number);
  const suspectAge = ageOf(suspect.actor);
  const targetAge = target ? ageOf(target.actor) : null;
  let targetMinor = target ? minorStrength(target.actor) : 0;
  // Talk aimed at a child (their age, school, parents being home, secrecy from them) implies a
  // child on the other side even when no age was ever stated.
  if (targetMinor < 0.5 && target && isMinorOf(target.actor) !== false) {
    // Age and location questions alone open adult chats too ("asl", "where u from"), so a
    // secrecy or parents/alone cue must be one of the two.
    const secrecy = (sig[S.secrecy] as number) > 0.05;
    const riskCheck = (suspect.stages & (STAGE_BIT.get('risk_assessment') as number)) !== 0;
    let childDirected = (secrecy ? 1 : 0) + (riskCheck ? 1 : 0);
    if ((sig[S.age_probe] as number) > 0.05) childDirected++;
    if ((sig[S.personal_info] as number) > 0.05) childDirected++;
    if (childDirected >= 2 && (secrecy || riskCheck)) targetMinor = 0.5;
  }
  f[F.target_minor] = targetMinor;
  f[F.suspect_adult] = suspectAge.isMinor === false ? 1 : 0;
  const peer = isPeerOf(suspectAge, targetAge);
  f[F.suspect_minor] = peer ? 1 : 0;
  if (suspectAge.age !== null && targetAge?.age != null)
    f[F.age_gap] = Math.min(3, Math.max(0, (suspectAge.age - targetAge.age) / 10));
  else if (suspectAge.isMinor === false && targetAge?.isMinor === true) f[F.age_gap] = 0.5;
  f[F.age_probe] = l('age_probe');
  f[F.personal_info] = l('personal_info');
  f[F.platform_move] = Math.log1p((sig[S.platform_move] as number) + (sig[S.phone_number] as number));
  f[F.secrecy] = l('secrecy');
  // The isolation signal carries two stages; the stage bits tell them apart.
  const riskBit = STAGE_BIT.get('risk_assessment') as number;
  const isoBit = STAGE_BIT.get('isolation') as number;
  const iso = l('isolation');
  f[F.risk_assessment] = suspect.stages & riskBit ? iso : 0;
  f[F.isolation] = suspect.stages & isoBit && !(suspect.stages & riskBit) ? iso : 0;
  f[F.flattery] = l('flattery');
  f[F.relationship] = l('relationship');
  f[F.gift_money] = Math.log1p((sig[S.gift] as number) + (sig[S.money] as number));
  f[F.image_request] = l('image_request');
  f[F.meeting] = l('meeting');
  f[F.sexualisation] = l('sexualisation');
  f[F.sextortion_leverage] = l('sextortion_leverage');
  f[F.sextortion_threat] = l('sextortion_threat');
  f[F.sextortion_payment] = l('sextortion_payment');
  f[F.sextortion_deadline] = l('sextortion_deadline');
  let stages = 0;
  for (let bits = suspect.stages; bits; bits &= bits - 1) stages++;
  f[F.stages_reached] = stages / GROOMING_STAGES.length;
  const has = (k: SignalKind) => (sig[S[k]] as number) > 0.05;
  const leverage = has('sextortion_leverage');
  const threat = has('sextortion_threat');
  const payment = has('sextortion_payment');
  f[F.sextortion_script] = Math.min(
    2,
    (leverage && threat ? 1 : 0) +
      (threat && payment ? 1 : 0) +
      (has('sextortion_deadline') && (threat || payment) ? 0.5 : 0),
  );
  // Between children, "pay me or i leak your base" is banter; the script is sextortion when
  // images are part of it.
  const images =
    has('image_request') ||
    has('sexualisation') ||
    suspect.sentImages > 0 ||
    (target !== null && target.sentImages > 0);
  // Without images, leverage and threats are mostly doxxing banter between young gamers ("i know
  // where u live, im leaking ur search history"): zero between known children, half otherwise.
  if (!images) f[F.sextortion_script] = (f[F.sextortion_script] as number) * (peer && !suspect.actor.ageLie ? 0 : 0.5);
  f[F.target_distress] = target?.signals ? Math.log1p(target.signals[S.distress] as number) : 0;
  const people = c.participants.length + c.extraParticipants;
  f[F.one_to_one] = people === 2 ? 1 : 0;
  f[F.group_size] = people > 2 ? Math.log2(people) - 1 : 0;
  f[F.minor_x_grooming] = (targetMinor * stages) / 4;
  let own = 0;
  for (let i = 0; i < NUM_SIGNALS; i++) own += sig[i] as number;
  f[F.asymmetry] = totalSignals > 0 ? own / totalSignals : 0;
  return f;
}

const EMPTY_FEATURES = new Float64Array(CONVERSATION_FEATURES.length);
const MEDIA_WORDS = /\b(pics?|photos?|videos?|vids?|nudes?|selfies?|screenshots?|recordings?|images?|sent|showed)\b/i;
/** Score cap for a conversation with a participant's own parent. */
const FAMILY_CAP = 0.35;
const FAN_OUT_RULE = 'fan_out';
const MAX_ESCALATION_PARTICIPANTS = 3;
/** Share of a conversation's signals the suspect must carry for it to count as one-sided. */
const ONE_SIDED_SHARE = 0.8;
const FAN_OUT_CONVERSATION_FLOOR = 0.6;
// Parents and the family who stand in for them ("hi grandad", "grandma here", "thanks auntie").
const PARENT_WORDS = normalizedSet([
  'mom',
  'mum',
  'mam',
  'dad',
  'mommy',
  'mummy',
  'mammy',
  'mama',
  'papa',
  'daddy',
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
function addressesParent(tokens: string[], count: number): boolean {
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
const SHORT_MESSAGE_TOKENS = 14;
const WORD_PARENT = 1;
const WORD_MEDIA = 2;
const SHORT_WORDS = new Map<string, number>([
  ...[...PARENT_WORDS].map((w) => [w, WORD_PARENT] as const),
  ...[...MEDIA_TOKENS].map((w) => [w, WORD_MEDIA] as const),
]);
function shortMessageWords(tokens: string[], count: number): number {
  let bits = 0;
  for (let k = 0; k < count; k++) bits |= SHORT_WORDS.get(tokens[k] as string) ?? 0;
  return bits;
}
const SEXTORTION_KINDS: readonly SignalKind[] = [
  'sextortion_leverage',
  'sextortion_threat',
  'sextortion_payment',
  'sextortion_deadline',
];

/** The strongest escalation rule for this suspect and target (see escalation.ts), or null. */
function escalation(
  suspect: ParticipantState,
  target: ParticipantState | null,
  f: Float64Array,
  c: ConversationState,
): EscalationRule | null {
  const sig = suspect.signals as Float32Array;
  const has = (k: SignalKind) => ((sig[S[k]] as number) > 0.05 ? 1 : 0);
  let steps = 0;
  for (const k of SEXTORTION_KINDS) steps += has(k);
  if (steps === 0 && (suspect.stages & ~(STAGE_BIT.get('access') as number)) === 0) return null;
  let stagesBeyondAccess = 0;
  for (let bits = suspect.stages & ~(STAGE_BIT.get('access') as number); bits; bits &= bits - 1) stagesBeyondAccess++;
  const suspectAge = ageOf(suspect.actor);
  const targetAge = target ? ageOf(target.actor) : null;
  const facts: EscalationFacts = {
    sextortion_steps: steps,
    sextortion_core: has('sextortion_leverage') || has('sextortion_threat') ? 1 : 0,
    target_minor: f[F.target_minor] as number,
    target_adult: targetAge?.isMinor === false && (target ? minorStrength(target.actor) : 0) === 0 ? 1 : 0,
    suspect_adult: suspectAge.isMinor === false ? 1 : 0,
    suspect_not_minor:
      (suspectAge.isMinor !== true && minorStrength(suspect.actor) < 0.5) ||
      suspect.actor.ageLie ||
      (suspectAge.isMinor === true && f[F.suspect_minor] === 0) // an older child, not a peer
        ? 1
        : 0,
    stages_beyond_access: stagesBeyondAccess,
    sexualisation: has('sexualisation'),
    image_request: has('image_request'),
    risk_check: suspect.stages & (STAGE_BIT.get('risk_assessment') as number) ? 1 : 0,
    secrecy: has('secrecy'),
    meeting: has('meeting'),
    age_lie: suspect.actor.ageLie ? 1 : 0,
    gift: has('gift') || has('money') ? 1 : 0,
    one_sided: (f[F.asymmetry] as number) >= ONE_SIDED_SHARE ? 1 : 0,
    // Sextortion runs on images: asked for, talked about, or sent by the target.
    image_context:
      has('image_request') ||
      has('sexualisation') ||
      suspect.sentImages > 0 ||
      (target !== null && target.sentImages > 0) ||
      c.evidence?.some(
        (e) => e.kind === 'sextortion_leverage' && e.senderId === suspect.actor.userId && MEDIA_WORDS.test(e.excerpt),
      ) === true
        ? 1
        : 0,
  };
  return strongestRule(facts);
}

function hasSextortionPressure(sig: Float32Array): boolean {
  return (sig[S.sextortion_threat] as number) > 0.05 || (sig[S.sextortion_payment] as number) > 0.05;
}

/** A message that is only a duration ("9 min", "6 minutes left"), as a deadline signal. */
function bareDuration(
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

/** Signal counts from a snapshot made before kinds were appended: the new kinds start at zero. */
function paddedSignals(values: number[]): Float32Array {
  const out = new Float32Array(NUM_SIGNALS);
  out.set(values.slice(0, NUM_SIGNALS));
  return out;
}

/**
 * The largest set of children an account reached with the same pair of intents within the
 * fan-out window, or null below the fan-out count (higher for an account that is a child).
 */
function fanOutOf(a: ActorState): FanOutView | null {
  if (!a.fanOut || a.fanOut.size < FAN_OUT_CHILDREN) return null;
  const needed = isMinorOf(a) === true ? FAN_OUT_CHILDREN_FROM_MINOR : FAN_OUT_CHILDREN;
  const entries = [...a.fanOut.entries()];
  let best: [string, FanOutEntry][] | null = null;
  let bestPair = 0;
  for (let i = 0; i < INTENT_KINDS.length; i++) {
    for (let j = i + 1; j < INTENT_KINDS.length; j++) {
      const pair = (1 << i) | (1 << j);
      const hits = entries.filter(([, e]) => (e.kinds & pair) === pair).sort((x, y) => x[1].at - y[1].at);
      // The most children within one window of first contacts.
      let from = 0;
      for (let to = 0; to < hits.length; to++) {
        while (
          (hits[to] as [string, FanOutEntry])[1].at - (hits[from] as [string, FanOutEntry])[1].at >
          FAN_OUT_WINDOW_MS
        )
          from++;
        const n = to - from + 1;
        if (n >= needed && (best === null || n > best.length)) {
          best = hits.slice(from, to + 1);
          bestPair = pair;
        }
      }
    }
  }
  if (best === null) return null;
  let shared = bestPair;
  for (const [, e] of best) shared &= e.kinds;
  const intents = INTENT_KINDS.filter((_, k) => (shared & (1 << k)) !== 0);
  const first = (best[0] as [string, FanOutEntry])[1].at;
  const last = (best[best.length - 1] as [string, FanOutEntry])[1].at;
  const ordered = best.slice().reverse();
  const inFanOut = new Set(best.map(([child]) => child));
  const alsoConversations = entries
    .filter(
      ([child, e]) => !inFanOut.has(child) && e.at >= first - FAN_OUT_WINDOW_MS && e.at <= last + FAN_OUT_WINDOW_MS,
    )
    .map(([, e]) => e.conversationId);
  return {
    children: ordered.map(([child]) => child),
    intents,
    conversations: ordered.map(([, e]) => e.conversationId),
    alsoConversations,
    withinDays: Math.max(0, Math.round(((last - first) / DAY_MS) * 10) / 10),
  };
}

/** Actor score floor when one intent pair reached several children: high, whatever the wording. */
const FAN_OUT_FLOOR = 0.75;

function actorScore(a: ActorState, t: number, fanOut: FanOutView | null): number {
  const info = ageOf(a);
  const notChild = info.isMinor !== true;
  let z = -4;
  // Mass outreach matters when an adult (or unknown) does it; children message each other in bulk.
  if (notChild) {
    z += 1.2 * Math.log1p(a.minorsContacted?.size ?? 0);
    z += 0.8 * Math.log1p(a.friendRequestsToMinors);
    const unanswered = a.firstContacts - a.answeredFirstContacts;
    if (a.firstContacts >= 5) z += (1.5 * (unanswered / a.firstContacts) * Math.log1p(a.firstContacts)) / 3;
    z += 1.0 * Math.log1p(a.duplicateOpeners);
  }
  z += 1.2 * Math.log1p(a.blockedBy?.size ?? 0);
  z += 1.5 * Math.log1p(a.reportedBy?.size ?? 0);
  if (a.createdAt !== null && t - a.createdAt < 7 * DAY_MS) z += 0.5;
  if (info.isMinor === false) z += 0.3;
  const behaviour = 1 / (1 + Math.exp(-z));
  // Noisy-or with the conversations where this account is the suspect: several risky
  // conversations with different children add up.
  let none = 1 - behaviour;
  for (const r of a.risky ?? []) if (r.score >= 0.2) none *= 1 - r.score;
  if (fanOut !== null)
    none = Math.min(none, 1 - (FAN_OUT_FLOOR + 0.05 * Math.min(3, fanOut.children.length - FAN_OUT_CHILDREN)));
  return 1 - none;
}

const SAME = normalizedSet(['same', 'me too', 'same here', 'snap', 'twins']);
/**
 * Reads a reply to "how old are you" (or to "13 f, u?"): "13", "13 f", "14 too! add me...",
 * "same, 15 in june", or "same" when the asker gave their own age.
 */
/** "year 7" / "yr 7" (normalised "your 7") / "y7": a UK school year. */
const UK_YEAR_WORDS = normalizedSet(['year', 'your', 'y']);
const ORDINAL_SUFFIXES = normalizedSet(['th', 'st', 'nd', 'rd']);

function endsWithAgeQuestion(tokens: string[], count: number): boolean {
  const last = tokens[count - 1];
  if (last === 'old') return count >= 2 && tokens[count - 2] === 'how';
  return last === 'age' && (count === 1 || (count === 2 && (tokens[0] === 'your' || tokens[0] === 'and')));
}

/** The age in a reply to "how old are you" or "what year/grade are you in", read from the first `count` tokens. */
function ageAnswer(tokens: string[], count: number, askerAge: number | null): number | null {
  if (count === 0 || count > 12) return null;
  for (let i = 0; i < Math.min(3, count); i++) {
    const t = tokens[i] as string;
    const c = t.charCodeAt(0);
    if (c < 48 || c > 57) continue;
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

const simhashVotes = new Int32Array(32);
function simhash32(tokens: string[], count: number): number {
  const v = simhashVotes; // scratch: simhash32 runs to completion, so one buffer serves every call
  v.fill(0);
  for (let k = 0; k < count; k++) {
    const tok = tokens[k] as string;
    let h = 0x811c9dc5;
    for (let i = 0; i < tok.length; i++) h = Math.imul(h ^ tok.charCodeAt(i), 0x01000193);
    for (let b = 0; b < 32; b++) v[b] = (v[b] as number) + ((h >>> b) & 1 ? 1 : -1);
  }
  let out = 0;
  for (let b = 0; b < 32; b++) if ((v[b] as number) > 0) out |= 1 << b;
  return out >>> 0;
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function stagesOf(bits: number): GroomingStage[] {
  return GROOMING_STAGES.filter((s) => bits & (STAGE_BIT.get(s) as number));
}

function furthestStage(bits: number): GroomingStage | null {
  const stages = stagesOf(bits);
  return stages.length ? (stages[stages.length - 1] as GroomingStage) : null;
}

export function levelOf(score: number): RiskLevel {
  if (score >= 0.85) return 'critical';
  if (score >= 0.6) return 'high';
  if (score >= 0.4) return 'medium';
  if (score >= 0.2) return 'low';
  return 'none';
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
