// The case view: everything a moderator needs on one page, assembled from the case's evidence (copied
// into the case when it opened, so message-text retention never removes it; dismissed-case retention
// does, and the view then says when, in case.evidencePurgedAt), the account table, earlier cases and
// actions, ban evasion's linked accounts and the audit log. The risk timeline replays the evidence
// messages through a fresh detector (the core is pure and fast), so it shows how risk built up message
// by message without touching the live engine.
import {
  DetectionEngine,
  type ConversationRiskReport,
  type LifeguardEvent,
  type RiskModel,
  type SextortionView,
} from '@lifeguard/core';
import type { AuditEntry, CaseRecord, QueueCase, StaffUser } from '@lifeguard/storage';
import type { ServiceContext } from '../context.ts';
import type { CaseEvidence, EvidenceMessage, EvidenceParticipant } from '../cases/caseManager.ts';
import type { MediaMatchEvidence } from '../media/caseRecorder.ts';
import { allowedActions } from './decisions.ts';
import { queueItem } from './queueItem.ts';
import { fanOutOf, fanOutReason, intentWords, spanWords } from '../cases/actorCase.ts';
import type { CaseDetail, MediaMatch, TimelinePoint } from './wire.ts';

type Evidence = Partial<CaseEvidence> & { media?: MediaMatchEvidence[] };

const SIGNAL_LABELS: Record<string, string> = {
  age_disclosure_minor: 'says they are a child',
  age_disclosure_adult: 'says they are an adult',
  age_probe: 'asks age',
  personal_info: 'personal information',
  phone_number: 'phone number',
  platform_move: 'move to another app',
  secrecy: 'secrecy',
  isolation: 'isolation',
  flattery: 'flattery',
  relationship: 'relationship talk',
  gift: 'gift offer',
  money: 'money',
  image_request: 'asks for images',
  meeting: 'meeting',
  sexualisation: 'sexualisation',
  sextortion_leverage: 'sextortion: leverage',
  sextortion_threat: 'sextortion: threat',
  sextortion_payment: 'sextortion: payment demand',
  sextortion_deadline: 'sextortion: deadline',
  distress: 'child in distress',
};

export function signalLabel(kind: string): string {
  return SIGNAL_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

/** Media of a message, by id only; the reference is given out by the (logged) reveal call. */
export function mediaOf(m: EvidenceMessage): { id: string; kind: string; ref: string | null }[] {
  return (m.attachments ?? []).map((a, i) => ({ id: `${m.id}.${i}`, kind: a.kind, ref: a.ref ?? null }));
}

export function findMedia(evidence: Evidence, mediaId: string): { kind: string; ref: string | null } | null {
  for (const c of Object.values(evidence.conversations ?? {})) {
    for (const m of c.messages)
      for (const media of mediaOf(m)) if (media.id === mediaId) return { kind: media.kind, ref: media.ref };
  }
  return null;
}

/** Known-media matches are `match-0`, `match-1`, ... (the ids reports to the authorities use too). */
export function findMatchedMedia(
  evidence: Evidence,
  mediaId: string,
): { kind: 'image' | 'video'; messageId: string | null; ref: string | null } | null {
  const n = /^match-(\d+)$/.exec(mediaId);
  const found = n ? evidence.media?.[Number(n[1])] : undefined;
  if (!found) return null;
  const kind = found.video ? 'video' : 'image';
  // The upload is never stored; the platform's reference to it is, when the case copied its message.
  let ref: string | null = null;
  for (const c of Object.values(evidence.conversations ?? {}))
    for (const m of c.messages)
      if (m.id === found.messageId) ref = (m.attachments ?? []).find((a) => a.kind === kind)?.ref ?? ref;
  return { kind, messageId: found.messageId, ref };
}

/** The case's known-media matches as the console shows them. */
export function mediaMatches(evidence: Evidence): MediaMatch[] {
  return (evidence.media ?? []).map((m, i) => {
    const v = m.video;
    return {
      mediaId: `match-${i}`,
      media: v ? 'video' : 'image',
      at: m.at,
      bank: m.bank,
      kind: m.kind,
      distance: m.distance,
      matchedHash: m.matchedHash,
      metadata: m.metadata,
      quality: m.upload.quality,
      hashedBy: m.upload.hashedBy,
      userId: m.userId,
      conversationId: m.conversationId,
      messageId: m.messageId,
      video: v
        ? {
            match: v.id ? 'known' : v.at !== null ? 'frame' : 'file',
            knownVideo: v.id,
            queryShare: v.id ? v.queryShare : null,
            targetShare: v.id ? v.targetShare : null,
            queryFrames: v.queryFrames,
            queryMatched: v.queryMatched ?? null,
            targetFrames: v.targetFrames ?? null,
            targetMatched: v.targetMatched ?? null,
            firstAt: v.at,
            frames: v.frames ?? (v.at !== null ? [{ at: v.at, knownAt: null, distance: m.distance }] : []),
          }
        : null,
    };
  });
}

/** One explanation line per match. */
function mediaReason(m: MediaMatchEvidence): string {
  const v = m.video;
  if (v?.id)
    return `known-video match in bank "${m.bank}" (video ${v.id}: ${Math.round(v.queryShare * 100)}% of the upload's frames matched, ${Math.round(v.targetShare * 100)}% of the known video's)`;
  if (v && v.at !== null)
    return `known-image match in bank "${m.bank}" on a video frame at ${v.at} s (${m.kind}, distance ${m.distance})`;
  if (v) return `known-video match in bank "${m.bank}" (${m.kind}, the exact file)`;
  return `known-image match in bank "${m.bank}" (${m.kind}, distance ${m.distance})`;
}

function sextortionOf(s: SextortionView | undefined): SextortionView | null {
  return s && (s.threat || s.leverage || s.payment || s.deadline) ? s : null;
}

export type { TimelinePoint };

/** Replays the case's messages, oldest first, with the participants' ages known to the engine up front. */
export function riskTimeline(evidence: Evidence, model?: RiskModel): TimelinePoint[] {
  // The tenant's own model, so the timeline ends where the live detector's scores do.
  const engine = new DetectionEngine(model ? { model } : {});
  const messages: { conversationId: string; m: EvidenceMessage }[] = [];
  for (const [conversationId, c] of Object.entries(evidence.conversations ?? {}))
    for (const m of c.messages) messages.push({ conversationId, m });
  messages.sort((a, b) => a.m.time - b.m.time || a.m.id.localeCompare(b.m.id));
  if (messages.length === 0) return [];
  const start = messages[0]!.m.time - 1;
  for (const p of evidence.participants ?? []) {
    const age = p.declaredAge ?? null;
    if (age !== null)
      engine.process({
        type: 'account',
        id: `timeline-account-${p.userId}`,
        time: start,
        userId: p.userId,
        age,
      } as LifeguardEvent);
  }
  const out: TimelinePoint[] = [];
  const last = new Map<string, { score: number; level: string; stage: string | null }>();
  for (const { conversationId, m } of messages) {
    engine.process({
      type: 'message',
      id: m.id,
      time: m.time,
      conversationId,
      senderId: m.senderId,
      recipientIds: m.recipientIds,
      text: m.text,
    } as LifeguardEvent);
    const score = engine.conversationScore(conversationId);
    let point = last.get(conversationId);
    if (!point || point.score !== score) {
      const report = engine.conversationReport(conversationId);
      point = { score: Math.round(score * 1000) / 1000, level: report?.level ?? 'none', stage: report?.stage ?? null };
      last.set(conversationId, point);
    }
    out.push({ time: m.time, conversationId, messageId: m.id, ...point });
  }
  return out;
}

export async function buildCaseView(
  ctx: ServiceContext,
  c: CaseRecord,
  q: QueueCase,
  user: StaffUser,
  history: AuditEntry[],
  now: number,
): Promise<CaseDetail> {
  const tenantId = c.tenantId;
  const evidence = (c.evidence ?? {}) as Evidence;
  const engine = await ctx.engines.engine(tenantId);
  const participants = new Map<string, EvidenceParticipant>((evidence.participants ?? []).map((p) => [p.userId, p]));
  const conversationIds = Object.keys(evidence.conversations ?? {});

  const conversations = Object.entries(evidence.conversations ?? {}).map(([id, conv]) => {
    const report = conv.report;
    const spans = new Map<
      string,
      { start: number; end: number; signal: string; stage: string | null; label: string }[]
    >();
    for (const e of report?.evidence ?? []) {
      const list = spans.get(e.messageId) ?? [];
      list.push({ start: e.start, end: e.end, signal: e.kind, stage: e.stage, label: signalLabel(e.kind) });
      spans.set(e.messageId, list);
    }
    return {
      id,
      modelId: report?.modelId ?? evidence.modelId ?? null,
      level: report?.level ?? 'none',
      score: report?.score ?? 0,
      stage: report?.stage ?? null,
      sextortion: sextortionOf(report?.sextortion),
      messages: conv.messages.map((m) => ({
        id: m.id,
        time: m.time,
        senderId: m.senderId,
        // Text as stored: the UI renders it as text, never as HTML.
        text: m.text,
        textPurged: m.textPurged,
        spans: (spans.get(m.id) ?? []).sort((a, b) => a.start - b.start),
        media: mediaOf(m).map(({ id: mediaId, kind }) => ({ id: mediaId, kind })),
      })),
    };
  });

  // The children in the case: minors among the participants other than the accused.
  const childIds = [...participants.values()]
    .filter((p) => p.userId !== c.accusedId && p.isMinor === true)
    .map((p) => p.userId);
  // An account alert's fan-out: the children it reached count as children of the case, known age or not.
  const fanOut = fanOutOf(evidence.actor);
  for (const id of fanOut?.children ?? []) if (id !== c.accusedId && !childIds.includes(id)) childIds.push(id);

  // Other children the accused contacted: the detector's risky conversations outside this case.
  const otherChildren = new Map<
    string,
    { userId: string; age: number | null; conversationIds: string[]; firstContactAt: number }
  >();
  const actor = engine.actorReport(c.accusedId) ?? evidence.actor ?? null;
  for (const rc of actor?.riskyConversations ?? []) {
    if (conversationIds.includes(rc.conversationId)) continue;
    const report: ConversationRiskReport | null = engine.conversationReport(rc.conversationId);
    for (const p of report?.participants ?? []) {
      if (p.userId === c.accusedId || p.isMinor !== true || childIds.includes(p.userId)) continue;
      const known = otherChildren.get(p.userId);
      if (known) {
        known.conversationIds.push(rc.conversationId);
        known.firstContactAt = Math.min(known.firstContactAt, report!.firstAt);
      } else {
        otherChildren.set(p.userId, {
          userId: p.userId,
          age: p.age,
          conversationIds: [rc.conversationId],
          firstContactAt: report!.firstAt,
        });
      }
    }
  }

  const people = [c.accusedId, ...childIds];
  const [accounts, actions, priorCases, linked] = await Promise.all([
    ctx.storage.getAccounts(tenantId, people),
    ctx.storage.enforcementActions(tenantId, people),
    Promise.all(people.map((id) => ctx.storage.listCases(tenantId, { accusedId: id, limit: 20 }))),
    ctx.banEvasion.linkedAccounts(tenantId, c.accusedId),
  ]);
  const person = (userId: string, i: number) => {
    const p = participants.get(userId);
    const info = engine.accountInfo(userId);
    const account = accounts.get(userId);
    return {
      userId,
      age: p?.age ?? info.age,
      ageSource: p?.ageSource ?? info.ageSource,
      declaredAge: account?.age ?? p?.declaredAge ?? null,
      disclosedAge: info.disclosedAge,
      isMinor: p?.isMinor ?? info.isMinor,
      accountCreatedAt: account?.createdAt ?? null,
      country: account?.country ?? p?.country ?? null,
      priorCases: priorCases[i]!.filter((pc) => pc.id !== c.id).map((pc) => ({
        id: pc.id,
        status: pc.status,
        level: pc.level,
        openedAt: pc.openedAt,
      })),
      actions: actions
        .filter((a) => a.accountId === userId)
        .map((a) => ({ action: a.action, reason: a.reason, at: a.at, by: a.decidedByName, caseId: a.caseId })),
    };
  };

  const explanation = [
    ...new Set([
      ...(actor?.reasons ?? []),
      ...Object.values(evidence.conversations ?? {}).flatMap((conv) => conv.report?.reasons ?? []),
      ...(evidence.media ?? []).map(mediaReason),
    ]),
  ];

  // Dismissed-case retention removed the message content: say so, and do not replay empty texts.
  const evidencePurgedAt = c.evidencePurgedAt ?? null;
  return {
    case: { ...queueItem(q, now), version: c.version, evidencePurgedAt, modelId: evidence.modelId ?? null },
    fanOut: fanOut
      ? {
          children: fanOut.children,
          intents: fanOut.intents,
          intentWords: intentWords(fanOut.intents),
          conversations: fanOut.conversations,
          withinDays: fanOut.withinDays,
          span: spanWords(fanOut.withinDays),
          summary: fanOutReason({ ...fanOut, children: new Set(fanOut.children).size }),
        }
      : null,
    accused: person(c.accusedId, 0),
    children: childIds.map((id, i) => person(id, i + 1)),
    conversations,
    timeline: evidencePurgedAt === null ? riskTimeline(evidence, ctx.engines.modelFor(tenantId)) : [],
    explanation,
    mediaMatches: mediaMatches(evidence),
    otherChildren: [...otherChildren.values()],
    linkedAccounts: linked.map((l) => ({
      userId: l.userId,
      banned: l.banned,
      links: l.links.map((k) => ({ kind: k.kind, explanation: k.explanation })),
    })),
    history,
    allowedActions: allowedActions(ctx, q, user, now),
    enforcement: ctx.policy.enforcement.steps,
  };
}
