// Cases: an engine alert opens a case against the accused account, or updates the active one.
// The evidence (reports, the messages around the alert with their text, participants and ages) is
// copied into the case, so message-text retention never removes it. Status changes are human actions
// through the API; nothing here reports anyone to the police.
import {
  toMillis,
  type Alert,
  type ActorRiskReport,
  type ConversationRiskReport,
  type DetectionEngine,
  type RiskLevel,
} from '@lifeguard/core';
import {
  ACTIVE_CASE_STATUSES,
  ConflictError,
  newId,
  type CaseRecord,
  type CaseStatus,
  type Storage,
  type StoredEvent,
} from '@lifeguard/storage';
import { ApiError } from '../http/errors.ts';
import { actorCaseContent, fanOutOf, MAX_CASE_CONVERSATIONS } from './actorCase.ts';

const LEVEL_ORDER: RiskLevel[] = ['none', 'low', 'medium', 'high', 'critical'];
const MESSAGES_AROUND = 40;
const MAX_MESSAGES_PER_CONVERSATION = 200;
const MAX_ALERTS = 50;
const MAX_CONVERSATIONS = MAX_CASE_CONVERSATIONS;

export interface EvidenceMessage {
  id: string;
  time: number;
  senderId: string;
  recipientIds: string[];
  text: string;
  textPurged: boolean;
  attachments?: { kind: string; ref?: string | undefined }[] | undefined;
}

export interface EvidenceParticipant {
  userId: string;
  age: number | null;
  ageSource: string;
  isMinor: boolean | null;
  declaredAge: number | null;
  declaredAgeBand: string | null;
  country: string | null;
}

/** An engine alert with the model whose score raised it. */
export type ScoredAlert = Alert & { modelId?: string };

export interface CaseEvidence {
  alerts: ScoredAlert[];
  actor: ActorRiskReport | null;
  conversations: Record<string, { report: ConversationRiskReport | null; messages: EvidenceMessage[] }>;
  participants: EvidenceParticipant[];
  /** The model that produced the case's latest scores (absent in cases stored before models had ids). */
  modelId?: string;
}

/** Allowed status changes. Closed cases can be reopened (for appeals or new information). */
export const TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  open: ['in_review', 'dismissed', 'escalated'],
  in_review: ['actioned', 'dismissed', 'escalated', 'open'],
  escalated: ['actioned', 'dismissed', 'in_review'],
  actioned: ['open'],
  dismissed: ['open'],
};

export function alertKey(alert: Alert): string {
  return `${alert.kind}:${alert.subjectId}:${alert.eventId}`;
}

interface WatchList {
  /** Conversation id -> id of the active case that holds it. */
  caseOf: Map<string, string>;
  /** Active case id -> its score when last saved. */
  scoreOf: Map<string, number>;
}

export interface CaseManagerOptions {
  /** Longest time new messages wait before being folded into their case (default 10 s). */
  refreshEveryMs?: number;
  /** The id of the model scoring a tenant, for reports the engine left without one (default "default"). */
  modelIdFor?: (tenantId: string) => string;
}

/** The report with the model that scored it named (the engine's own modelId wins). */
function withModel<T extends { modelId?: string }>(report: T, modelId: string): T {
  return report.modelId ? report : { ...report, modelId };
}

/** A rise of the conversation score by this much refreshes the case at once. */
const MATERIAL_RISE = 0.05;

export class CaseManager {
  /** Told of every newly opened case (Family Centre alerts parents); must not throw. */
  private readonly watched = new Map<string, Promise<WatchList>>();
  /** Per tenant: case id -> conversations with messages not yet in the case's evidence. */
  private readonly stale = new Map<string, Map<string, Set<string>>>();
  private readonly refreshedAt = new Map<string, number>();
  /** The tenant's engine, for timer-driven refreshes. */
  private readonly engineOf = new Map<string, DetectionEngine>();
  private readonly refreshEveryMs: number;
  private readonly modelIdFor: (tenantId: string) => string;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Run after a case opens (reports and evidence: the evidence is frozen at once). */
  private readonly openedListeners: ((tenantId: string, c: CaseRecord) => Promise<unknown>)[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly log: { error(obj: object, msg: string): void } = console,
    options: CaseManagerOptions = {},
  ) {
    this.refreshEveryMs = options.refreshEveryMs ?? 10_000;
    this.modelIdFor = options.modelIdFor ?? (() => 'default');
  }

  private watchList(tenantId: string): Promise<WatchList> {
    let list = this.watched.get(tenantId);
    if (!list) {
      list = this.loadWatchList(tenantId);
      this.watched.set(tenantId, list);
      list.catch(() => this.watched.delete(tenantId));
    }
    return list;
  }

  private async loadWatchList(tenantId: string): Promise<WatchList> {
    const list: WatchList = { caseOf: new Map(), scoreOf: new Map() };
    for (const status of ACTIVE_CASE_STATUSES) {
      let before: { updatedAt: number; id: string } | undefined;
      for (;;) {
        const page = await this.storage.listCases(tenantId, { status, limit: 500, ...(before ? { before } : {}) });
        for (const c of page) {
          list.scoreOf.set(c.id, c.score);
          for (const conversationId of c.conversationIds) list.caseOf.set(conversationId, c.id);
        }
        if (page.length < 500) break;
        const last = page[page.length - 1]!;
        before = { updatedAt: last.updatedAt, id: last.id };
      }
    }
    return list;
  }

  private async track(c: CaseRecord): Promise<void> {
    const list = await this.watchList(c.tenantId);
    for (const [conversationId, caseId] of list.caseOf) if (caseId === c.id) list.caseOf.delete(conversationId);
    list.scoreOf.delete(c.id);
    if (!isActive(c.status)) this.refreshedAt.delete(c.id);
    if (isActive(c.status)) {
      list.scoreOf.set(c.id, c.score);
      for (const conversationId of c.conversationIds) list.caseOf.set(conversationId, c.id);
    }
  }

  /**
   * New messages in conversations that active cases hold: fold them into the cases' evidence (report,
   * messages, score, level). At once when a conversation's risk rose materially; otherwise at most every
   * refreshEveryMs per case, so a busy conversation does not rewrite its case on every batch.
   */
  async conversationsChanged(tenantId: string, engine: DetectionEngine, conversationIds: Set<string>): Promise<void> {
    const list = await this.watchList(tenantId);
    const now = Date.now();
    const due = new Set<string>();
    for (const id of conversationIds) {
      const caseId = list.caseOf.get(id);
      if (!caseId) continue;
      let stale = this.stale.get(tenantId);
      if (!stale) {
        stale = new Map();
        this.stale.set(tenantId, stale);
      }
      stale.set(caseId, (stale.get(caseId) ?? new Set()).add(id));
      const rose = engine.conversationScore(id) >= (list.scoreOf.get(caseId) ?? 0) + MATERIAL_RISE;
      if (rose || now - (this.refreshedAt.get(caseId) ?? 0) >= this.refreshEveryMs) due.add(caseId);
    }
    if (!this.stale.get(tenantId)?.size) return;
    this.engineOf.set(tenantId, engine);
    for (const caseId of due) await this.refreshStale(tenantId, caseId);
    this.scheduleFlush();
  }

  /** Folds every waiting conversation into its case now (timer, shutdown, tests). */
  async flush(): Promise<void> {
    for (const [tenantId, stale] of this.stale)
      for (const caseId of [...stale.keys()]) await this.refreshStale(tenantId, caseId);
  }

  stop(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush().catch((err) => this.log.error({ err }, 'case refresh failed'));
    }, this.refreshEveryMs);
    this.flushTimer.unref();
  }

  private async refreshStale(tenantId: string, caseId: string): Promise<void> {
    const stale = this.stale.get(tenantId);
    const ids = stale?.get(caseId);
    const engine = this.engineOf.get(tenantId);
    if (!stale || !ids || !engine) return;
    stale.delete(caseId);
    this.refreshedAt.set(caseId, Date.now());
    try {
      await retryOnConflict(() => this.refresh(tenantId, engine, caseId, [...ids]));
    } catch (err) {
      this.log.error({ err, tenantId, caseId }, 'could not refresh a case with new messages');
    }
  }

  private async refresh(
    tenantId: string,
    engine: DetectionEngine,
    caseId: string,
    conversationIds: string[],
  ): Promise<void> {
    const current = await this.storage.getCase(tenantId, caseId);
    if (!current || !isActive(current.status)) return;
    const fallbackModel = this.modelIdFor(tenantId);
    const actorReport = engine.actorReport(current.accusedId);
    const actor = actorReport ? withModel(actorReport, fallbackModel) : null;
    // Conversations the accused's fan-out reached since the case opened join the case.
    const held = new Set([...current.conversationIds, ...conversationIds]);
    const reached = (fanOutOf(actor)?.conversations ?? []).filter((id) => !held.has(id));
    const reports = [...conversationIds, ...reached]
      .map((id) => engine.conversationReport(id))
      .filter((r): r is ConversationRiskReport => r !== null)
      .map((r) => withModel(r, fallbackModel));
    const conversations = await this.withMessages(tenantId, reports, (r) => r.lastAt);
    let score = current.score;
    let level = current.level;
    for (const report of reports) {
      score = Math.max(score, report.score);
      level = maxLevel(level, report.level);
    }
    if (actor) {
      score = Math.max(score, actor.score);
      level = maxLevel(level, actor.level);
    }
    const modelId = reports[0]?.modelId ?? actor?.modelId ?? fallbackModel;
    const evidence = mergeEvidence(current.evidence as CaseEvidence, {
      alerts: [],
      actor,
      conversations,
      participants: [],
      modelId,
    });
    evidence.participants = await this.participants(tenantId, engine, evidence);
    const now = Date.now();
    const updated: CaseRecord = {
      ...current,
      score,
      level,
      conversationIds: Object.keys(evidence.conversations),
      evidence,
      updatedAt: now,
      version: current.version + 1,
    };
    const note = `risk rose to ${level} (${score.toFixed(2)}) with new messages`;
    await this.storage.saveCase(tenantId, {
      caseRecord: updated,
      expectedVersion: current.version,
      ...(level !== current.level
        ? {
            history: {
              at: now,
              actor: 'lifeguard',
              action: 'updated',
              fromStatus: current.status,
              toStatus: current.status,
              note,
            },
            notify: [{ type: 'case.updated', payload: caseSummary(updated, note) }],
          }
        : {}),
    });
    await this.track(updated);
  }

  onOpened(listener: (tenantId: string, c: CaseRecord) => Promise<unknown>): void {
    this.openedListeners.push(listener);
  }

  /** AlertSink for the engine host. Each alert is handled at most once (by its key), even across replays. */
  async handleAlerts(tenantId: string, engine: DetectionEngine, alerts: Alert[]): Promise<void> {
    for (const alert of alerts) {
      try {
        await this.handleAlert(tenantId, engine, alert);
      } catch (err) {
        this.log.error({ err, tenantId, alert }, 'could not open or update a case for an alert');
      }
    }
  }

  private async handleAlert(tenantId: string, engine: DetectionEngine, alert: Alert): Promise<void> {
    const key = alertKey(alert);
    if (await this.storage.hasAlertKey(tenantId, key)) return;

    const fallbackModel = this.modelIdFor(tenantId);
    const conversationReports: ConversationRiskReport[] = [];
    let actor: ActorRiskReport | null = null;
    let accusedId: string | null = null;
    let reason: string;
    if (alert.kind === 'conversation') {
      const report = engine.conversationReport(alert.subjectId);
      if (report) conversationReports.push(withModel(report, fallbackModel));
      accusedId = report?.suspectId ?? (await this.senderOf(tenantId, alert.eventId));
      if (accusedId) actor = engine.actorReport(accusedId);
      reason = `conversation ${alert.subjectId} reached ${alert.level} risk (${alert.score.toFixed(2)})`;
    } else {
      accusedId = alert.subjectId;
      actor = engine.actorReport(accusedId);
      // The fan-out's conversations (the same intents sent to several children) and the riskiest others.
      const content = actorCaseContent(alert, actor);
      for (const id of content.conversationIds) {
        const report = engine.conversationReport(id);
        if (report) conversationReports.push(withModel(report, fallbackModel));
      }
      reason = content.reason;
    }
    if (actor) actor = withModel(actor, fallbackModel);
    const modelId = (alert.kind === 'conversation' ? conversationReports[0]?.modelId : actor?.modelId) ?? fallbackModel;
    if (!accusedId) {
      this.log.error({ tenantId, alert }, 'alert without an identifiable accused account; no case opened');
      return;
    }

    const conversations = await this.withMessages(tenantId, conversationReports, () => alert.time);
    const existing = await this.storage.findActiveCaseForAccused(tenantId, accusedId);
    const now = Date.now();
    const previous = existing ? (existing.evidence as CaseEvidence) : null;
    const evidence = mergeEvidence(previous, {
      alerts: [{ ...alert, modelId }],
      actor,
      conversations,
      participants: [],
      modelId,
    });
    evidence.participants = await this.participants(tenantId, engine, evidence);
    const conversationIds = Object.keys(evidence.conversations);

    if (existing) {
      const updated: CaseRecord = {
        ...existing,
        level: maxLevel(existing.level, alert.level),
        score: Math.max(existing.score, alert.score),
        conversationIds,
        evidence,
        updatedAt: now,
        version: existing.version + 1,
      };
      await this.storage.saveCase(tenantId, {
        caseRecord: updated,
        expectedVersion: existing.version,
        alertKeys: [key],
        history: {
          at: now,
          actor: 'lifeguard',
          action: 'updated',
          fromStatus: existing.status,
          toStatus: existing.status,
          note: reason,
        },
        notify: [{ type: 'case.updated', payload: caseSummary(updated, reason) }],
      });
      await this.track(updated);
      return;
    }
    const created: CaseRecord = {
      id: newId('case'),
      tenantId,
      accusedId,
      status: 'open',
      level: alert.level,
      score: alert.score,
      conversationIds,
      evidence,
      openedAt: now,
      updatedAt: now,
      version: 1,
    };
    await this.storage.saveCase(tenantId, {
      caseRecord: created,
      alertKeys: [key],
      history: { at: now, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: reason },
      notify: [{ type: 'case.opened', payload: caseSummary(created, reason) }],
    });
    await this.track(created);
    for (const listener of this.openedListeners) {
      await listener(tenantId, created).catch((err) =>
        this.log.error({ err, tenantId, caseId: created.id }, 'a case-opened listener failed'),
      );
    }
  }

  private async senderOf(tenantId: string, eventId: string): Promise<string | null> {
    const [stored] = await this.storage.getEventsByIds(tenantId, [eventId]);
    return stored?.event.type === 'message' ? stored.event.senderId : null;
  }

  /** Each report with the messages around `until(report)`. */
  private async withMessages(
    tenantId: string,
    reports: ConversationRiskReport[],
    until: (r: ConversationRiskReport) => number,
  ): Promise<CaseEvidence['conversations']> {
    const conversations: CaseEvidence['conversations'] = {};
    for (const report of reports)
      conversations[report.conversationId] = {
        report,
        messages: await this.messagesAround(tenantId, report, until(report)),
      };
    return conversations;
  }

  /** The messages before the alert plus every message the report cites as evidence. */
  private async messagesAround(
    tenantId: string,
    report: ConversationRiskReport,
    time: number,
  ): Promise<EvidenceMessage[]> {
    const window = await this.storage.conversationMessages(tenantId, report.conversationId, time, MESSAGES_AROUND);
    const have = new Set(window.map((m) => m.event.id));
    const cited = [...new Set(report.evidence.map((e) => e.messageId))].filter((id) => !have.has(id));
    const extra = cited.length ? await this.storage.getEventsByIds(tenantId, cited) : [];
    return [...window, ...extra]
      .map(toEvidenceMessage)
      .filter((m): m is EvidenceMessage => m !== null)
      .sort((a, b) => a.time - b.time);
  }

  private async participants(
    tenantId: string,
    engine: DetectionEngine,
    evidence: CaseEvidence,
  ): Promise<EvidenceParticipant[]> {
    const ids = new Set<string>();
    for (const c of Object.values(evidence.conversations)) {
      for (const p of c.report?.participants ?? []) ids.add(p.userId);
      for (const m of c.messages) ids.add(m.senderId);
    }
    if (evidence.actor) ids.add(evidence.actor.userId);
    // The children an account's fan-out reached, even where a conversation report is missing.
    for (const child of fanOutOf(evidence.actor)?.children ?? []) ids.add(child);
    const accounts = await this.storage.getAccounts(tenantId, [...ids]);
    return [...ids].sort().map((userId) => {
      const info = engine.accountInfo(userId);
      const account = accounts.get(userId);
      return {
        userId,
        age: info.age,
        ageSource: info.ageSource,
        isMinor: info.isMinor,
        declaredAge: account?.age ?? null,
        declaredAgeBand: account?.ageBand ?? null,
        country: account?.country ?? null,
      };
    });
  }

  /** A case as it stands, with any messages still waiting to be folded into its evidence. */
  async get(tenantId: string, caseId: string): Promise<CaseRecord> {
    await this.refreshStale(tenantId, caseId);
    const found = await this.storage.getCase(tenantId, caseId);
    if (!found) throw new ApiError(404, 'not_found', `no case ${caseId}`);
    return found;
  }

  /** A reviewer's status change. `expectedVersion` guards against two reviewers acting on the same state. */
  async transition(
    tenantId: string,
    caseId: string,
    to: CaseStatus,
    actor: string,
    note: string | null,
    expectedVersion?: number,
  ): Promise<CaseRecord> {
    // Without an expected version the reviewer meant "whatever the case holds now": retry past a
    // concurrent evidence refresh. With one, any change since is reported (409) for them to look at.
    const updated = await retryOnConflict(
      () => this.transitionOnce(tenantId, caseId, to, actor, note, expectedVersion),
      expectedVersion === undefined ? 3 : 1,
    );
    await this.track(updated);
    return updated;
  }

  private async transitionOnce(
    tenantId: string,
    caseId: string,
    to: CaseStatus,
    actor: string,
    note: string | null,
    expectedVersion?: number,
  ): Promise<CaseRecord> {
    const current = await this.get(tenantId, caseId);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new ApiError(
        409,
        'conflict',
        `case ${caseId} is at version ${current.version}, not ${expectedVersion}; reload it and try again`,
      );
    }
    if (!TRANSITIONS[current.status].includes(to)) {
      throw new ApiError(
        409,
        'conflict',
        `a case cannot move from ${current.status} to ${to}; allowed: ${TRANSITIONS[current.status].join(', ')}`,
      );
    }
    if (to === 'escalated' && !note) {
      throw new ApiError(400, 'invalid_request', 'escalating needs a note saying why and to whom', [
        'note: required when escalating',
      ]);
    }
    const now = Date.now();
    const updated: CaseRecord = { ...current, status: to, updatedAt: now, version: current.version + 1 };
    await this.storage.saveCase(tenantId, {
      caseRecord: updated,
      expectedVersion: current.version,
      history: { at: now, actor, action: 'transition', fromStatus: current.status, toStatus: to, note },
      notify: [
        {
          type: 'case.transitioned',
          payload: { ...caseSummary(updated, note ?? `${current.status} -> ${to}`), from: current.status, to, actor },
        },
      ],
    });
    return updated;
  }

  async addNote(tenantId: string, caseId: string, actor: string, note: string): Promise<CaseRecord> {
    return retryOnConflict(async () => {
      const current = await this.get(tenantId, caseId);
      const updated: CaseRecord = { ...current, updatedAt: Date.now(), version: current.version + 1 };
      await this.storage.saveCase(tenantId, {
        caseRecord: updated,
        expectedVersion: current.version,
        history: {
          at: updated.updatedAt,
          actor,
          action: 'note',
          fromStatus: current.status,
          toStatus: current.status,
          note,
        },
      });
      return updated;
    });
  }
}

/** Runs a read-modify-write again when a concurrent change won the version race; 409 after `attempts`. */
async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (i >= attempts)
        throw new ApiError(
          409,
          'conflict',
          'the case changed while this request ran (new evidence or another reviewer); reload it and try again',
        );
    }
  }
}

export function isActive(status: CaseStatus): boolean {
  return ACTIVE_CASE_STATUSES.includes(status);
}

function toEvidenceMessage(stored: StoredEvent): EvidenceMessage | null {
  const e = stored.event;
  if (e.type !== 'message') return null;
  return {
    id: e.id,
    time: toMillis(e.time),
    senderId: e.senderId,
    recipientIds: e.recipientIds,
    text: e.text,
    textPurged: stored.textPurged,
    attachments: e.attachments,
  };
}

function maxLevel(a: string, b: string): string {
  return LEVEL_ORDER.indexOf(a as RiskLevel) >= LEVEL_ORDER.indexOf(b as RiskLevel) ? a : b;
}

/** Combines earlier evidence with new: newer reports replace older ones, messages are merged by id. */
export function mergeEvidence(previous: CaseEvidence | null, next: CaseEvidence): CaseEvidence {
  if (!previous) return next;
  const conversations: CaseEvidence['conversations'] = { ...previous.conversations };
  for (const [id, c] of Object.entries(next.conversations)) {
    const before = conversations[id];
    const byId = new Map((before?.messages ?? []).map((m) => [m.id, m]));
    // Keep earlier copies: their text may since have been removed from the event store.
    for (const m of c.messages) if (!byId.has(m.id) || byId.get(m.id)!.textPurged) byId.set(m.id, m);
    const messages = [...byId.values()].sort((a, b) => a.time - b.time).slice(-MAX_MESSAGES_PER_CONVERSATION);
    conversations[id] = { report: c.report ?? before?.report ?? null, messages };
  }
  const ids = Object.keys(conversations);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_CONVERSATIONS))) delete conversations[id];
  // Spread `previous` first: evidence other writers add (known-image matches under `media`)
  // must survive a detector update.
  return {
    ...previous,
    alerts: [...previous.alerts, ...next.alerts].slice(-MAX_ALERTS),
    actor: next.actor ?? previous.actor,
    conversations,
    participants: previous.participants,
    ...((next.modelId ?? previous.modelId) ? { modelId: next.modelId ?? previous.modelId } : {}),
  };
}

/** What a webhook carries about a case: enough to act on, no message text (fetch the case for that). */
export function caseSummary(c: CaseRecord, reason: string | null) {
  const modelId = (c.evidence as Partial<CaseEvidence> | null)?.modelId ?? null;
  return {
    caseId: c.id,
    accusedId: c.accusedId,
    status: c.status,
    level: c.level,
    score: c.score,
    conversationIds: c.conversationIds,
    updatedAt: c.updatedAt,
    version: c.version,
    reason,
    modelId,
  };
}
