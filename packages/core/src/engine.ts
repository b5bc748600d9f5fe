// The detection engine: consumes events one at a time and keeps compact state per
// conversation and per account. Conversation risk accumulates (and decays) per participant,
// knows who is the adult and who the child, and fires alerts the moment a threshold is
// crossed. Actor risk follows an account across all its conversations.
// The per-message path lives here; what it reads and updates is split by job: state.ts (the
// state kept), ages.ts (who is a child), message-cues.ts, conversation-features.ts and
// attribution.ts (who is the suspect, and the conversation's score), fan-out.ts, actor-score.ts,
// reporting.ts and snapshot.ts; what other partitions learnt about an account, outsideFacts.ts.
import { toMillis, type AccountEvent, type ContactEvent, type LifeguardEvent, type MessageEvent } from './events.ts';
import { CONVERSATION_FEATURES, DEFAULT_MODEL, type RiskModel } from './model.ts';
import { tokenize } from './normalize.ts';
import { DEFAULT_WORDING } from './wording-default.ts';
import { keepTopWording, WordingScorer, type WordingModel } from './wording.ts';
import {
  ACCOUNT_FACT_BOUNDS,
  foldOutsideFacts,
  ownFacts,
  type AccountFacts,
  type OutsideCounts,
} from './outsideFacts.ts';
import { AGE_MAX, AGE_MIN, detectSignals, type DetectedSignal } from './signals.ts';
import type { ActorRiskReport, AgeSource, Alert, ConversationRiskReport, Evidence, FanOutView } from './reports.ts';
import {
  DAY_MS,
  NUM_SIGNALS,
  SIGNAL_INDEX,
  STAGE_BIT,
  newActorState,
  newConversationState,
  type ActorState,
  type ConversationState,
  type ParticipantState,
} from './state.ts';
import { ageAnswer, ageOf, endsWithAgeQuestion, isMinorOf, noteAttributedAge, noteDisclosedAge } from './ages.ts';
import {
  SHORT_MESSAGE_TOKENS,
  WORD_MEDIA,
  WORD_PARENT,
  addressesParent,
  reportsSharedParent,
  bareDuration,
  hasSextortionPressure,
  hasThreatOrLeverage,
  laughsOff,
  shortMessageWords,
} from './message-cues.ts';
import { rescore, pickTarget } from './attribution.ts';
import { FAN_OUT_CHILDREN, FAN_OUT_CONVERSATION_FLOOR, FAN_OUT_RULE, fanOutOf } from './fan-out.ts';
import { actorScore, noteOpener, noteRiskyConversation } from './actor-score.ts';
import { actorReportOf, conversationReportOf, levelOf } from './reporting.ts';
import {
  actorFromJson,
  actorToJson,
  conversationFromJson,
  conversationToJson,
  type RawActor,
  type RawConversation,
} from './snapshot.ts';

export interface EngineOptions {
  model?: RiskModel;
  /** Offender-wording model (wording.ts); the built-in one when absent, none when null. */
  wording?: WordingModel | null;
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

const MAX_MINORS_TRACKED = 1000;
/** Wording is kept in conversations of at most this many people (one-to-one and small groups). */
const WORDING_MAX_PARTICIPANTS = 3;
/** One scorer per wording model, shared by engines (its memo follows the shared word table). */
const scorers = new WeakMap<WordingModel, WordingScorer>();
function wordingScorerOf(model: WordingModel): WordingScorer {
  let scorer = scorers.get(model);
  if (!scorer) scorers.set(model, (scorer = new WordingScorer(model)));
  return scorer;
}

const MAX_TRACKED_PARTICIPANTS = 31;

/** Blanks the excerpts of items from messages sent before `time`; returns how many it blanked. */
function blankBefore(items: { time: number; excerpt: string; textRemoved?: true }[] | null, time: number): number {
  let removed = 0;
  for (const item of items ?? []) {
    if (item.time < time && item.textRemoved !== true) {
      item.excerpt = '';
      item.textRemoved = true;
      removed++;
    }
  }
  return removed;
}
/** Returned when an event raises no alert: saves an allocation per message. */
const NO_ALERTS: Alert[] = Object.freeze([]) as unknown as Alert[];

export interface EngineSnapshot {
  version: 1;
  options: Required<Omit<EngineOptions, 'model' | 'wording'>>;
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
  private readonly opts: Required<Omit<EngineOptions, 'model' | 'wording'>>;
  private readonly wording: WordingScorer | null;
  private readonly halfLifeMs: number;
  private messageTotal = 0;
  private alertTotal = 0;
  /** Accounts whose fan-out changed while rescoring: their risk is updated before the event returns. */
  private readonly pendingActorUpdates = new Set<ActorState>();
  /** Per account, the counts last noted from outside (kept apart so that they are never added twice). */
  private readonly outsideCounts = new Map<string, OutsideCounts>();

  constructor(options: EngineOptions = {}) {
    this.model = options.model ?? DEFAULT_MODEL;
    this.wording = options.wording === null ? null : wordingScorerOf(options.wording ?? DEFAULT_WORDING);
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
      a = newActorState(userId);
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
      c = newConversationState(id, t);
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
    ps.push({
      actor: this.actor(userId),
      messages: 0,
      signals: null,
      stages: 0,
      decayedAt: t,
      sentImages: 0,
      laughedOff: 0,
      wordingTop: null,
      wordingQuotes: null,
    });
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
      if (tokenCount >= 4 && noteOpener(actor, tokens, tokenCount)) behaviourChanged = true;
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
        (addressesParent(tokens, tokenCount) ||
          // Passing on a shared parent's words opens a sibling's or a parent's chat; a reply
          // ("dad said you helped him") only names the replier's own parent.
          (senderIdx === c.initiator && c.messageCount <= 3 && reportsSharedParent(tokens, tokenCount)))
      ) {
        c.family = true;
        changed = true; // the cap applies to what was already scored
      }
      if ((words & WORD_MEDIA) !== 0) sender.sentImages++;
    }
    if (e.attachments?.some((a) => a.kind === 'image' || a.kind === 'video')) sender.sentImages++;
    let signals = detectSignals(e.text, norm);
    // A bare duration ("9 min", "6 minutes.") from someone already holding, threatening or
    // demanding is the countdown of a deadline; so is one inside a demand ("10 min. 200 venmo").
    if (
      ((tokenCount <= 5 && sender.signals !== null && hasSextortionPressure(sender.signals)) ||
        (signals.length > 0 &&
          signals.some((s) => s.kind === 'sextortion_payment' || s.kind === 'sextortion_threat'))) &&
      !signals.some((s) => s.kind === 'sextortion_deadline')
    ) {
      const deadline = bareDuration(e.text, norm.tokens, norm.starts, norm.ends, tokenCount);
      if (deadline) signals = signals.length ? [...signals, deadline] : [deadline];
    }

    // How much a message the lexicon found nothing in reads like an offender's (wording.ts): the
    // wording it has no phrase for. Kept for the few-person chats grooming happens in; it counts
    // once the sender carries a grooming or sextortion signal.
    if (
      this.wording !== null &&
      signals.length === 0 &&
      tokenCount > 0 &&
      c.participants.length + c.extraParticipants <= WORDING_MAX_PARTICIPANTS
    ) {
      const logit = this.wording.score(norm);
      if (logit > 0 && keepTopWording(sender, logit, e.text, e.id, t) && sender.stages !== 0) changed = true;
    }

    // Laughing once a threat or leverage is on the table is banter between friends: the threatened
    // one laughing it off ("you wouldnt dare 😂") or the one threatening laughing at their own
    // joke ("countdown started ⏳😂"). A real target pleads or goes quiet.
    if (c.participants.length === 2) {
      const other = c.participants[1 - senderIdx] as ParticipantState | undefined;
      const threatMade =
        (other?.signals != null && hasThreatOrLeverage(other.signals)) ||
        (sender.signals !== null && hasThreatOrLeverage(sender.signals));
      if (threatMade && laughsOff(e.text, tokens, tokenCount)) {
        sender.laughedOff++;
        changed = true; // the banter cap applies to what was already scored
      }
    }

    // A bare number right after someone asked "how old are you" is an age.
    if (c.pendingAgeProbe >= 0 && c.pendingAgeProbe !== senderIdx) {
      const asker = (c.participants[c.pendingAgeProbe] as ParticipantState).actor;
      const age = ageAnswer(tokens, tokenCount, asker.disclosedAge, new Date(t).getUTCFullYear());
      c.pendingAgeProbe = -1;
      if (age !== null) {
        noteDisclosedAge(actor, age);
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

    // A short message ending "how old" or just "age?" asks the other's age as surely as "how old
    // are you", and counts as that probe (fan-out compares probes, whatever their wording).
    if (tokenCount <= SHORT_MESSAGE_TOKENS && endsWithAgeQuestion(tokens, tokenCount)) {
      c.pendingAgeProbe = senderIdx;
      if (!signals.some((s) => s.kind === 'age_probe')) {
        const first = tokens[tokenCount - 1] === 'old' ? tokenCount - 2 : tokenCount - 1;
        const start = norm.starts[first] as number;
        const end = norm.ends[tokenCount - 1] as number;
        const probe: DetectedSignal = {
          kind: 'age_probe',
          start,
          end,
          excerpt: e.text.slice(start, end),
          stage: 'access',
        };
        signals = signals.length ? [...signals, probe] : [probe];
      }
    }

    if (signals.length > 0) {
      this.decay(sender, t);
      const counts = (sender.signals ??= new Float32Array(NUM_SIGNALS));
      for (const s of signals) {
        const idx = SIGNAL_INDEX.get(s.kind) as number;
        counts[idx] = (counts[idx] as number) + 1;
        if (s.stage) sender.stages |= STAGE_BIT.get(s.stage) as number;
        if (s.kind === 'age_probe') c.pendingAgeProbe = senderIdx;
        else if (s.kind === 'age_attributed') noteAttributedAge(c, senderIdx, recipientBits, s.age);
        else if (s.kind === 'age_lie') actor.ageLie = true;
        else if (s.kind === 'age_disclosure_minor' || s.kind === 'age_disclosure_adult') {
          if (s.birthYear !== undefined) {
            const age = new Date(t).getUTCFullYear() - s.birthYear;
            if (age >= AGE_MIN && age <= AGE_MAX) s.age = age;
          }
          if (s.age !== undefined) {
            noteDisclosedAge(actor, s.age);
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

    if (changed) rescore(c, this.model, this.pendingActorUpdates);
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
      noteRiskyConversation(suspect, c);
      alerts.push(...this.updateActor(suspect, t, eventId));
      if (suspect === sender) return alerts;
    }
    // Behaviour alone (many children, copy-pasted openers) can raise the sender's risk.
    if (behaviourChanged) alerts.push(...this.updateActor(sender, t, eventId));
    return alerts;
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
    const bounds = { ...ACCOUNT_FACT_BOUNDS, maxMinors: MAX_MINORS_TRACKED };
    const counts = foldOutsideFacts(a, facts, this.outsideCounts.get(userId), holds, bounds, noteDisclosedAge);
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
    return conversationReportOf(c, this.model, this.opts.watchThreshold);
  }

  actorReport(userId: string): ActorRiskReport | null {
    const a = this.actors.get(userId);
    if (!a) return null;
    return actorReportOf(a, this.model);
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
   * Retention: blanks the excerpt of every evidence item and wording quote from a message sent
   * before `time` (event time, ms), except in conversations `keep` names (those a case holds), so
   * the detector holds no message text the store has purged. Kinds, spans, message ids and scores
   * stay, so the risk it remembers is unchanged. Returns how many evidence excerpts were removed.
   */
  removeExcerptsBefore(time: number, keep?: (conversationId: string) => boolean): number {
    let removed = 0;
    for (const c of this.conversations.values()) {
      if (c.firstAt >= time || keep?.(c.id) === true) continue;
      removed += blankBefore(c.evidence, time);
      for (const p of c.participants) blankBefore(p.wordingQuotes, time);
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
    return {
      version: 1,
      options: { ...this.opts },
      messages: this.messageTotal,
      alerts: this.alertTotal,
      actors: [...this.actors.values()].map(actorToJson),
      conversations: [...this.conversations.values()].map(conversationToJson),
      outside: [...this.outsideCounts],
    };
  }

  static restore(snapshot: EngineSnapshot, options: EngineOptions = {}): DetectionEngine {
    if (snapshot?.version !== 1) throw new Error('unsupported engine snapshot version');
    const engine = new DetectionEngine({ ...snapshot.options, ...options });
    engine.messageTotal = snapshot.messages;
    engine.alertTotal = snapshot.alerts;
    for (const [id, counts] of snapshot.outside ?? []) engine.outsideCounts.set(id, counts);
    for (const raw of snapshot.actors as RawActor[]) engine.actors.set(raw.userId, actorFromJson(raw));
    for (const raw of snapshot.conversations as RawConversation[])
      engine.conversations.set(
        raw.id,
        conversationFromJson(raw, (userId) => engine.actor(userId)),
      );
    return engine;
  }
}
