// The console API's shapes (served under /console/api; docs/console.md), declared once: the
// service's console routes are typed by them, and the console's bundle imports them as types
// (`@lifeguard/service/console-wire`). This file imports nothing, so no server code or Node type can
// reach the browser bundle through it.

export type Role = 'moderator' | 'specialist' | 'admin';

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string;
}

export interface Session {
  user: StaffUser;
  csrfToken: string;
}

export type QueueView = 'open' | 'mine' | 'escalated' | 'appeals' | 'closed';

export interface QueueItem {
  id: string;
  accusedId: string;
  status: string;
  level: string;
  score: number;
  urgency: number;
  reasons: string[];
  childAge: number | null;
  /** The youngest child the case involves, and how many children in all (an account's fan-out counts every child it reached). */
  childId: string | null;
  childCount: number;
  sextortion: boolean;
  bankMatch: boolean;
  stage: string | null;
  openedAt: number;
  updatedAt: number;
  waitingSince: number;
  claimedBy: { id: string; name: string } | null;
  claimExpiresAt: number | null;
  appeal: boolean;
  conversationCount: number;
}

export interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
  counts: { open: number; mine: number; escalated: number; appeals: number };
}

export interface Person {
  userId: string;
  age: number | null;
  ageSource: string;
  declaredAge: number | null;
  disclosedAge: number | null;
  isMinor: boolean | null;
  accountCreatedAt: number | null;
  country: string | null;
  priorCases: { id: string; status: string; level: string; openedAt: number }[];
  /** caseId is null for an action taken outside a case. */
  actions: { action: string; reason: string; at: number; by: string; caseId: string | null }[];
}

export interface Span {
  start: number;
  end: number;
  signal: string;
  stage: string | null;
  label: string;
}

export interface MediaItem {
  id: string;
  kind: string;
}

/** A frame of an uploaded video that matched a frame of a known video. */
export interface MatchedFrame {
  /** Seconds into the upload. */
  at: number;
  /** Seconds into the known video; null when the frame matched a known still image. */
  knownAt: number | null;
  distance: number;
}

/**
 * A known-image or known-video match (hash banks). The upload itself is never stored: `mediaId` is for the
 * logged reveal call, which answers with the platform's reference to the upload when the case knows it.
 */
export interface MediaMatch {
  /** `match-0`, `match-1`, ... in the order the matches were recorded. */
  mediaId: string;
  media: 'image' | 'video';
  at: number;
  bank: string;
  kind: 'pdq' | 'md5' | 'sha256';
  distance: number;
  matchedHash: string;
  /** The bank entry's metadata (list reference, category); never a description of the media. */
  metadata: string | null;
  quality: number | null;
  hashedBy: 'service' | 'client';
  userId: string;
  conversationId: string | null;
  messageId: string | null;
  /**
   * For a video: `known` a known video matched by its frames, `frame` one frame matched a known still image,
   * `file` the whole file matched exactly. Shares and counts are null for matches recorded before they were kept.
   */
  video: {
    match: 'known' | 'frame' | 'file';
    knownVideo: string | null;
    queryShare: number | null;
    targetShare: number | null;
    queryFrames: number;
    queryMatched: number | null;
    targetFrames: number | null;
    targetMatched: number | null;
    /** Seconds into the upload of the first matching frame. */
    firstAt: number | null;
    frames: MatchedFrame[];
  } | null;
}

export interface Message {
  id: string;
  time: number;
  senderId: string;
  text: string | null;
  textPurged: boolean;
  spans: Span[];
  media: MediaItem[];
}

export interface Conversation {
  id: string;
  level: string;
  score: number;
  stage: string | null;
  /** The risk model whose score this is; null for cases stored before models were recorded. */
  modelId: string | null;
  sextortion: { threat: boolean; leverage: boolean; payment: boolean; deadline: boolean } | null;
  messages: Message[];
}

export interface TimelinePoint {
  time: number;
  conversationId: string;
  messageId: string;
  score: number;
  level: string;
  stage: string | null;
}

export type Actor = { id: string; name: string; role: string } | { system: string };

export interface AuditEntry {
  seq: number;
  at: number;
  actor: Actor;
  action: string;
  caseId: string | null;
  targetId: string | null;
  details: unknown;
  hash: string;
}

export interface LadderStep {
  action: string;
  label: string;
  description: string;
  requiresRole: Role;
  reasons: string[];
  needsDuration: boolean;
  webhookEvent: string | null;
}

export interface CaseDetail {
  /** evidencePurgedAt: when dismissed-case retention removed the messages this case copied; null while kept. */
  case: QueueItem & { version: number; evidencePurgedAt: number | null; modelId: string | null };
  /** An account alert's fan-out: the same intent sequence sent to several children. */
  fanOut: {
    children: string[];
    intents: string[];
    intentWords: string;
    conversations: string[];
    withinDays: number;
    span: string;
    summary: string;
  } | null;
  accused: Person;
  children: Person[];
  conversations: Conversation[];
  timeline: TimelinePoint[];
  explanation: string[];
  /** Known-image and known-video matches, oldest first. */
  mediaMatches: MediaMatch[];
  otherChildren: { userId: string; age: number | null; conversationIds: string[]; firstContactAt: number }[];
  linkedAccounts: { userId: string; banned: boolean; links: { kind: string; explanation: string }[] }[];
  history: AuditEntry[];
  allowedActions: string[];
  enforcement: LadderStep[];
}

export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled?: boolean;
  createdAt?: number;
}

// Transparency statistics: GET /console/api/statistics, the same shape as /v1/statistics
// (reporting/statistics.ts computes them; the console's charts draw them).

export type StatisticsBucket = 'month' | 'quarter' | 'year';

export interface Durations {
  count: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface StatisticsRow {
  period: string;
  jurisdiction: string;
  detectionsByKind: Record<string, number>;
  casesOpened: number;
  actionsByRung: Record<string, number>;
  reportsByAuthority: Record<string, Record<string, number>>;
  reportsFiled: number;
  detectionToAction: Durations;
  detectionToReport: Durations;
  appeals: number;
  overturned: number;
  decisions: number;
  dismissed: number;
  /** Dismissed decisions / all decisions: cases the detector raised that reviewers found were not abuse. */
  falseFlagRate: number | null;
}

export interface Statistics {
  from: string;
  to: string;
  bucket: StatisticsBucket;
  generatedAt: string;
  rows: StatisticsRow[];
}
