// The review queue's order (moderator console). Every save of a case recomputes these facts from its
// evidence, so cases opened by the detector, by known-image matches or by the API all sort alike.
//
// Urgency = base + waiting hours * URGENCY_PER_HOUR, where base counts risk, the child's age,
// sextortion and known-image matches. Waiting time grows at the same rate for every case, so the
// order is fixed by the stored key base - waitingSince_in_hours * URGENCY_PER_HOUR, and the queue is
// an index scan on (tenant, queue, key) however many cases there are. docs/console.md explains it.
import { GROOMING_STAGES } from '@lifeguard/core';
import type { CaseRecord, CaseStatus } from './types.ts';

/** Urgency points one hour of waiting adds. */
export const URGENCY_PER_HOUR = 1;
const HOUR_MS = 3_600_000;

export const URGENCY_WEIGHTS = {
  /** Times the risk score (0..1). */
  risk: 40,
  /** Per year the youngest child involved is under 18. */
  perYearUnder18: 2,
  /** A child whose age is not known. */
  childAgeUnknown: 6,
  /** Threats, leverage or payment demands of sextortion. */
  sextortion: 25,
  /** A stated deadline on top: harm can follow within hours. */
  sextortionDeadline: 15,
  /** A known-image (hash bank) match. */
  bankMatch: 40,
} as const;

/** An account's fan-out as the queue shows it: the same intents sent to several children. */
export interface QueueFanOut {
  intents: string[];
  children: number;
  withinDays: number;
}

export interface CaseQueueFacts {
  urgencyBase: number;
  childAge: number | null;
  /** The youngest child involved (by known age, else the first by id), or null when none is known. */
  childId: string | null;
  /** How many children the case involves (minors among the participants and an account's fan-out). */
  childCount: number;
  fanOut: QueueFanOut | null;
  sextortion: boolean;
  sextortionDeadline: boolean;
  bankMatch: boolean;
  stage: string | null;
}

interface EvidenceShape {
  participants?: { userId?: string; age?: number | null; isMinor?: boolean | null }[];
  actor?: { fanOut?: { children?: unknown; intents?: unknown; withinDays?: unknown } | null } | null;
  conversations?: Record<
    string,
    {
      report?: {
        stage?: string | null;
        sextortion?: { leverage?: boolean; threat?: boolean; payment?: boolean; deadline?: boolean };
      } | null;
    }
  >;
  media?: unknown[];
}

/** What the queue needs to know about a case, read from its evidence (any shape is tolerated). */
export function caseQueueFacts(c: Pick<CaseRecord, 'score' | 'accusedId' | 'evidence'>): CaseQueueFacts {
  const e = (c.evidence && typeof c.evidence === 'object' ? c.evidence : {}) as EvidenceShape;
  let childAge: number | null = null;
  let minorWithoutAge = false;
  const children = new Map<string, number | null>();
  for (const p of e.participants ?? []) {
    if (p.userId === c.accusedId || p.isMinor !== true) continue;
    if (typeof p.userId === 'string') children.set(p.userId, typeof p.age === 'number' ? p.age : null);
    if (typeof p.age === 'number') childAge = childAge === null ? p.age : Math.min(childAge, p.age);
    else minorWithoutAge = true;
  }
  // An account alert's fan-out names the children it reached, also those whose age nobody stated.
  const f = e.actor?.fanOut;
  const fanOutChildren = Array.isArray(f?.children)
    ? (f.children as unknown[]).filter((x): x is string => typeof x === 'string' && x !== c.accusedId)
    : [];
  for (const id of fanOutChildren) {
    if (children.has(id)) continue;
    const p = (e.participants ?? []).find((q) => q.userId === id);
    const age = typeof p?.age === 'number' ? p.age : null;
    children.set(id, age);
    if (age !== null) childAge = childAge === null ? age : Math.min(childAge, age);
    else minorWithoutAge = true;
  }
  const byAge = [...children].sort((a, b) => (a[1] ?? Infinity) - (b[1] ?? Infinity) || a[0].localeCompare(b[0]));
  const fanOut: QueueFanOut | null =
    fanOutChildren.length > 0
      ? {
          intents: Array.isArray(f?.intents)
            ? (f.intents as unknown[]).filter((x): x is string => typeof x === 'string')
            : [],
          children: new Set(fanOutChildren).size,
          withinDays: typeof f?.withinDays === 'number' && Number.isFinite(f.withinDays) ? f.withinDays : 0,
        }
      : null;
  let sextortion = false;
  let deadline = false;
  let stage: string | null = null;
  for (const conv of Object.values(e.conversations ?? {})) {
    const r = conv?.report;
    if (!r) continue;
    const s = r.sextortion;
    if (s && (s.threat || s.payment || s.leverage)) sextortion = true;
    if (s?.deadline && (s.threat || s.payment)) deadline = true;
    if (r.stage && GROOMING_STAGES.indexOf(r.stage as never) > (stage ? GROOMING_STAGES.indexOf(stage as never) : -1))
      stage = r.stage;
  }
  const bankMatch = Array.isArray(e.media) && e.media.length > 0;
  const w = URGENCY_WEIGHTS;
  let base = Math.max(0, Math.min(1, c.score)) * w.risk;
  if (childAge !== null) base += Math.max(0, 18 - childAge) * w.perYearUnder18;
  else if (minorWithoutAge) base += w.childAgeUnknown;
  if (sextortion) base += w.sextortion;
  if (deadline) base += w.sextortionDeadline;
  if (bankMatch) base += w.bankMatch;
  return {
    urgencyBase: Math.round(base * 100) / 100,
    childAge,
    childId: byAge[0]?.[0] ?? null,
    childCount: children.size,
    fanOut,
    sextortion,
    sextortionDeadline: deadline,
    bankMatch,
    stage,
  };
}

/** The stored sort key: higher is more urgent, and the order never changes as time passes. */
export function urgencyKey(base: number, waitingSince: number): number {
  return base - (waitingSince / HOUR_MS) * URGENCY_PER_HOUR;
}

/** Urgency as shown at `now`. */
export function urgencyAt(base: number, waitingSince: number, now: number): number {
  return base + (Math.max(0, now - waitingSince) / HOUR_MS) * URGENCY_PER_HOUR;
}

export type QueueBucket = 'open' | 'appeals' | 'escalated' | 'closed';

export function queueBucket(status: CaseStatus, appeal: boolean): QueueBucket {
  if (status === 'open' || status === 'in_review') return appeal ? 'appeals' : 'open';
  if (status === 'escalated') return 'escalated';
  return 'closed';
}

/** Closed cases sort by when they were closed (their last update), newest first. */
export function closedKey(updatedAt: number): number {
  return updatedAt / HOUR_MS;
}
