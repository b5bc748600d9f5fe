// The one storage interface the service talks to. Two implementations (SQLite, PostgreSQL)
// pass the same contract suites (test/contract/, one per role). Every method takes the tenant (platform) id first
// where data belongs to a tenant, and every query filters on it: one tenant never reads another's rows.
import type { LifeguardEvent } from '@lifeguard/core';

export const API_SCOPES = ['ingest', 'decide', 'cases:read', 'cases:write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  /** First characters of the key, to recognise it in lists; never enough to use it. */
  prefix: string;
  scopes: ApiScope[];
  createdAt: number;
  revokedAt: number | null;
}

export interface NewApiKey {
  tenantId: string;
  name: string;
  prefix: string;
  /** Hex SHA-256 of the whole key. The key itself is never stored. */
  keyHash: string;
  scopes: ApiScope[];
}

export interface StoredEvent {
  /** Position in the tenant's stream; increases in commit order. */
  seq: number;
  event: LifeguardEvent;
  receivedAt: number;
  /** True when retention removed the message text (the event's text is then ''). */
  textPurged: boolean;
}

export type AppendStatus = 'accepted' | 'duplicate';

export interface AppendResult {
  /** One status per input event, in input order. */
  statuses: AppendStatus[];
  /** The seq assigned to each accepted event (null for duplicates), in input order. */
  seqs: (number | null)[];
}

export interface AccountRecord {
  userId: string;
  age: number | null;
  ageBand: string | null;
  country: string | null;
  createdAt: number | null;
  /** BCP 47 locale from the newest account event that carried one (migration 9); null when never sent. */
  locale?: string | null;
  /** Event time of the newest account event applied. */
  updatedAt: number;
}

/** What a decision needs to know about two accounts, fetched together. */
export interface ContactContext {
  sender: AccountRecord | null;
  recipient: AccountRecord | null;
  connected: boolean;
  /** The recipient has blocked the sender. */
  blockedByRecipient: boolean;
  /** The sender has blocked the recipient. */
  blockedBySender: boolean;
  /** Accounts connected to both. */
  mutualConnections: number;
}

export const CASE_STATUSES = ['open', 'in_review', 'actioned', 'dismissed', 'escalated'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** Statuses in which new alerts about the same accused account update the case instead of opening a new one. */
export const ACTIVE_CASE_STATUSES: readonly CaseStatus[] = ['open', 'in_review', 'escalated'];

export interface CaseRecord {
  id: string;
  tenantId: string;
  accusedId: string;
  status: CaseStatus;
  /** Highest risk level seen. */
  level: string;
  score: number;
  conversationIds: string[];
  /** Evidence kept with the case (reports, surrounding messages, participants); JSON-serialisable. */
  evidence: unknown;
  openedAt: number;
  updatedAt: number;
  /** Increases on every change; used for optimistic concurrency. */
  version: number;
  /**
   * Set (read-only) once dismissed-case retention removed the message content the case copied; absent
   * while the content is kept. Saving a case never changes it.
   */
  evidencePurgedAt?: number;
}

export interface CaseHistoryEntry {
  caseId: string;
  at: number;
  /** Who did it: 'lifeguard' for automatic changes, otherwise the reviewer or API key name. */
  actor: string;
  action: 'opened' | 'updated' | 'transition' | 'note';
  fromStatus: CaseStatus | null;
  toStatus: CaseStatus | null;
  note: string | null;
}

export interface WebhookEventInput {
  type: string;
  payload: unknown;
}

export interface SaveCaseInput {
  caseRecord: CaseRecord;
  /** The history entry for this change; omitted for quiet evidence refreshes. */
  history?: Omit<CaseHistoryEntry, 'caseId'>;
  /** Alert keys this change handles; stored so a replayed alert is recognised and skipped. */
  alertKeys?: string[];
  /** Webhook events enqueued in the same transaction as the case change. */
  notify?: WebhookEventInput[];
  /** For updates: the version the caller read. The save fails with a ConflictError if it changed. */
  expectedVersion?: number;
}

export interface CaseListQuery {
  status?: CaseStatus;
  accusedId?: string;
  limit: number;
  /** Return cases updated before this cursor (opaque; from a previous page). */
  before?: { updatedAt: number; id: string };
}

export interface WebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  /** Shared secret for the HMAC signature. Stored as is: it must be readable to sign. */
  secret: string;
  /** Event types delivered; ['*'] for all. */
  events: string[];
  enabled: boolean;
  createdAt: number;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failing', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  eventType: string;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  lastStatusCode: number | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface ClaimedDelivery extends WebhookDelivery {
  url: string;
  secret: string;
}

export interface DeliveryOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  at: number;
  /** When to try again; null marks the delivery dead (no more attempts). Ignored when ok. */
  nextAttemptAt: number | null;
}

export interface EngineSnapshotRecord {
  /** Every event with seq <= this was folded into the snapshot. */
  seq: number;
  createdAt: number;
  data: string;
}

export interface PurgeResult {
  messagesPurged: number;
}

/** What one dismissed-case retention call removed: counts only, never content. */
export interface CaseEvidencePurgeResult {
  /** Cases whose evidence content was removed. */
  casesPurged: number;
  /** Message texts removed from those cases' evidence. */
  messageTexts: number;
  /** Quoted spans (excerpts) removed from the detector's reports in them. */
  excerpts: number;
  /** Attachment references removed (the attachment kinds stay). */
  attachments: number;
}

export interface HashBankRecord {
  tenantId: string;
  name: string;
  enabled: boolean;
  source: string | null;
  createdAt: number;
  /** Last change to the bank or its hashes. */
  updatedAt: number;
}

export const HASH_KINDS = ['pdq', 'md5', 'sha256'] as const;
export type HashKind = (typeof HASH_KINDS)[number];

export interface BankHashRecord {
  bank: string;
  kind: HashKind;
  /** Lower-case hex. */
  hash: string;
  metadata: Record<string, unknown> | null;
}

export interface BankHashQuery {
  kind?: HashKind;
  bank?: string;
  enabledOnly?: boolean;
  limit?: number;
  after?: { kind: HashKind; hash: string };
}

// Ban evasion (migration 6) ---------------------------------------------
// Identifiers arrive here already protected by the service: exact identifiers (email, phone, device,
// payment and IP fingerprints) as keyed hashes, usernames as their normalised skeleton and lookup
// keys, photos as PDQ hex. The store only compares values; it never sees a raw email or phone number.

export interface AccountIdentifier {
  /** e.g. 'email', 'device_id', 'username', 'username_key', 'photo' (the service defines the kinds). */
  kind: string;
  value: string;
}

export interface IdentifierMatch extends AccountIdentifier {
  userId: string;
}

export interface IdentifierMatchQuery {
  /** Only accounts with an active (not lifted) ban for one of these reasons. */
  bannedFor?: readonly string[];
  /** Leave this account out (the account being checked). */
  excludeUserId?: string;
  limit: number;
}

export interface AccountBanRecord {
  id: string;
  userId: string;
  reason: string;
  caseId: string | null;
  actor: string;
  at: number;
  liftedAt: number | null;
  liftedBy: string | null;
  liftNote: string | null;
}

export type NewAccountBan = Pick<AccountBanRecord, 'userId' | 'reason' | 'caseId' | 'actor' | 'at'>;

export interface BanLift {
  at: number;
  actor: string;
  note: string | null;
}
// End of ban evasion ----------------------------------------------------------------------------

// Moderator console (migration 5) ------------------------------------
// Staff accounts and their sessions, the review queue's stored sort key and claims, enforcement
// actions per account, and the append-only audit log (hash-chained per tenant; see audit.ts).

export const STAFF_ROLES = ['moderator', 'specialist', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffUser {
  id: string;
  tenantId: string;
  /** Lower-case; unique within its tenant. */
  email: string;
  name: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What sign-in needs: the user with the password hash and the failure counter. */
export interface StaffCredentials extends StaffUser {
  passwordHash: string;
  failedSignins: number;
  lockedUntil: number | null;
}

export interface NewStaffUser {
  tenantId: string;
  email: string;
  name: string;
  role: StaffRole;
  passwordHash: string;
  at: number;
}

export interface StaffUserPatch {
  name?: string;
  role?: StaffRole;
  disabled?: boolean;
  passwordHash?: string;
}

export interface StaffSessionRecord {
  /** Hex SHA-256 of the cookie token; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  tenantId: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end of the session. */
  expiresAt: number;
}

/** The queue's view of a case, kept in columns beside it so the queue is one index-ordered query. */
export interface CaseQueueState {
  /** Urgency points from risk, the child's age, sextortion and known-image matches (see caseQueue.ts). */
  urgencyBase: number;
  /** When the case (re-)entered the queue; waiting time adds to urgency from here. */
  waitingSince: number;
  childAge: number | null;
  /** The youngest child the case involves (migration 12; null for cases not saved since). */
  childId: string | null;
  childCount: number;
  /** An account's fan-out: the same intents sent to several children. */
  fanOut: { intents: string[]; children: number; withinDays: number } | null;
  sextortion: boolean;
  sextortionDeadline: boolean;
  bankMatch: boolean;
  stage: string | null;
  claimedBy: { id: string; name: string } | null;
  claimExpiresAt: number | null;
  /** Reopened by an appeal of the account it actioned. */
  appeal: boolean;
  /** The staff user who made the appealed decision; may not claim the appeal. */
  excludedReviewer: string | null;
  /** The staff user who made the last decision. */
  decidedBy: string | null;
}

export type QueueCase = Omit<CaseRecord, 'evidence'> & { queue: CaseQueueState };

export const QUEUE_VIEWS = ['open', 'mine', 'escalated', 'appeals', 'closed'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

export interface QueueQuery {
  view: QueueView;
  /** The user asking (for 'mine' and the claimable filter). */
  userId: string;
  now: number;
  limit: number;
  /** Continue after this (sort key, id) from a previous page. */
  after?: { key: number; id: string };
  /** Only cases nobody holds a live claim on and that this user may claim (for "next case"). */
  claimableOnly?: boolean;
}

export interface QueuePage {
  cases: QueueCase[];
  /** Sort key of the last case, for the next page's `after`. */
  lastKey: number | null;
}

export type ClaimOutcome =
  | { outcome: 'claimed'; until: number }
  | { outcome: 'held'; claimedBy: { id: string; name: string }; until: number }
  | { outcome: 'same_reviewer' }
  | { outcome: 'closed' }
  | { outcome: 'not_found' };

export type AuditActor = { id: string; name: string; role: string } | { system: string };

export interface NewAuditEntry {
  at: number;
  actor: AuditActor;
  action: string;
  caseId: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface AuditEntry extends NewAuditEntry {
  /** Position in the tenant's log, from 1, without gaps. */
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  caseId?: string;
  actorId?: string;
  action?: string;
  limit: number;
  /** Entries with seq below this (newest first). */
  beforeSeq?: number;
}

export interface EnforcementActionRecord {
  id: string;
  accountId: string;
  caseId: string | null;
  action: string;
  reason: string;
  durationHours: number | null;
  decidedBy: string;
  decidedByName: string;
  at: number;
}

/** A decision on a case: the case change, its history and webhooks, the action and the audit entry in one transaction. */
export interface CaseDecisionInput {
  caseRecord: CaseRecord;
  expectedVersion: number;
  /** The deciding staff user; must hold a live claim on the case (ConflictError code 'not_claimed'). */
  decidedBy: string;
  now: number;
  history: Omit<CaseHistoryEntry, 'caseId'>;
  notify: WebhookEventInput[];
  action: Omit<EnforcementActionRecord, 'id'> | null;
  audit: NewAuditEntry;
}

/** An appeal: reopens the case for someone other than its last decider, in one transaction with its audit entry. */
export interface CaseAppealInput {
  caseRecord: CaseRecord;
  expectedVersion: number;
  history: Omit<CaseHistoryEntry, 'caseId'>;
  notify: WebhookEventInput[];
  audit: NewAuditEntry;
}
// End of moderator console --------------------------------------------------------------------

// Family Centre (migrations 8 and 11) ------------------------------------------
// Parent-teen links and the metadata the parent and teen views are computed from: who exchanged
// messages with whom and when (counts per day, never text), the kinds of safety prompts shown, and
// the safety settings the platform reports. Nothing here holds message text or media.

export const FAMILY_LINK_STATUSES = ['pending', 'active', 'declined', 'ended'] as const;
export type FamilyLinkStatus = (typeof FAMILY_LINK_STATUSES)[number];
/** 'consent': the teen accepted; 'platform_age_rule': a child under the platform's own age limit, linked by the platform. */
export type FamilyLinkBasis = 'consent' | 'platform_age_rule';

export interface FamilyLink {
  id: string;
  parentId: string;
  teenId: string;
  status: FamilyLinkStatus;
  basis: FamilyLinkBasis;
  createdAt: number;
  acceptedAt: number | null;
  endedAt: number | null;
  /** Who ended or declined it (an account id). */
  endedBy: string | null;
}

export interface MessageContact {
  /** The other account. */
  userId: string;
  /** Messages exchanged in the window (whole UTC days). */
  messages: number;
  lastAt: number;
}

export interface ConnectionSince {
  userId: string;
  /** When the connection was made (event time of the accepted request). */
  since: number;
}

export interface SafetyWarningRecord {
  userId: string;
  /** The prompt's code, e.g. 'platform_move'. */
  kind: string;
  /** The account whose contact caused it, if any. */
  counterpartId: string | null;
  at: number;
}

export interface DisplayNameUpdate {
  userId: string;
  /** The name the platform shows for the account; null removes it. */
  name: string | null;
}

export interface FamilyPruneResult {
  /** Message-contact rows (teen, other account) with no message in the period, removed. */
  contactPairs: number;
  warnings: number;
}
// End of Family Centre --------------------------------------------------------------------------
// Reports to the authorities and preserved evidence (migration 10) --------------------
// A case's evidence frozen as a canonical package (digest chained into the audit log, signed by the
// service), legal holds that retention respects, and reports to NCMEC and the NCA with their progress.

export interface EvidencePackageRecord {
  tenantId: string;
  caseId: string;
  /** 1, 2, ... per case: a case is frozen again when a report is filed. */
  version: number;
  createdAt: number;
  reason: string;
  /** Canonical JSON (RFC 8785); null once retention removed a dismissed, unheld case's content. */
  package: string | null;
  /** Hex SHA-256 of `package` as written. */
  digest: string;
  /** Signature over the digest with the deployment's key (base64). */
  signature: string;
  keyId: string;
  /** The audit entry that recorded the digest. */
  auditSeq: number;
  purgedAt: number | null;
}

export interface NewEvidencePackage {
  caseId: string;
  createdAt: number;
  reason: string;
  package: string;
  digest: string;
  signature: string;
  keyId: string;
  /** Recorded in the same transaction; the store adds `version` to its details. */
  audit: NewAuditEntry;
}

export interface LegalHold {
  id: string;
  tenantId: string;
  caseId: string;
  reason: string;
  placedBy: string;
  placedAt: number;
  /** Retention leaves the case alone while any hold's `until` is in the future. */
  until: number;
}

export type NewLegalHold = Omit<LegalHold, 'id' | 'tenantId'>;

/** NCMEC, the UK NCA, and the police of an EU Member State or Europol (DSA Art. 18 notifications). */
export const AUTHORITIES = ['ncmec', 'nca', 'police'] as const;
export type Authority = (typeof AUTHORITIES)[number];

export const AUTHORITY_REPORT_STATUSES = [
  /** Waiting for the filing worker (or its next retry). */
  'queued',
  /** Sent step by step; progress says how far. */
  'in_progress',
  /** The authority refused it (its answer in lastError); a specialist may retry after fixing it. */
  'rejected',
  /** Written for upload through the authority's portal; waits for the reference to be entered. */
  'exported',
  'filed',
  'retracted',
  /** Retries ran out (30 days); needs a person. */
  'expired',
  /** Not sent: another authority's report covers it (OSA s.70(5)). */
  'covered',
] as const;
export type AuthorityReportStatus = (typeof AUTHORITY_REPORT_STATUSES)[number];

export interface AuthorityReportRecord {
  id: string;
  tenantId: string;
  caseId: string;
  authority: Authority;
  /** The reported account. */
  subjectId: string;
  /** 1 (immediate threat), 2 or 3. */
  priority: number;
  status: AuthorityReportStatus;
  /** The prepared report (authority-specific JSON). */
  body: unknown;
  /** Transport state: for NCMEC the report id and which files were sent. */
  progress: Record<string, unknown>;
  /** NCMEC report id or NCA reference. */
  externalId: string | null;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  createdBy: string;
  createdAt: number;
  /** When the priority's clock runs out. */
  dueAt: number;
  filedAt: number | null;
  /** How long the authority's reference is kept (NCA: 5 years). */
  keepReferenceUntil: number | null;
  updatedAt: number;
}

export interface AuthorityReportPatch {
  status?: AuthorityReportStatus;
  progress?: Record<string, unknown>;
  externalId?: string | null;
  attempts?: number;
  nextAttemptAt?: number | null;
  lastError?: string | null;
  filedAt?: number | null;
  keepReferenceUntil?: number | null;
  body?: unknown;
  updatedAt: number;
}

export interface AuthorityReportUpdate {
  patch: AuthorityReportPatch;
  /** The change applies only while the report is in one of these statuses (ConflictError otherwise). */
  fromStatuses?: AuthorityReportStatus[];
  audit?: NewAuditEntry;
  hold?: NewLegalHold;
}

export interface AuthorityReportQuery {
  caseId?: string;
  subjectId?: string;
  authority?: Authority;
  limit: number;
}
// End of reports and evidence -------------------------------------------------------------------

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

// The storage contract, one interface per role. Each role has a SQLite file (src/sqlite/) and a
// PostgreSQL file (src/postgres/) and its own contract suite (test/contract/) that both stores run.

/** What every store is and does regardless of role. */
export interface StorageLifecycle {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Tenants (platforms) and API keys. */
export interface TenantStore {
  createTenant(id: string, name: string): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | null>;
  listTenants(): Promise<Tenant[]>;
  createApiKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** Looks a key up by the hash of the presented key; revoked keys are returned with revokedAt set. */
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(tenantId: string, keyId: string, at: number): Promise<boolean>;
  countApiKeys(): Promise<number>;
}

/**
 * Events. Appending is idempotent by (tenant, event id) and durable when the promise resolves.
 * Account and contact events update the account table and connection graph in the same
 * transaction, last writer by event time wins, so out-of-order arrival converges.
 */
export interface EventStore {
  appendEvents(tenantId: string, events: LifeguardEvent[], receivedAt: number): Promise<AppendResult>;
  /** Events with seq > afterSeq, in seq order. */
  readEvents(tenantId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  getEventsByIds(tenantId: string, ids: string[]): Promise<StoredEvent[]>;
  /** Messages of a conversation with event time <= beforeTime, newest `limit` of them, returned oldest first. */
  conversationMessages(
    tenantId: string,
    conversationId: string,
    beforeTime: number,
    limit: number,
  ): Promise<StoredEvent[]>;
  countEvents(tenantId: string): Promise<number>;
  maxSeq(tenantId: string): Promise<number>;
}

/** Accounts and the connection graph (written by appendEvents). */
export interface AccountStore {
  getAccount(tenantId: string, userId: string): Promise<AccountRecord | null>;
  getAccounts(tenantId: string, userIds: string[]): Promise<Map<string, AccountRecord>>;
  contactContext(tenantId: string, senderId: string, recipientId: string): Promise<ContactContext>;
  /** Of the given accounts, the ones connected to userId. */
  connectedAmong(tenantId: string, userId: string, others: string[]): Promise<Set<string>>;
  /** Of the given accounts, the ones that blocked userId or that userId blocked. */
  blockedAmong(tenantId: string, userId: string, others: string[]): Promise<Set<string>>;
  listConnections(tenantId: string, userId: string, limit: number): Promise<string[]>;
}

/** Cases, their history and the alert keys that make alerts idempotent. */
export interface CaseStore {
  getCase(tenantId: string, caseId: string): Promise<CaseRecord | null>;
  findActiveCaseForAccused(tenantId: string, accusedId: string): Promise<CaseRecord | null>;
  listCases(tenantId: string, query: CaseListQuery): Promise<CaseRecord[]>;
  caseHistory(tenantId: string, caseId: string): Promise<CaseHistoryEntry[]>;
  /** Inserts or updates a case with its history entry, alert keys and webhook events in one transaction. */
  saveCase(tenantId: string, input: SaveCaseInput): Promise<void>;
  hasAlertKey(tenantId: string, alertKey: string): Promise<boolean>;
}

/** Webhooks: endpoints and an outbox of deliveries. */
export interface WebhookStore {
  createWebhook(endpoint: Omit<WebhookEndpoint, 'createdAt'> & { createdAt?: number }): Promise<WebhookEndpoint>;
  listWebhooks(tenantId: string): Promise<WebhookEndpoint[]>;
  deleteWebhook(tenantId: string, id: string): Promise<boolean>;
  /** Fans an event out to every enabled endpoint subscribed to its type; returns the deliveries created. */
  enqueueWebhookEvent(tenantId: string, event: WebhookEventInput, at: number): Promise<number>;
  /**
   * Claims up to `limit` deliveries that are due (pending or failing, next attempt <= now), across tenants,
   * and leases them until now + leaseMs so a concurrent worker does not send them twice.
   */
  claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  recordDeliveryOutcome(deliveryId: string, outcome: DeliveryOutcome): Promise<void>;
  listDeliveries(tenantId: string, query: { status?: DeliveryStatus; limit: number }): Promise<WebhookDelivery[]>;
}

/**
 * Engine snapshots (the engine is in memory; the events are the truth). Only the newest is kept:
 * restore reads only it (and replays every event if it is unreadable), and an older one would
 * still hold excerpts that retention has since removed from the engine.
 */
export interface SnapshotStore {
  saveSnapshot(tenantId: string, snapshot: EngineSnapshotRecord): Promise<void>;
  latestSnapshot(tenantId: string): Promise<EngineSnapshotRecord | null>;
}

/** Retention: message text outside held conversations, and dismissed cases' evidence. */
export interface RetentionStore {
  /** Conversations a case holds (their text is kept; see purgeMessageText), each once. */
  heldConversationIds(tenantId: string): Promise<string[]>;
  /**
   * Retention: removes the text of messages older than `olderThan` (event time) in conversations that no
   * case holds (a dismissed case whose evidence retention purged no longer holds them). Only events with
   * seq <= maxSeq are touched, so the engine can always be rebuilt from its latest snapshot plus the
   * events after it, whose text is intact.
   */
  purgeMessageText(tenantId: string, olderThan: number, maxSeq: number, at: number): Promise<PurgeResult>;
  /**
   * Retention for dismissed cases: for up to `limit` cases (oldest dismissal first) whose last transition
   * to 'dismissed' is before `dismissedBefore` and whose evidence was not purged since, removes the message
   * content the case copied (caseRetention.ts says what goes and what stays). Per case, in one transaction:
   * the evidence, evidencePurgedAt = at, version + 1 (so a reviewer's stale copy cannot write the text
   * back), a case-history entry and an audit entry (system actor 'retention', counts only). updatedAt is
   * not changed. Reopening a case makes it ineligible; dismissing it again starts a new period. After the
   * purge the case no longer holds its conversations back from purgeMessageText.
   */
  purgeDismissedCaseEvidence(
    tenantId: string,
    dismissedBefore: number,
    at: number,
    limit: number,
  ): Promise<CaseEvidencePurgeResult>;
}

/** Hash banks (image and file hash lists, e.g. PDQ). */
export interface BankStore {
  upsertBank(bank: Omit<HashBankRecord, 'createdAt' | 'updatedAt'> & { createdAt?: number }): Promise<HashBankRecord>;
  getBank(tenantId: string, name: string): Promise<HashBankRecord | null>;
  listBanks(tenantId: string): Promise<HashBankRecord[]>;
  deleteBank(tenantId: string, name: string): Promise<boolean>;
  /** Adds hashes (ignoring ones already in the bank); returns how many were new. */
  addBankHashes(tenantId: string, bank: string, hashes: Omit<BankHashRecord, 'bank'>[]): Promise<number>;
  removeBankHash(tenantId: string, bank: string, kind: HashKind, hash: string): Promise<boolean>;
  /**
   * Hashes across the tenant's banks (or one bank), ordered by bank, kind, hash. `after` continues a
   * listing of one bank past the given (kind, hash), so large banks can be read page by page.
   */
  listBankHashes(tenantId: string, query: BankHashQuery): Promise<BankHashRecord[]>;
  /** Exact lookups (md5/sha256, or a PDQ hash seen before). */
  findBankHash(tenantId: string, kind: HashKind, hash: string): Promise<BankHashRecord[]>;
}

/** Moderator console (migration 5): staff accounts, sign-in and sessions. */
export interface StaffStore {
  /** ConflictError when the email (any case) is taken in the same tenant; other tenants are never consulted. */
  createStaffUser(user: NewStaffUser): Promise<StaffUser>;
  /** By tenant and email, any case (emails are unique per tenant; the same email may work for several). */
  staffCredentials(tenantId: string, email: string): Promise<StaffCredentials | null>;
  getStaffUser(tenantId: string, userId: string): Promise<StaffUser | null>;
  listStaffUsers(tenantId: string): Promise<StaffUser[]>;
  /** Disabling a user or changing the password ends all of the user's sessions in the same transaction. */
  updateStaffUser(tenantId: string, userId: string, patch: StaffUserPatch, at: number): Promise<StaffUser | null>;
  /**
   * Counts a failed sign-in (locking the account until at + lockMs once maxFailures are reached) or,
   * with ok, clears the counter. Returns the lock end, if locked.
   */
  recordSignin(
    userId: string,
    ok: boolean,
    at: number,
    lock: { maxFailures: number; lockMs: number },
  ): Promise<number | null>;
  createStaffSession(session: StaffSessionRecord): Promise<void>;
  findStaffSession(tokenHash: string): Promise<{ session: StaffSessionRecord; user: StaffUser } | null>;
  touchStaffSession(tokenHash: string, at: number): Promise<void>;
  deleteStaffSession(tokenHash: string): Promise<boolean>;
}

/** Moderator console (migration 5): the review queue, claims, decisions, appeals and enforcement actions. */
export interface ReviewQueueStore {
  /** Cases of a queue view, most urgent first (closed: most recently closed first); evidence left out. */
  queueCases(tenantId: string, query: QueueQuery): Promise<QueuePage>;
  /** Cases per queue view; with onlyMine, the other counts are left at 0 (callers cache them: counting is a scan of the view). */
  queueCounts(
    tenantId: string,
    userId: string,
    now: number,
    onlyMine?: boolean,
  ): Promise<{ open: number; mine: number; escalated: number; appeals: number }>;
  /** One case's queue view (no evidence). */
  getQueueCase(tenantId: string, caseId: string): Promise<QueueCase | null>;
  /** Claims (or renews the user's own claim) until `until`, unless someone else holds a live claim. Atomic. */
  claimCase(
    tenantId: string,
    caseId: string,
    claimant: { id: string; name: string },
    now: number,
    until: number,
  ): Promise<ClaimOutcome>;
  releaseClaim(tenantId: string, caseId: string, userId: string): Promise<boolean>;
  decideCase(tenantId: string, input: CaseDecisionInput): Promise<AuditEntry>;
  appealCase(tenantId: string, input: CaseAppealInput): Promise<AuditEntry>;
  enforcementActions(tenantId: string, accountIds: string[]): Promise<EnforcementActionRecord[]>;
}

/** Moderator console (migration 5): the append-only, hash-chained audit log (see audit.ts). */
export interface AuditLogStore {
  /** Appends to the tenant's hash-chained audit log. */
  appendAudit(tenantId: string, entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first, filtered. */
  listAudit(tenantId: string, query: AuditQuery): Promise<AuditEntry[]>;
  /** Oldest first from afterSeq, for verifying the chain. */
  readAudit(tenantId: string, afterSeq: number, limit: number): Promise<AuditEntry[]>;
}

/** Ban evasion (migration 6): protected account identifiers and bans. */
export interface BanEvasionStore {
  /**
   * The tenant's secret for keyed identifier hashes. The first call stores `candidate` (the caller
   * generates it); every later call, from any process, returns the stored one.
   */
  identifierSecret(tenantId: string, candidate: string): Promise<string>;
  /**
   * Replaces the account's identifiers of the given kinds with `identifiers` (whose kinds must be
   * among them); identifiers of other kinds are kept.
   */
  replaceAccountIdentifiers(
    tenantId: string,
    userId: string,
    kinds: readonly string[],
    identifiers: AccountIdentifier[],
    at: number,
  ): Promise<void>;
  accountIdentifiers(tenantId: string, userId: string): Promise<AccountIdentifier[]>;
  /** Accounts holding any of the given (kind, value) pairs: an indexed lookup per pair. */
  findAccountsByIdentifiers(
    tenantId: string,
    identifiers: AccountIdentifier[],
    query: IdentifierMatchQuery,
  ): Promise<IdentifierMatch[]>;
  /** How many accounts (other than excludeUserId) hold (kind, value), counting no further than `cap`. */
  countAccountsWithIdentifier(
    tenantId: string,
    kind: string,
    value: string,
    cap: number,
    excludeUserId?: string,
  ): Promise<number>;
  /** Identifiers of one kind held by accounts with an active ban for one of `reasons` (e.g. their photos). */
  bannedAccountIdentifiers(
    tenantId: string,
    kind: string,
    reasons: readonly string[],
    limit: number,
  ): Promise<IdentifierMatch[]>;
  addAccountBan(tenantId: string, ban: NewAccountBan): Promise<AccountBanRecord>;
  /** Lifts every active ban of the account; returns how many were lifted. */
  liftAccountBans(tenantId: string, userId: string, lift: BanLift): Promise<number>;
  /** Bans of these accounts, oldest first (lifted ones too unless activeOnly). */
  accountBans(tenantId: string, userIds: string[], options?: { activeOnly?: boolean }): Promise<AccountBanRecord[]>;
}

/** Family Centre (migrations 8 and 11): parent-teen links and the metadata their views are computed from. */
export interface FamilyStore {
  /** ConflictError when a pending or active link between the two already exists. */
  createFamilyLink(tenantId: string, link: Omit<FamilyLink, 'id'>): Promise<FamilyLink>;
  getFamilyLink(tenantId: string, linkId: string): Promise<FamilyLink | null>;
  /** Links where the account is the parent or the teen, newest first. */
  listFamilyLinks(tenantId: string, userId: string): Promise<FamilyLink[]>;
  /** Active links of any of these teens. */
  activeLinksForTeens(tenantId: string, teenIds: string[]): Promise<FamilyLink[]>;
  /**
   * Moves a link to a new status only if it is in one of `from` (atomic); null when it was not (or does
   * not exist). acceptedAt/endedAt/endedBy are set from the patch.
   */
  transitionFamilyLink(
    tenantId: string,
    linkId: string,
    from: readonly FamilyLinkStatus[],
    patch: { status: FamilyLinkStatus; at: number; by: string },
  ): Promise<FamilyLink | null>;
  /**
   * Accounts the user exchanged messages with from `since` (event time; whole UTC days), most recent first.
   * Counted only while the user is the teen of a pending or active link (data minimisation): an account
   * without a link has no rows.
   */
  messageContacts(tenantId: string, userId: string, since: number): Promise<MessageContact[]>;
  /** Linked teens who exchanged messages with `otherId` from `since` (for alerts about that account). */
  messageContactsWith(tenantId: string, otherId: string, since: number): Promise<string[]>;
  /** The user's current connections with the time each was made, newest first (ties: the other account's id descending). */
  connectionsSince(tenantId: string, userId: string, limit: number): Promise<ConnectionSince[]>;
  recordSafetyWarnings(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void>;
  /** Prompts shown to the user at or after `since`, newest first. */
  safetyWarnings(tenantId: string, userId: string, since: number, limit: number): Promise<SafetyWarningRecord[]>;
  /** Stores the settings the platform reports for an account; returns the previous ones (null if none). */
  putAccountSettings(
    tenantId: string,
    userId: string,
    settings: Record<string, unknown>,
    at: number,
  ): Promise<Record<string, unknown> | null>;
  accountSettings(
    tenantId: string,
    userId: string,
  ): Promise<{ settings: Record<string, unknown>; updatedAt: number } | null>;
  /** Display names the platform reports (migration 15); a null name removes the account's name. */
  putDisplayNames(tenantId: string, names: readonly DisplayNameUpdate[], at: number): Promise<void>;
  /** The known display names of these accounts (accounts without one are left out). */
  displayNames(tenantId: string, userIds: readonly string[]): Promise<Map<string, string>>;
  /** Retention: removes message-contact rows with nothing since `before` (whole UTC days) and warnings older than `before`. */
  pruneFamilyMetadata(tenantId: string, before: number): Promise<FamilyPruneResult>;
}

/** Reports to the authorities and preserved evidence (migration 10). */
export interface ReportingStore {
  /** Stores the package as the case's next version with its audit entry, in one transaction. */
  freezeEvidence(tenantId: string, input: NewEvidencePackage): Promise<EvidencePackageRecord>;
  evidencePackages(tenantId: string, caseId: string): Promise<EvidencePackageRecord[]>;
  /** Every package of the tenant ordered by (case, version), after the given one: for `verify`. */
  readEvidencePackages(
    tenantId: string,
    after: { caseId: string; version: number } | null,
    limit: number,
  ): Promise<EvidencePackageRecord[]>;
  placeLegalHold(tenantId: string, hold: NewLegalHold, audit: NewAuditEntry): Promise<LegalHold>;
  legalHolds(tenantId: string, caseId: string): Promise<LegalHold[]>;
  createAuthorityReport(tenantId: string, report: AuthorityReportRecord, audit: NewAuditEntry): Promise<void>;
  getAuthorityReport(tenantId: string, id: string): Promise<AuthorityReportRecord | null>;
  /** Newest first. */
  listAuthorityReports(tenantId: string, query: AuthorityReportQuery): Promise<AuthorityReportRecord[]>;
  /** Applies the patch (and the audit entry and hold, if any) in one transaction; returns the report as it now is. */
  updateAuthorityReport(tenantId: string, id: string, update: AuthorityReportUpdate): Promise<AuthorityReportRecord>;
  /**
   * Claims up to `limit` queued or in-progress reports that are due, across tenants, leasing them until
   * now + leaseMs so that a second worker does not send them at the same time.
   */
  claimDueAuthorityReports(now: number, limit: number, leaseMs: number): Promise<AuthorityReportRecord[]>;
}

/** The one storage interface the service talks to: every role together. */
export interface Storage
  extends StorageLifecycle,
    TenantStore,
    EventStore,
    AccountStore,
    CaseStore,
    WebhookStore,
    SnapshotStore,
    RetentionStore,
    BankStore,
    StaffStore,
    ReviewQueueStore,
    AuditLogStore,
    BanEvasionStore,
    FamilyStore,
    ReportingStore {}
