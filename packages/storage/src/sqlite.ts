// Embedded SQLite store (better-sqlite3): no set-up, one file, the default for `lifeguard serve`.
//
// Durability: WAL journal with synchronous=FULL by default. A commit returns only after the WAL is
// fsynced, so an acknowledged event survives a process kill (SIGKILL) and also an OS crash or power
// loss. synchronous=NORMAL (option `synchronous: 'normal'`) still survives a process kill, because the
// WAL frames are written to the OS before commit returns, but the last commits may be lost if the
// machine itself goes down. better-sqlite3 is synchronous; each method is wrapped as a promise so
// the service code is the same for both stores.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LifeguardEvent } from '@lifeguard/core';
import { sqliteMigrations } from './migrations.ts';
import { WriterThread } from './sqliteWriter.ts';
import {
  eventToRow,
  firstOccurrences,
  graphEffects,
  mapAccount,
  mapAccountBan,
  mapApiKey,
  mapBank,
  mapBankHash,
  mapCase,
  mapDelivery,
  mapHistory,
  mapWebhook,
  newId,
  orderedPair,
  rowToEvent,
  webhookSubscribed,
  type GraphEffect,
} from './rows.ts';
import {
  ConflictError,
  type AccountBanRecord,
  type AccountIdentifier,
  type AccountRecord,
  type BanLift,
  type IdentifierMatch,
  type IdentifierMatchQuery,
  type NewAccountBan,
  type AppendResult,
  type AppendStatus,
  type BankHashQuery,
  type ApiKeyRecord,
  type BankHashRecord,
  type CaseHistoryEntry,
  type CaseListQuery,
  type CaseRecord,
  type ClaimedDelivery,
  type ContactContext,
  type DeliveryOutcome,
  type DeliveryStatus,
  type EngineSnapshotRecord,
  type HashBankRecord,
  type HashKind,
  type NewApiKey,
  type CaseEvidencePurgeResult,
  type PurgeResult,
  type SaveCaseInput,
  type Storage,
  type StoredEvent,
  type Tenant,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventInput,
} from './types.ts';

// Moderator console (helper "console-server")
import {
  NotFoundError,
  type AuditEntry,
  type AuditQuery,
  type CaseAppealInput,
  type CaseDecisionInput,
  type ClaimOutcome,
  type EnforcementActionRecord,
  type NewAuditEntry,
  type NewStaffUser,
  type QueueCase,
  type QueuePage,
  type QueueQuery,
  type StaffCredentials,
  type StaffSessionRecord,
  type StaffUser,
  type StaffUserPatch,
} from './types.ts';
import {
  auditListSql,
  claimRefusal,
  CLAIMABLE,
  INSERT_ACTION_SQL,
  INSERT_AUDIT_SQL,
  mapAction,
  mapAudit,
  mapQueueCase,
  mapSessionWithUser,
  mapStaffCredentials,
  mapStaffUser,
  notClaimed,
  QUEUE_COLUMNS,
  queueSql,
  REFRESH_QUEUE_SQL,
  refreshQueueParams,
  SESSION_WITH_USER_SQL,
} from './consoleRows.ts';
import { AUDIT_GENESIS, auditActorId, auditHash } from './audit.ts';
import {
  bySlot,
  contactIncrements,
  mapFamilyLink,
  mapMessageContact,
  mapWarning,
  transitionColumns,
  windowSum,
  DAY_MS,
  type ContactIncrement,
} from './familyRows.ts'; // family-centre
import type {
  ConnectionSince,
  FamilyLink,
  FamilyLinkStatus,
  FamilyPruneResult,
  MessageContact,
  SafetyWarningRecord,
} from './types.ts'; // family-centre
// Reports and evidence (issue 11)
import type {
  AuthorityReportQuery,
  AuthorityReportRecord,
  AuthorityReportUpdate,
  EvidencePackageRecord,
  LegalHold,
  NewEvidencePackage,
  NewLegalHold,
} from './types.ts';
import {
  DUE_REPORTS_SQL,
  freezeAudit,
  HOLD_ACTION,
  INSERT_HOLD_SQL,
  INSERT_PACKAGE_SQL,
  INSERT_REPORT_SQL,
  mapAuthorityReport,
  mapHold,
  mapPackage,
  NEXT_PACKAGE_VERSION_SQL,
  PURGE_PACKAGES_SQL,
  reportListSql,
  reportParams,
  reportPatchSql,
} from './reportingRows.ts';
import {
  addCounts,
  APPLY_PURGE_SQL,
  DISMISSED_DUE_SQL,
  HELD_CONVERSATIONS_SQL,
  purgeAuditEntry,
  purgeEvidenceContent,
  purgeHistoryNote,
  RETENTION_ACTOR,
} from './caseRetention.ts';

type Row = Record<string, unknown>;

/** How often the writer brings conversation_seqs up to date (see migration 3). */
const CONVERSATION_INDEX_EVERY_MS = 250;

export interface SqliteOptions {
  /** File path, or ':memory:' for tests that do not need a file. */
  path: string;
  /** 'full' (default): durable across power loss. 'normal': durable across process crashes only. */
  synchronous?: 'full' | 'normal';
  /**
   * 'thread' (default for files): every write runs in a worker thread, so commits never block the
   * caller's event loop; reads run here. 'inline': everything on this thread (':memory:' always is).
   */
  writer?: 'thread' | 'inline';
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  /** Set in 'thread' mode: write methods are forwarded to it. */
  private readonly writer: WriterThread | null;

  constructor(options: SqliteOptions) {
    const memory = options.path === ':memory:';
    if (!memory) mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.writer =
      !memory && (options.writer ?? 'thread') === 'thread'
        ? new WriterThread(options.path, options.synchronous ?? 'full')
        : null;
  }

  /** Prepared statements are cached by their SQL text. */
  private q(sql: string): Database.Statement {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }

  async migrate(): Promise<void> {
    if (this.writer) return this.writer.call('migrate', []);
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)),
    );
    for (const m of sqliteMigrations) {
      if (applied.has(m.version)) continue;
      this.db
        .transaction(() => {
          this.db.exec(m.sql);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, Date.now());
        })
        .immediate();
    }
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }

  // Tenants and keys ---------------------------------------------------------------------------

  async createTenant(id: string, name: string): Promise<Tenant> {
    if (this.writer) return this.writer.call('createTenant', [id, name]);
    const createdAt = Date.now();
    this.q('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)').run(id, name, createdAt);
    return { id, name, createdAt };
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const r = this.q('SELECT * FROM tenants WHERE id = ?').get(id) as Row | undefined;
    return r ? { id: String(r.id), name: String(r.name), createdAt: Number(r.created_at) } : null;
  }

  async listTenants(): Promise<Tenant[]> {
    return (this.q('SELECT * FROM tenants ORDER BY id').all() as Row[]).map((r) => ({
      id: String(r.id),
      name: String(r.name),
      createdAt: Number(r.created_at),
    }));
  }

  async createApiKey(key: NewApiKey): Promise<ApiKeyRecord> {
    if (this.writer) return this.writer.call('createApiKey', [key]);
    const record: ApiKeyRecord = {
      id: newId('key'),
      tenantId: key.tenantId,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      createdAt: Date.now(),
      revokedAt: null,
    };
    this.q(
      'INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      record.id,
      record.tenantId,
      record.name,
      record.prefix,
      key.keyHash,
      JSON.stringify(record.scopes),
      record.createdAt,
    );
    return record;
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const r = this.q('SELECT * FROM api_keys WHERE key_hash = ?').get(keyHash) as Row | undefined;
    return r ? mapApiKey(r) : null;
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    return (this.q('SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id').all(tenantId) as Row[]).map(
      mapApiKey,
    );
  }

  async revokeApiKey(tenantId: string, keyId: string, at: number): Promise<boolean> {
    if (this.writer) return this.writer.call('revokeApiKey', [tenantId, keyId, at]);
    return (
      this.q('UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL').run(
        at,
        tenantId,
        keyId,
      ).changes > 0
    );
  }

  async countApiKeys(): Promise<number> {
    return Number((this.q('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as Row).n);
  }

  // Events -------------------------------------------------------------------------------------

  async appendEvents(tenantId: string, events: LifeguardEvent[], receivedAt: number): Promise<AppendResult> {
    if (this.writer) return this.writer.call('appendEvents', [tenantId, events, receivedAt]);
    const result = this.appendInline(tenantId, events, receivedAt);
    if (Date.now() - this.conversationsIndexedAt >= CONVERSATION_INDEX_EVERY_MS) this.indexConversations();
    return result;
  }

  /** Time of the last conversation_seqs catch-up (writer side). */
  private conversationsIndexedAt = 0;

  /** Adds the conversation entries of events stored since the last run, sorted, in one transaction. */
  indexConversations(): number {
    return this.db
      .transaction(() => {
        const from = Number((this.q('SELECT seq FROM conversation_index_state WHERE id = 1').get() as Row).seq);
        const to = Number((this.q('SELECT coalesce(max(seq), 0) AS n FROM events').get() as Row).n);
        this.conversationsIndexedAt = Date.now();
        if (to <= from) return 0;
        const added = this.q(`INSERT INTO conversation_seqs (tenant_id, conversation_id, seq)
        SELECT tenant_id, conversation_id, seq FROM events WHERE seq > ? AND seq <= ? AND type = 'message'
        ORDER BY tenant_id, conversation_id, seq`).run(from, to).changes;
        this.q('UPDATE conversation_index_state SET seq = ? WHERE id = 1').run(to);
        return added;
      })
      .immediate();
  }

  private appendInline(tenantId: string, events: LifeguardEvent[], receivedAt: number): AppendResult {
    const insert = this.q(
      'INSERT INTO events (tenant_id, id, type, time_ms, received_at, conversation_id, body, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO NOTHING',
    );
    const statuses: AppendStatus[] = [];
    const seqs: (number | null)[] = [];
    const first = firstOccurrences(events);
    const accepted: LifeguardEvent[] = [];
    this.db
      .transaction(() => {
        events.forEach((event, i) => {
          if (!first[i]) {
            statuses.push('duplicate');
            seqs.push(null);
            return;
          }
          const row = eventToRow(event);
          const info = insert.run(
            tenantId,
            row.id,
            row.type,
            row.timeMs,
            receivedAt,
            row.conversationId,
            row.body,
            row.text,
          );
          if (info.changes === 0) {
            statuses.push('duplicate');
            seqs.push(null);
            return;
          }
          statuses.push('accepted');
          seqs.push(Number(info.lastInsertRowid));
          for (const effect of graphEffects(event)) this.applyEffect(tenantId, effect);
          if (event.type === 'message') accepted.push(event);
        });
        this.addMessageContacts(tenantId, accepted); // family-centre
      })
      .immediate();
    return { statuses, seqs };
  }

  private applyEffect(tenantId: string, e: GraphEffect): void {
    if (e.kind === 'account') {
      // Per field: a newer event overrides; an older one that arrives late only fills gaps.
      this.q(`INSERT INTO accounts (tenant_id, user_id, age, age_band, country, locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET
          age = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.age, accounts.age) ELSE coalesce(accounts.age, excluded.age) END,
          age_band = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.age_band, accounts.age_band) ELSE coalesce(accounts.age_band, excluded.age_band) END,
          country = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.country, accounts.country) ELSE coalesce(accounts.country, excluded.country) END,
          locale = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.locale, accounts.locale) ELSE coalesce(accounts.locale, excluded.locale) END,
          created_at = min(coalesce(accounts.created_at, excluded.created_at), coalesce(excluded.created_at, accounts.created_at)),
          updated_at = max(accounts.updated_at, excluded.updated_at)`).run(
        tenantId,
        e.userId,
        e.age,
        e.ageBand,
        e.country,
        e.locale,
        e.createdAt,
        e.at,
      );
    } else if (e.kind === 'connection') {
      this.q(`INSERT INTO connections (tenant_id, user_a, user_b, connected, changed_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, user_a, user_b) DO UPDATE SET connected = excluded.connected, changed_at = excluded.changed_at
        WHERE excluded.changed_at >= connections.changed_at`).run(tenantId, e.a, e.b, e.connected ? 1 : 0, e.at);
    } else {
      this.q(
        'INSERT INTO blocks (tenant_id, blocker_id, blocked_id, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ).run(tenantId, e.blocker, e.blocked, e.at);
    }
  }

  async readEvents(tenantId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return (
      this.q('SELECT * FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(
        tenantId,
        afterSeq,
        limit,
      ) as Row[]
    ).map(toStored);
  }

  async getEventsByIds(tenantId: string, ids: string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const out: StoredEvent[] = [];
    // Chunked to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      // No ORDER BY here: with one, SQLite walks every event of the tenant in seq order to avoid a sort.
      const rows = this.db
        .prepare(`SELECT * FROM events WHERE tenant_id = ? AND id IN (${chunk.map(() => '?').join(',')})`)
        .all(tenantId, ...chunk) as Row[];
      out.push(...rows.map(toStored));
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async conversationMessages(
    tenantId: string,
    conversationId: string,
    beforeTime: number,
    limit: number,
  ): Promise<StoredEvent[]> {
    // Indexed part, plus the events stored since the deferred index last caught up (a rowid range scan).
    const rows = this.q(
      `SELECT * FROM (
         SELECT * FROM (
           SELECT e.* FROM conversation_seqs c JOIN events e ON e.seq = c.seq
           WHERE c.tenant_id = ? AND c.conversation_id = ? AND e.time_ms <= ?
           ORDER BY c.seq DESC LIMIT ?
         )
         UNION ALL
         SELECT * FROM events WHERE seq > (SELECT seq FROM conversation_index_state WHERE id = 1)
           AND tenant_id = ? AND conversation_id = ? AND type = 'message' AND time_ms <= ?
       ) ORDER BY time_ms DESC, seq DESC LIMIT ?`,
    ).all(tenantId, conversationId, beforeTime, limit * 2, tenantId, conversationId, beforeTime, limit) as Row[];
    return rows.map(toStored).reverse();
  }

  async countEvents(tenantId: string): Promise<number> {
    return Number((this.q('SELECT count(*) AS n FROM events WHERE tenant_id = ?').get(tenantId) as Row).n);
  }

  async maxSeq(tenantId: string): Promise<number> {
    return Number((this.q('SELECT coalesce(max(seq), 0) AS n FROM events WHERE tenant_id = ?').get(tenantId) as Row).n);
  }

  // Accounts and graph -------------------------------------------------------------------------

  async getAccount(tenantId: string, userId: string): Promise<AccountRecord | null> {
    const r = this.q('SELECT * FROM accounts WHERE tenant_id = ? AND user_id = ?').get(tenantId, userId) as
      | Row
      | undefined;
    return r ? mapAccount(r) : null;
  }

  async getAccounts(tenantId: string, userIds: string[]): Promise<Map<string, AccountRecord>> {
    const out = new Map<string, AccountRecord>();
    for (let i = 0; i < userIds.length; i += 500) {
      const chunk = userIds.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT * FROM accounts WHERE tenant_id = ? AND user_id IN (${chunk.map(() => '?').join(',')})`)
        .all(tenantId, ...chunk) as Row[];
      for (const r of rows) out.set(String(r.user_id), mapAccount(r));
    }
    return out;
  }

  async contactContext(tenantId: string, senderId: string, recipientId: string): Promise<ContactContext> {
    const account = this.q('SELECT * FROM accounts WHERE tenant_id = ? AND user_id = ?');
    const sender = account.get(tenantId, senderId) as Row | undefined;
    const recipient = account.get(tenantId, recipientId) as Row | undefined;
    const [a, b] = orderedPair(senderId, recipientId);
    const conn = this.q('SELECT connected FROM connections WHERE tenant_id = ? AND user_a = ? AND user_b = ?').get(
      tenantId,
      a,
      b,
    ) as Row | undefined;
    const blocked = this.q('SELECT 1 FROM blocks WHERE tenant_id = ? AND blocker_id = ? AND blocked_id = ?');
    const mutual = this.q(
      `SELECT count(*) AS n FROM (${NEIGHBOURS_SQLITE}) x JOIN (${NEIGHBOURS_SQLITE}) y ON x.other = y.other`,
    ).get(tenantId, senderId, tenantId, senderId, tenantId, recipientId, tenantId, recipientId) as Row;
    return {
      sender: sender ? mapAccount(sender) : null,
      recipient: recipient ? mapAccount(recipient) : null,
      connected: Boolean(conn?.connected),
      blockedByRecipient: blocked.get(tenantId, recipientId, senderId) !== undefined,
      blockedBySender: blocked.get(tenantId, senderId, recipientId) !== undefined,
      mutualConnections: Number(mutual.n),
    };
  }

  async connectedAmong(tenantId: string, userId: string, others: string[]): Promise<Set<string>> {
    if (others.length === 0) return new Set();
    const wanted = new Set(others);
    const rows = this.q(NEIGHBOURS_SQLITE).all(tenantId, userId, tenantId, userId) as Row[];
    return new Set(rows.map((r) => String(r.other)).filter((o) => wanted.has(o)));
  }

  async blockedAmong(tenantId: string, userId: string, others: string[]): Promise<Set<string>> {
    if (others.length === 0) return new Set();
    const wanted = new Set(others);
    const rows = this.q(`SELECT blocked_id AS other FROM blocks WHERE tenant_id = ? AND blocker_id = ?
      UNION SELECT blocker_id AS other FROM blocks INDEXED BY blocks_blocked WHERE tenant_id = ? AND blocked_id = ?`).all(
      tenantId,
      userId,
      tenantId,
      userId,
    ) as Row[];
    return new Set(rows.map((r) => String(r.other)).filter((o) => wanted.has(o)));
  }

  async listConnections(tenantId: string, userId: string, limit: number): Promise<string[]> {
    return (
      this.q(`${NEIGHBOURS_SQLITE} ORDER BY other LIMIT ?`).all(tenantId, userId, tenantId, userId, limit) as Row[]
    ).map((r) => String(r.other));
  }

  // Cases --------------------------------------------------------------------------------------

  async getCase(tenantId: string, caseId: string): Promise<CaseRecord | null> {
    const r = this.q('SELECT * FROM cases WHERE tenant_id = ? AND id = ?').get(tenantId, caseId) as Row | undefined;
    return r ? mapCase(r) : null;
  }

  async findActiveCaseForAccused(tenantId: string, accusedId: string): Promise<CaseRecord | null> {
    const r = this.q(
      "SELECT * FROM cases WHERE tenant_id = ? AND accused_id = ? AND status IN ('open', 'in_review', 'escalated') ORDER BY updated_at DESC LIMIT 1",
    ).get(tenantId, accusedId) as Row | undefined;
    return r ? mapCase(r) : null;
  }

  async listCases(tenantId: string, query: CaseListQuery): Promise<CaseRecord[]> {
    const where = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.accusedId) {
      where.push('accused_id = ?');
      params.push(query.accusedId);
    }
    if (query.before) {
      where.push('(updated_at < ? OR (updated_at = ? AND id < ?))');
      params.push(query.before.updatedAt, query.before.updatedAt, query.before.id);
    }
    params.push(query.limit);
    const rows = this.db
      .prepare(`SELECT * FROM cases WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT ?`)
      .all(...params) as Row[];
    return rows.map(mapCase);
  }

  async caseHistory(tenantId: string, caseId: string): Promise<CaseHistoryEntry[]> {
    return (
      this.q('SELECT * FROM case_history WHERE tenant_id = ? AND case_id = ? ORDER BY seq').all(
        tenantId,
        caseId,
      ) as Row[]
    ).map(mapHistory);
  }

  async saveCase(tenantId: string, input: SaveCaseInput): Promise<void> {
    if (this.writer) return this.writer.call('saveCase', [tenantId, input]);
    const c = input.caseRecord;
    this.db
      .transaction(() => {
        if (input.expectedVersion === undefined) {
          this.q(`INSERT INTO cases (tenant_id, id, accused_id, status, level, score, conversation_ids, evidence, opened_at, updated_at, version)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
            tenantId,
            c.id,
            c.accusedId,
            c.status,
            c.level,
            c.score,
            JSON.stringify(c.conversationIds),
            JSON.stringify(c.evidence),
            c.openedAt,
            c.updatedAt,
            c.version,
          );
        } else {
          const info =
            this.q(`UPDATE cases SET status = ?, level = ?, score = ?, conversation_ids = ?, evidence = ?, updated_at = ?, version = ?
          WHERE tenant_id = ? AND id = ? AND version = ?`).run(
              c.status,
              c.level,
              c.score,
              JSON.stringify(c.conversationIds),
              JSON.stringify(c.evidence),
              c.updatedAt,
              c.version,
              tenantId,
              c.id,
              input.expectedVersion,
            );
          if (info.changes === 0)
            throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
        }
        const link = this.q(
          'INSERT INTO case_conversations (tenant_id, conversation_id, case_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        );
        for (const conversationId of c.conversationIds) link.run(tenantId, conversationId, c.id);
        const h = input.history;
        if (h) {
          this.q(
            'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note);
        }
        const alert = this.q(
          'INSERT INTO case_alerts (tenant_id, alert_key, case_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        );
        for (const key of input.alertKeys ?? []) alert.run(tenantId, key, c.id);
        for (const event of input.notify ?? []) this.enqueueSync(tenantId, event, c.updatedAt);
        this.q(REFRESH_QUEUE_SQL).run(...refreshQueueParams(tenantId, c)); // console-server: the queue's order
      })
      .immediate();
  }

  async hasAlertKey(tenantId: string, alertKey: string): Promise<boolean> {
    return (
      this.q('SELECT 1 FROM case_alerts WHERE tenant_id = ? AND alert_key = ?').get(tenantId, alertKey) !== undefined
    );
  }

  // Webhooks -----------------------------------------------------------------------------------

  async createWebhook(endpoint: Omit<WebhookEndpoint, 'createdAt'> & { createdAt?: number }): Promise<WebhookEndpoint> {
    if (this.writer) return this.writer.call('createWebhook', [endpoint]);
    const record: WebhookEndpoint = { ...endpoint, createdAt: endpoint.createdAt ?? Date.now() };
    this.q(
      'INSERT INTO webhook_endpoints (id, tenant_id, url, secret, events, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      record.id,
      record.tenantId,
      record.url,
      record.secret,
      JSON.stringify(record.events),
      record.enabled ? 1 : 0,
      record.createdAt,
    );
    return record;
  }

  async listWebhooks(tenantId: string): Promise<WebhookEndpoint[]> {
    return (
      this.q('SELECT * FROM webhook_endpoints WHERE tenant_id = ? ORDER BY created_at, id').all(tenantId) as Row[]
    ).map(mapWebhook);
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    if (this.writer) return this.writer.call('deleteWebhook', [tenantId, id]);
    return this.db
      .transaction(() => {
        const deleted =
          this.q('DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
        if (deleted) {
          this.q(
            "UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL, last_error = 'endpoint deleted' WHERE tenant_id = ? AND endpoint_id = ? AND status IN ('pending', 'failing')",
          ).run(tenantId, id);
        }
        return deleted;
      })
      .immediate();
  }

  async enqueueWebhookEvent(tenantId: string, event: WebhookEventInput, at: number): Promise<number> {
    if (this.writer) return this.writer.call('enqueueWebhookEvent', [tenantId, event, at]);
    return this.db.transaction(() => this.enqueueSync(tenantId, event, at)).immediate();
  }

  private enqueueSync(tenantId: string, event: WebhookEventInput, at: number): number {
    const endpoints = (
      this.q('SELECT * FROM webhook_endpoints WHERE tenant_id = ? AND enabled = 1').all(tenantId) as Row[]
    ).map(mapWebhook);
    const insert =
      this.q(`INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`);
    let n = 0;
    const payload = JSON.stringify(event.payload);
    for (const endpoint of endpoints) {
      if (!webhookSubscribed(endpoint.events, event.type)) continue;
      insert.run(newId('dlv'), tenantId, endpoint.id, event.type, payload, at, at);
      n++;
    }
    return n;
  }

  async claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (this.writer) return this.writer.call('claimDueDeliveries', [now, limit, leaseMs]);
    return this.db
      .transaction(() => {
        const rows =
          this.q(`SELECT d.*, e.url, e.secret FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.tenant_id = d.tenant_id
        WHERE d.status IN ('pending', 'failing') AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`).all(
            now,
            limit,
          ) as Row[];
        const lease = this.q('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?');
        for (const r of rows) lease.run(now + leaseMs, r.id);
        return rows.map((r) => ({
          ...mapDelivery(r),
          nextAttemptAt: now + leaseMs,
          url: String(r.url),
          secret: String(r.secret),
        }));
      })
      .immediate();
  }

  async recordDeliveryOutcome(deliveryId: string, o: DeliveryOutcome): Promise<void> {
    if (this.writer) return this.writer.call('recordDeliveryOutcome', [deliveryId, o]);
    if (o.ok) {
      this.q(
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at = NULL, last_status_code = ?, last_error = NULL, delivered_at = ? WHERE id = ?",
      ).run(o.statusCode, o.at, deliveryId);
    } else {
      this.q(
        'UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_status_code = ?, last_error = ? WHERE id = ?',
      ).run(o.nextAttemptAt === null ? 'dead' : 'failing', o.nextAttemptAt, o.statusCode, o.error, deliveryId);
    }
  }

  async listDeliveries(
    tenantId: string,
    query: { status?: DeliveryStatus; limit: number },
  ): Promise<WebhookDelivery[]> {
    const rows = query.status
      ? this.q(
          'SELECT * FROM webhook_deliveries WHERE tenant_id = ? AND status = ? ORDER BY created_at DESC, id DESC LIMIT ?',
        ).all(tenantId, query.status, query.limit)
      : this.q('SELECT * FROM webhook_deliveries WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(
          tenantId,
          query.limit,
        );
    return (rows as Row[]).map(mapDelivery);
  }

  // Snapshots and retention ----------------------------------------------------------------------

  async saveSnapshot(tenantId: string, s: EngineSnapshotRecord): Promise<void> {
    if (this.writer) return this.writer.call('saveSnapshot', [tenantId, s]);
    this.db
      .transaction(() => {
        this.q('INSERT OR REPLACE INTO engine_snapshots (tenant_id, seq, created_at, data) VALUES (?, ?, ?, ?)').run(
          tenantId,
          s.seq,
          s.createdAt,
          s.data,
        );
        // Keep only the newest (see Storage.saveSnapshot).
        this.q('DELETE FROM engine_snapshots WHERE tenant_id = ? AND seq < ?').run(tenantId, s.seq);
      })
      .immediate();
  }

  async latestSnapshot(tenantId: string): Promise<EngineSnapshotRecord | null> {
    const r = this.q('SELECT * FROM engine_snapshots WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1').get(tenantId) as
      | Row
      | undefined;
    return r ? { seq: Number(r.seq), createdAt: Number(r.created_at), data: String(r.data) } : null;
  }

  async heldConversationIds(tenantId: string): Promise<string[]> {
    return (this.q(`SELECT DISTINCT conversation_id FROM (${HELD_CONVERSATIONS_SQL})`).all(tenantId) as Row[]).map(
      (r) => String(r.conversation_id),
    );
  }

  async purgeMessageText(tenantId: string, olderThan: number, maxSeq: number, at: number): Promise<PurgeResult> {
    if (this.writer) return this.writer.call('purgeMessageText', [tenantId, olderThan, maxSeq, at]);
    const info = this.q(`UPDATE events SET text = NULL, text_purged_at = ?
      WHERE tenant_id = ? AND type = 'message' AND text IS NOT NULL AND time_ms < ? AND seq <= ?
        AND conversation_id NOT IN (${HELD_CONVERSATIONS_SQL})`).run(at, tenantId, olderThan, maxSeq, tenantId);
    return { messagesPurged: info.changes };
  }

  async purgeDismissedCaseEvidence(
    tenantId: string,
    dismissedBefore: number,
    at: number,
    limit: number,
  ): Promise<CaseEvidencePurgeResult> {
    if (this.writer) return this.writer.call('purgeDismissedCaseEvidence', [tenantId, dismissedBefore, at, limit]);
    return this.db
      .transaction(() => {
        const total: CaseEvidencePurgeResult = { casesPurged: 0, messageTexts: 0, excerpts: 0, attachments: 0 };
        for (const r of this.q(DISMISSED_DUE_SQL).all(tenantId, dismissedBefore, at, limit) as Row[]) {
          const id = String(r.id);
          const dismissedAt = Number(r.dismissed_at);
          const { evidence, counts } = purgeEvidenceContent(JSON.parse(String(r.evidence)), at);
          if (this.q(APPLY_PURGE_SQL).run(JSON.stringify(evidence), at, tenantId, id, Number(r.version)).changes === 0)
            continue;
          this.q(
            'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(
            tenantId,
            id,
            at,
            RETENTION_ACTOR,
            'updated',
            'dismissed',
            'dismissed',
            purgeHistoryNote(counts, dismissedAt),
          );
          this.q(PURGE_PACKAGES_SQL).run(at, tenantId, id); // issue 11: frozen copies go too (digests stay)
          this.appendAuditSync(tenantId, purgeAuditEntry(id, counts, dismissedAt, dismissedBefore, at));
          addCounts(total, counts);
        }
        return total;
      })
      .immediate();
  }

  // Hash banks -----------------------------------------------------------------------------------

  async upsertBank(
    bank: Omit<HashBankRecord, 'createdAt' | 'updatedAt'> & { createdAt?: number },
  ): Promise<HashBankRecord> {
    if (this.writer) return this.writer.call('upsertBank', [bank]);
    const now = Date.now();
    this.q(`INSERT INTO banks (tenant_id, name, enabled, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (tenant_id, name) DO UPDATE SET enabled = excluded.enabled, source = excluded.source, updated_at = excluded.updated_at`).run(
      bank.tenantId,
      bank.name,
      bank.enabled ? 1 : 0,
      bank.source,
      bank.createdAt ?? now,
      now,
    );
    return (await this.getBank(bank.tenantId, bank.name))!;
  }

  async getBank(tenantId: string, name: string): Promise<HashBankRecord | null> {
    const r = this.q('SELECT * FROM banks WHERE tenant_id = ? AND name = ?').get(tenantId, name) as Row | undefined;
    return r ? mapBank(r) : null;
  }

  async listBanks(tenantId: string): Promise<HashBankRecord[]> {
    return (this.q('SELECT * FROM banks WHERE tenant_id = ? ORDER BY name').all(tenantId) as Row[]).map(mapBank);
  }

  async deleteBank(tenantId: string, name: string): Promise<boolean> {
    if (this.writer) return this.writer.call('deleteBank', [tenantId, name]);
    return this.db
      .transaction(() => {
        this.q('DELETE FROM bank_hashes WHERE tenant_id = ? AND bank = ?').run(tenantId, name);
        return this.q('DELETE FROM banks WHERE tenant_id = ? AND name = ?').run(tenantId, name).changes > 0;
      })
      .immediate();
  }

  async addBankHashes(tenantId: string, bank: string, hashes: Omit<BankHashRecord, 'bank'>[]): Promise<number> {
    if (this.writer) return this.writer.call('addBankHashes', [tenantId, bank, hashes]);
    const insert = this.q(
      'INSERT INTO bank_hashes (tenant_id, bank, kind, hash, metadata) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    return this.db
      .transaction(() => {
        let added = 0;
        for (const h of hashes)
          added += insert.run(
            tenantId,
            bank,
            h.kind,
            h.hash.toLowerCase(),
            h.metadata == null ? null : JSON.stringify(h.metadata),
          ).changes;
        if (added > 0)
          this.q('UPDATE banks SET updated_at = ? WHERE tenant_id = ? AND name = ?').run(Date.now(), tenantId, bank);
        return added;
      })
      .immediate();
  }

  async removeBankHash(tenantId: string, bank: string, kind: HashKind, hash: string): Promise<boolean> {
    if (this.writer) return this.writer.call('removeBankHash', [tenantId, bank, kind, hash]);
    return this.db
      .transaction(() => {
        const removed =
          this.q('DELETE FROM bank_hashes WHERE tenant_id = ? AND bank = ? AND kind = ? AND hash = ?').run(
            tenantId,
            bank,
            kind,
            hash.toLowerCase(),
          ).changes > 0;
        if (removed)
          this.q('UPDATE banks SET updated_at = ? WHERE tenant_id = ? AND name = ?').run(Date.now(), tenantId, bank);
        return removed;
      })
      .immediate();
  }

  async listBankHashes(tenantId: string, query: BankHashQuery): Promise<BankHashRecord[]> {
    const where = ['h.tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (query.kind) {
      where.push('h.kind = ?');
      params.push(query.kind);
    }
    if (query.bank) {
      where.push('h.bank = ?');
      params.push(query.bank);
    }
    if (query.enabledOnly) where.push('b.enabled = 1');
    if (query.after) {
      where.push('(h.kind > ? OR (h.kind = ? AND h.hash > ?))');
      params.push(query.after.kind, query.after.kind, query.after.hash);
    }
    params.push(query.limit ?? -1);
    const rows = this.db
      .prepare(`SELECT h.* FROM bank_hashes h JOIN banks b ON b.tenant_id = h.tenant_id AND b.name = h.bank
      WHERE ${where.join(' AND ')} ORDER BY h.bank, h.kind, h.hash LIMIT ?`)
      .all(...params) as Row[];
    return rows.map(mapBankHash);
  }

  async findBankHash(tenantId: string, kind: HashKind, hash: string): Promise<BankHashRecord[]> {
    return (
      this.q('SELECT * FROM bank_hashes WHERE tenant_id = ? AND kind = ? AND hash = ? ORDER BY bank').all(
        tenantId,
        kind,
        hash.toLowerCase(),
      ) as Row[]
    ).map(mapBankHash);
  }

  // Moderator console (helper "console-server"; migration 5) ----------------------------------

  async createStaffUser(u: NewStaffUser): Promise<StaffUser> {
    if (this.writer) return this.writer.call('createStaffUser', [u]);
    const id = newId('staff');
    const email = u.email.trim().toLowerCase();
    try {
      this.q(`INSERT INTO staff_users (id, tenant_id, email, name, role, password_hash, disabled, failed_signins, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`).run(id, u.tenantId, email, u.name, u.role, u.passwordHash, u.at, u.at);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ConflictError(`this tenant already has a staff account with email ${email}`);
      throw err;
    }
    return {
      id,
      tenantId: u.tenantId,
      email,
      name: u.name,
      role: u.role,
      disabled: false,
      createdAt: u.at,
      updatedAt: u.at,
    };
  }

  async staffCredentials(tenantId: string, email: string): Promise<StaffCredentials | null> {
    const r = this.q('SELECT * FROM staff_users WHERE tenant_id = ? AND email = ?').get(
      tenantId,
      email.trim().toLowerCase(),
    ) as Row | undefined;
    return r ? mapStaffCredentials(r) : null;
  }

  async getStaffUser(tenantId: string, userId: string): Promise<StaffUser | null> {
    const r = this.q('SELECT * FROM staff_users WHERE tenant_id = ? AND id = ?').get(tenantId, userId) as
      | Row
      | undefined;
    return r ? mapStaffUser(r) : null;
  }

  async listStaffUsers(tenantId: string): Promise<StaffUser[]> {
    return (this.q('SELECT * FROM staff_users WHERE tenant_id = ? ORDER BY email').all(tenantId) as Row[]).map(
      mapStaffUser,
    );
  }

  async updateStaffUser(
    tenantId: string,
    userId: string,
    patch: StaffUserPatch,
    at: number,
  ): Promise<StaffUser | null> {
    if (this.writer) return this.writer.call('updateStaffUser', [tenantId, userId, patch, at]);
    return this.db
      .transaction(() => {
        const current = this.q('SELECT * FROM staff_users WHERE tenant_id = ? AND id = ?').get(tenantId, userId) as
          | Row
          | undefined;
        if (!current) return null;
        const next = mapStaffCredentials(current);
        this.q(
          'UPDATE staff_users SET name = ?, role = ?, disabled = ?, password_hash = ?, updated_at = ? WHERE id = ?',
        ).run(
          patch.name ?? next.name,
          patch.role ?? next.role,
          (patch.disabled ?? next.disabled) ? 1 : 0,
          patch.passwordHash ?? next.passwordHash,
          at,
          userId,
        );
        if (patch.disabled || patch.passwordHash) this.q('DELETE FROM staff_sessions WHERE user_id = ?').run(userId);
        return mapStaffUser(this.q('SELECT * FROM staff_users WHERE id = ?').get(userId) as Row);
      })
      .immediate();
  }

  async recordSignin(
    userId: string,
    ok: boolean,
    at: number,
    lock: { maxFailures: number; lockMs: number },
  ): Promise<number | null> {
    if (this.writer) return this.writer.call('recordSignin', [userId, ok, at, lock]);
    if (ok) {
      this.q('UPDATE staff_users SET failed_signins = 0, locked_until = NULL WHERE id = ?').run(userId);
      return null;
    }
    const r = this.q(`UPDATE staff_users SET failed_signins = failed_signins + 1,
        locked_until = CASE WHEN failed_signins + 1 >= ? THEN ? ELSE locked_until END
      WHERE id = ? RETURNING locked_until`).get(lock.maxFailures, at + lock.lockMs, userId) as Row | undefined;
    return r?.locked_until == null ? null : Number(r.locked_until);
  }

  async createStaffSession(s: StaffSessionRecord): Promise<void> {
    if (this.writer) return this.writer.call('createStaffSession', [s]);
    this.q(
      'INSERT INTO staff_sessions (token_hash, user_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(s.tokenHash, s.userId, s.tenantId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  async findStaffSession(tokenHash: string): Promise<{ session: StaffSessionRecord; user: StaffUser } | null> {
    const r = this.q(SESSION_WITH_USER_SQL).get(tokenHash) as Row | undefined;
    return r ? mapSessionWithUser(r) : null;
  }

  async touchStaffSession(tokenHash: string, at: number): Promise<void> {
    if (this.writer) return this.writer.call('touchStaffSession', [tokenHash, at]);
    this.q('UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?').run(
      at,
      tokenHash,
      at,
    );
  }

  async deleteStaffSession(tokenHash: string): Promise<boolean> {
    if (this.writer) return this.writer.call('deleteStaffSession', [tokenHash]);
    return this.q('DELETE FROM staff_sessions WHERE token_hash = ?').run(tokenHash).changes > 0;
  }

  async queueCases(tenantId: string, query: QueueQuery): Promise<QueuePage> {
    const { sql, params } = queueSql(tenantId, query);
    const rows = this.q(sql).all(...params) as Row[];
    return { cases: rows.map(mapQueueCase), lastKey: rows.length ? Number(rows[rows.length - 1]!.queue_key) : null };
  }

  async queueCounts(
    tenantId: string,
    userId: string,
    now: number,
    onlyMine = false,
  ): Promise<{ open: number; mine: number; escalated: number; appeals: number }> {
    const counts = { open: 0, mine: 0, escalated: 0, appeals: 0 };
    if (!onlyMine)
      for (const r of this.q(
        "SELECT queue, count(*) AS n FROM cases WHERE tenant_id = ? AND queue IN ('open', 'appeals', 'escalated') GROUP BY queue",
      ).all(tenantId) as Row[]) {
        counts[String(r.queue) as 'open'] = Number(r.n);
      }
    counts.mine = Number(
      (
        this.q(
          "SELECT count(*) AS n FROM cases WHERE tenant_id = ? AND claimed_by = ? AND claim_expires_at > ? AND queue <> 'closed'",
        ).get(tenantId, userId, now) as Row
      ).n,
    );
    return counts;
  }

  async getQueueCase(tenantId: string, caseId: string): Promise<QueueCase | null> {
    const r = this.q(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = ? AND id = ?`).get(tenantId, caseId) as
      | Row
      | undefined;
    return r ? mapQueueCase(r) : null;
  }

  async claimCase(
    tenantId: string,
    caseId: string,
    claimant: { id: string; name: string },
    now: number,
    until: number,
  ): Promise<ClaimOutcome> {
    if (this.writer) return this.writer.call('claimCase', [tenantId, caseId, claimant, now, until]);
    return this.db
      .transaction((): ClaimOutcome => {
        const changed = this.q(`UPDATE cases SET claimed_by = ?, claimed_name = ?, claim_expires_at = ?
        WHERE tenant_id = ? AND id = ? AND queue <> 'closed' AND ${CLAIMABLE}`).run(
          claimant.id,
          claimant.name,
          until,
          tenantId,
          caseId,
          now,
          claimant.id,
          claimant.id,
        ).changes;
        if (changed) return { outcome: 'claimed', until };
        return claimRefusal(
          this.q(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = ? AND id = ?`).get(tenantId, caseId) as
            | Row
            | undefined,
          claimant.id,
        );
      })
      .immediate();
  }

  async releaseClaim(tenantId: string, caseId: string, userId: string): Promise<boolean> {
    if (this.writer) return this.writer.call('releaseClaim', [tenantId, caseId, userId]);
    return (
      this.q(
        'UPDATE cases SET claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL WHERE tenant_id = ? AND id = ? AND claimed_by = ?',
      ).run(tenantId, caseId, userId).changes > 0
    );
  }

  async decideCase(tenantId: string, input: CaseDecisionInput): Promise<AuditEntry> {
    if (this.writer) return this.writer.call('decideCase', [tenantId, input]);
    const c = input.caseRecord;
    return this.db
      .transaction(() => {
        const row = this.q('SELECT claimed_by, claim_expires_at FROM cases WHERE tenant_id = ? AND id = ?').get(
          tenantId,
          c.id,
        ) as Row | undefined;
        if (!row) throw new NotFoundError(`no case ${c.id}`);
        if (row.claimed_by !== input.decidedBy || Number(row.claim_expires_at) <= input.now) throw notClaimed(c.id);
        const info =
          this.q(`UPDATE cases SET status = ?, level = ?, score = ?, updated_at = ?, version = ?, claimed_by = NULL, claimed_name = NULL,
          claim_expires_at = NULL, appeal = 0, excluded_reviewer = NULL, decided_by = ?
        WHERE tenant_id = ? AND id = ? AND version = ?`).run(
            c.status,
            c.level,
            c.score,
            c.updatedAt,
            c.version,
            input.decidedBy,
            tenantId,
            c.id,
            input.expectedVersion,
          );
        if (info.changes === 0) throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
        this.q(REFRESH_QUEUE_SQL).run(...refreshQueueParams(tenantId, c));
        this.consoleCaseSideEffects(tenantId, c, input.history, input.notify);
        if (input.action) {
          const a = input.action;
          this.q(INSERT_ACTION_SQL).run(
            newId('act'),
            tenantId,
            a.accountId,
            a.caseId,
            a.action,
            a.reason,
            a.durationHours,
            a.decidedBy,
            a.decidedByName,
            a.at,
          );
        }
        return this.appendAuditSync(tenantId, input.audit);
      })
      .immediate();
  }

  async appealCase(tenantId: string, input: CaseAppealInput): Promise<AuditEntry> {
    if (this.writer) return this.writer.call('appealCase', [tenantId, input]);
    const c = input.caseRecord;
    return this.db
      .transaction(() => {
        const info =
          this.q(`UPDATE cases SET status = ?, updated_at = ?, version = ?, appeal = 1, excluded_reviewer = decided_by, waiting_since = ?,
          claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL
        WHERE tenant_id = ? AND id = ? AND version = ?`).run(
            c.status,
            c.updatedAt,
            c.version,
            c.updatedAt,
            tenantId,
            c.id,
            input.expectedVersion,
          );
        if (info.changes === 0) throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
        this.q(REFRESH_QUEUE_SQL).run(...refreshQueueParams(tenantId, c));
        this.consoleCaseSideEffects(tenantId, c, input.history, input.notify);
        return this.appendAuditSync(tenantId, input.audit);
      })
      .immediate();
  }

  private consoleCaseSideEffects(
    tenantId: string,
    c: CaseRecord,
    h: Omit<CaseHistoryEntry, 'caseId'>,
    notify: WebhookEventInput[],
  ): void {
    this.q(
      'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note);
    for (const event of notify) this.enqueueSync(tenantId, event, c.updatedAt);
  }

  async enforcementActions(tenantId: string, accountIds: string[]): Promise<EnforcementActionRecord[]> {
    if (accountIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM enforcement_actions WHERE tenant_id = ? AND account_id IN (${accountIds.map(() => '?').join(',')}) ORDER BY at, id`,
      )
      .all(tenantId, ...accountIds) as Row[];
    return rows.map(mapAction);
  }

  async appendAudit(tenantId: string, entry: NewAuditEntry): Promise<AuditEntry> {
    if (this.writer) return this.writer.call('appendAudit', [tenantId, entry]);
    return this.db.transaction(() => this.appendAuditSync(tenantId, entry)).immediate();
  }

  private appendAuditSync(tenantId: string, entry: NewAuditEntry): AuditEntry {
    const head = this.q('SELECT seq, hash FROM audit_heads WHERE tenant_id = ?').get(tenantId) as Row | undefined;
    const seq = head ? Number(head.seq) + 1 : 1;
    const prevHash = head ? String(head.hash) : AUDIT_GENESIS;
    const hash = auditHash(prevHash, tenantId, seq, entry);
    this.q(INSERT_AUDIT_SQL).run(
      tenantId,
      seq,
      entry.at,
      auditActorId(entry),
      JSON.stringify(entry.actor),
      entry.action,
      entry.caseId,
      entry.targetId,
      JSON.stringify(entry.details),
      prevHash,
      hash,
    );
    this.q(
      'INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    ).run(tenantId, seq, hash);
    return { ...entry, seq, prevHash, hash };
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<AuditEntry[]> {
    const { sql, params } = auditListSql(tenantId, query);
    return (this.q(sql).all(...params) as Row[]).map(mapAudit);
  }

  async readAudit(tenantId: string, afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (
      this.q('SELECT * FROM audit_log WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(
        tenantId,
        afterSeq,
        limit,
      ) as Row[]
    ).map(mapAudit);
  }
  // End of moderator console ------------------------------------------------------------------

  // Ban evasion (helper "ban-evasion"; migration 6) -------------------------------------------

  async identifierSecret(tenantId: string, candidate: string): Promise<string> {
    const found = this.q('SELECT secret FROM identifier_secrets WHERE tenant_id = ?').get(tenantId) as Row | undefined;
    if (found) return String(found.secret);
    if (this.writer) return this.writer.call('identifierSecret', [tenantId, candidate]);
    this.q(
      'INSERT INTO identifier_secrets (tenant_id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING',
    ).run(tenantId, candidate, Date.now());
    return String((this.q('SELECT secret FROM identifier_secrets WHERE tenant_id = ?').get(tenantId) as Row).secret);
  }

  async replaceAccountIdentifiers(
    tenantId: string,
    userId: string,
    kinds: readonly string[],
    identifiers: AccountIdentifier[],
    at: number,
  ): Promise<void> {
    if (this.writer) return this.writer.call('replaceAccountIdentifiers', [tenantId, userId, kinds, identifiers, at]);
    const remove = this.q('DELETE FROM account_identifiers WHERE tenant_id = ? AND user_id = ? AND kind = ?');
    const insert = this.q(
      'INSERT INTO account_identifiers (tenant_id, user_id, kind, value, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.db
      .transaction(() => {
        for (const kind of kinds) remove.run(tenantId, userId, kind);
        for (const i of identifiers) insert.run(tenantId, userId, i.kind, i.value, at);
      })
      .immediate();
  }

  async accountIdentifiers(tenantId: string, userId: string): Promise<AccountIdentifier[]> {
    return (
      this.q(
        'SELECT kind, value FROM account_identifiers WHERE tenant_id = ? AND user_id = ? ORDER BY kind, value',
      ).all(tenantId, userId) as Row[]
    ).map((r) => ({ kind: String(r.kind), value: String(r.value) }));
  }

  async findAccountsByIdentifiers(
    tenantId: string,
    identifiers: AccountIdentifier[],
    query: IdentifierMatchQuery,
  ): Promise<IdentifierMatch[]> {
    if (identifiers.length === 0 || query.limit <= 0) return [];
    const out: IdentifierMatch[] = [];
    // One index probe per wanted (kind, value), chunked under SQLite's bound-parameter limit. The join
    // order and index are spelled out: without statistics SQLite would walk the tenant's whole primary key.
    for (let i = 0; i < identifiers.length && out.length < query.limit; i += 200) {
      const chunk = identifiers.slice(i, i + 200);
      const params: unknown[] = [];
      for (const p of chunk) params.push(p.kind, p.value);
      params.push(tenantId);
      let where = '';
      if (query.excludeUserId !== undefined) {
        where += ' AND i.user_id <> ?';
        params.push(query.excludeUserId);
      }
      if (query.bannedFor) {
        if (query.bannedFor.length === 0) return [];
        where += ` AND EXISTS (SELECT 1 FROM account_bans b WHERE b.tenant_id = i.tenant_id AND b.user_id = i.user_id AND b.lifted_at IS NULL
          AND b.reason IN (${query.bannedFor.map(() => '?').join(',')}))`;
        params.push(...query.bannedFor);
      }
      params.push(query.limit - out.length);
      const rows = this.q(`WITH w(kind, value) AS (VALUES ${chunk.map(() => '(?, ?)').join(', ')})
        SELECT i.user_id, i.kind, i.value FROM w CROSS JOIN account_identifiers i INDEXED BY account_identifiers_lookup
          ON i.tenant_id = ? AND i.kind = w.kind AND i.value = w.value
        WHERE true${where} LIMIT ?`).all(...params) as Row[];
      for (const r of rows) out.push({ userId: String(r.user_id), kind: String(r.kind), value: String(r.value) });
    }
    return out;
  }

  async countAccountsWithIdentifier(
    tenantId: string,
    kind: string,
    value: string,
    cap: number,
    excludeUserId = '',
  ): Promise<number> {
    return Number(
      (
        this.q(`SELECT count(*) AS n FROM (SELECT 1 FROM account_identifiers INDEXED BY account_identifiers_lookup
      WHERE tenant_id = ? AND kind = ? AND value = ? AND user_id <> ? LIMIT ?)`).get(
          tenantId,
          kind,
          value,
          excludeUserId,
          cap,
        ) as Row
      ).n,
    );
  }

  async bannedAccountIdentifiers(
    tenantId: string,
    kind: string,
    reasons: readonly string[],
    limit: number,
  ): Promise<IdentifierMatch[]> {
    if (reasons.length === 0) return [];
    const rows = this.q(`SELECT DISTINCT i.user_id, i.kind, i.value FROM account_bans b
      CROSS JOIN account_identifiers i ON i.tenant_id = b.tenant_id AND i.user_id = b.user_id AND i.kind = ?
      WHERE b.tenant_id = ? AND b.lifted_at IS NULL AND b.reason IN (${reasons.map(() => '?').join(',')}) LIMIT ?`).all(
      kind,
      tenantId,
      ...reasons,
      limit,
    ) as Row[];
    return rows.map((r) => ({ userId: String(r.user_id), kind: String(r.kind), value: String(r.value) }));
  }

  async addAccountBan(tenantId: string, ban: NewAccountBan): Promise<AccountBanRecord> {
    if (this.writer) return this.writer.call('addAccountBan', [tenantId, ban]);
    const record: AccountBanRecord = { id: newId('ban'), ...ban, liftedAt: null, liftedBy: null, liftNote: null };
    this.q(
      'INSERT INTO account_bans (id, tenant_id, user_id, reason, case_id, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(record.id, tenantId, record.userId, record.reason, record.caseId, record.actor, record.at);
    return record;
  }

  async liftAccountBans(tenantId: string, userId: string, lift: BanLift): Promise<number> {
    if (this.writer) return this.writer.call('liftAccountBans', [tenantId, userId, lift]);
    return this.q(
      'UPDATE account_bans SET lifted_at = ?, lifted_by = ?, lift_note = ? WHERE tenant_id = ? AND user_id = ? AND lifted_at IS NULL',
    ).run(lift.at, lift.actor, lift.note, tenantId, userId).changes;
  }

  async accountBans(
    tenantId: string,
    userIds: string[],
    options: { activeOnly?: boolean } = {},
  ): Promise<AccountBanRecord[]> {
    const out: AccountBanRecord[] = [];
    for (let i = 0; i < userIds.length; i += 500) {
      const chunk = userIds.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT * FROM account_bans WHERE tenant_id = ? AND user_id IN (${chunk.map(() => '?').join(',')})${options.activeOnly ? ' AND lifted_at IS NULL' : ''}`,
        )
        .all(tenantId, ...chunk) as Row[];
      out.push(...rows.map(mapAccountBan));
    }
    return out.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  }
  // End of ban evasion ------------------------------------------------------------------------
  // Family Centre (helper "family-centre") ------------------------------------------------------

  /** Counts the accepted messages of teens with a pending or active family link (one lookup per batch). */
  private addMessageContacts(tenantId: string, messages: LifeguardEvent[]): void {
    if (messages.length === 0) return;
    const all = contactIncrements(messages);
    const users = [...new Set(all.map((c) => c.userId))];
    const linked = new Set<string>();
    for (let i = 0; i < users.length; i += 500) {
      const chunk = users.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT DISTINCT teen_id FROM family_links WHERE tenant_id = ? AND status IN ('pending', 'active') AND teen_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(tenantId, ...chunk) as Row[];
      for (const r of rows) linked.add(String(r.teen_id));
    }
    const increments: ContactIncrement[] = all.filter((c) => linked.has(c.userId));
    if (increments.length === 0) return;
    for (const [k, list] of bySlot(increments)) {
      // A newer day takes the slot over; the same day adds; an older one (8+ days back) is ignored.
      const upsert =
        this.q(`INSERT INTO message_contacts (tenant_id, user_id, other_id, last_at, d${k}, c${k}) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, user_id, other_id) DO UPDATE SET
          c${k} = CASE WHEN excluded.d${k} > d${k} THEN excluded.c${k} WHEN excluded.d${k} = d${k} THEN c${k} + excluded.c${k} ELSE c${k} END,
          d${k} = max(d${k}, excluded.d${k}), last_at = max(last_at, excluded.last_at)`);
      for (const c of list) upsert.run(tenantId, c.userId, c.otherId, c.lastAt, c.day, c.messages);
    }
  }

  async createFamilyLink(tenantId: string, link: Omit<FamilyLink, 'id'>): Promise<FamilyLink> {
    if (this.writer) return this.writer.call('createFamilyLink', [tenantId, link]);
    const record: FamilyLink = { id: newId('link'), ...link };
    try {
      this.q(`INSERT INTO family_links (tenant_id, id, parent_id, teen_id, status, basis, created_at, accepted_at, ended_at, ended_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        tenantId,
        record.id,
        record.parentId,
        record.teenId,
        record.status,
        record.basis,
        record.createdAt,
        record.acceptedAt,
        record.endedAt,
        record.endedBy,
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ConflictError(`a pending or active link between ${link.parentId} and ${link.teenId} already exists`);
      throw err;
    }
    return record;
  }

  async getFamilyLink(tenantId: string, linkId: string): Promise<FamilyLink | null> {
    const r = this.q('SELECT * FROM family_links WHERE tenant_id = ? AND id = ?').get(tenantId, linkId) as
      | Row
      | undefined;
    return r ? mapFamilyLink(r) : null;
  }

  async listFamilyLinks(tenantId: string, userId: string): Promise<FamilyLink[]> {
    return (
      this.q(`SELECT * FROM family_links WHERE tenant_id = ? AND parent_id = ?
      UNION ALL SELECT * FROM family_links WHERE tenant_id = ? AND teen_id = ? AND parent_id <> ?
      ORDER BY created_at DESC, id DESC`).all(tenantId, userId, tenantId, userId, userId) as Row[]
    ).map(mapFamilyLink);
  }

  async activeLinksForTeens(tenantId: string, teenIds: string[]): Promise<FamilyLink[]> {
    const out: FamilyLink[] = [];
    for (let i = 0; i < teenIds.length; i += 500) {
      const chunk = teenIds.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT * FROM family_links WHERE tenant_id = ? AND status = 'active' AND teen_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(tenantId, ...chunk) as Row[];
      out.push(...rows.map(mapFamilyLink));
    }
    return out;
  }

  async transitionFamilyLink(
    tenantId: string,
    linkId: string,
    from: readonly FamilyLinkStatus[],
    patch: { status: FamilyLinkStatus; at: number; by: string },
  ): Promise<FamilyLink | null> {
    if (this.writer) return this.writer.call('transitionFamilyLink', [tenantId, linkId, from, patch]);
    const c = transitionColumns(patch.status, patch.at, patch.by);
    const r = this.db
      .prepare(`UPDATE family_links SET status = ?, accepted_at = coalesce(?, accepted_at), ended_at = coalesce(?, ended_at), ended_by = coalesce(?, ended_by)
      WHERE tenant_id = ? AND id = ? AND status IN (${from.map(() => '?').join(',')}) RETURNING *`)
      .get(patch.status, c.acceptedAt, c.endedAt, c.endedBy, tenantId, linkId, ...from) as Row | undefined;
    return r ? mapFamilyLink(r) : null;
  }

  async messageContacts(tenantId: string, userId: string, since: number): Promise<MessageContact[]> {
    const day = Math.floor(since / DAY_MS);
    return (
      this.q(`SELECT other_id, last_at, ${windowSum('@day')} AS messages FROM message_contacts
      WHERE tenant_id = @tenantId AND user_id = @userId AND last_at >= @from ORDER BY last_at DESC, other_id`).all({
        tenantId,
        userId,
        day,
        from: day * DAY_MS,
      }) as Row[]
    ).map(mapMessageContact);
  }

  async messageContactsWith(tenantId: string, otherId: string, since: number): Promise<string[]> {
    return (
      this.q(
        'SELECT user_id FROM message_contacts WHERE tenant_id = ? AND other_id = ? AND last_at >= ? ORDER BY user_id',
      ).all(tenantId, otherId, Math.floor(since / DAY_MS) * DAY_MS) as Row[]
    ).map((r) => String(r.user_id));
  }

  async connectionsSince(tenantId: string, userId: string, limit: number): Promise<ConnectionSince[]> {
    return (
      this.q(`SELECT user_b AS other, changed_at FROM connections WHERE tenant_id = ? AND user_a = ? AND connected = 1
      UNION ALL SELECT user_a AS other, changed_at FROM connections INDEXED BY connections_b WHERE tenant_id = ? AND user_b = ? AND connected = 1
      ORDER BY changed_at DESC, other LIMIT ?`).all(tenantId, userId, tenantId, userId, limit) as Row[]
    ).map((r) => ({ userId: String(r.other), since: Number(r.changed_at) }));
  }

  async recordSafetyWarnings(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void> {
    if (this.writer) return this.writer.call('recordSafetyWarnings', [tenantId, warnings]);
    const insert = this.q(
      'INSERT INTO safety_warnings (tenant_id, user_id, at, kind, counterpart_id) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const w of warnings) insert.run(tenantId, w.userId, w.at, w.kind, w.counterpartId);
    })();
  }

  async safetyWarnings(tenantId: string, userId: string, since: number, limit: number): Promise<SafetyWarningRecord[]> {
    return (
      this.q(
        'SELECT * FROM safety_warnings WHERE tenant_id = ? AND user_id = ? AND at >= ? ORDER BY at DESC LIMIT ?',
      ).all(tenantId, userId, since, limit) as Row[]
    ).map(mapWarning);
  }

  async putAccountSettings(
    tenantId: string,
    userId: string,
    settings: Record<string, unknown>,
    at: number,
  ): Promise<Record<string, unknown> | null> {
    if (this.writer) return this.writer.call('putAccountSettings', [tenantId, userId, settings, at]);
    return this.db
      .transaction(() => {
        const previous = this.q('SELECT settings FROM account_settings WHERE tenant_id = ? AND user_id = ?').get(
          tenantId,
          userId,
        ) as Row | undefined;
        this.q(`INSERT INTO account_settings (tenant_id, user_id, settings, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`).run(
          tenantId,
          userId,
          JSON.stringify(settings),
          at,
        );
        return previous ? (JSON.parse(String(previous.settings)) as Record<string, unknown>) : null;
      })
      .immediate();
  }

  async accountSettings(
    tenantId: string,
    userId: string,
  ): Promise<{ settings: Record<string, unknown>; updatedAt: number } | null> {
    const r = this.q('SELECT settings, updated_at FROM account_settings WHERE tenant_id = ? AND user_id = ?').get(
      tenantId,
      userId,
    ) as Row | undefined;
    return r
      ? { settings: JSON.parse(String(r.settings)) as Record<string, unknown>, updatedAt: Number(r.updated_at) }
      : null;
  }

  async pruneFamilyMetadata(tenantId: string, before: number): Promise<FamilyPruneResult> {
    if (this.writer) return this.writer.call('pruneFamilyMetadata', [tenantId, before]);
    return this.db
      .transaction(() => ({
        // A day is removed once all of it is older than `before`.
        contactPairs: this.q('DELETE FROM message_contacts WHERE tenant_id = ? AND last_at < ?').run(
          tenantId,
          Math.floor(before / DAY_MS) * DAY_MS,
        ).changes,
        warnings: this.q('DELETE FROM safety_warnings WHERE tenant_id = ? AND at < ?').run(tenantId, before).changes,
      }))
      .immediate();
  }
  // End of Family Centre ------------------------------------------------------------------------

  // Reports and evidence (issue 11; migration 10) -----------------------------------------------

  async freezeEvidence(tenantId: string, input: NewEvidencePackage): Promise<EvidencePackageRecord> {
    if (this.writer) return this.writer.call('freezeEvidence', [tenantId, input]);
    return this.db
      .transaction(() => {
        const version = Number((this.q(NEXT_PACKAGE_VERSION_SQL).get(tenantId, input.caseId) as Row).v);
        const entry = this.appendAuditSync(tenantId, freezeAudit(input, version));
        this.q(INSERT_PACKAGE_SQL).run(
          tenantId,
          input.caseId,
          version,
          input.createdAt,
          input.reason,
          input.package,
          input.digest,
          input.signature,
          input.keyId,
          entry.seq,
        );
        return {
          tenantId,
          caseId: input.caseId,
          version,
          createdAt: input.createdAt,
          reason: input.reason,
          package: input.package,
          digest: input.digest,
          signature: input.signature,
          keyId: input.keyId,
          auditSeq: entry.seq,
          purgedAt: null,
        };
      })
      .immediate();
  }

  async evidencePackages(tenantId: string, caseId: string): Promise<EvidencePackageRecord[]> {
    return (
      this.q('SELECT * FROM evidence_packages WHERE tenant_id = ? AND case_id = ? ORDER BY version').all(
        tenantId,
        caseId,
      ) as Row[]
    ).map(mapPackage);
  }

  async readEvidencePackages(
    tenantId: string,
    after: { caseId: string; version: number } | null,
    limit: number,
  ): Promise<EvidencePackageRecord[]> {
    const rows = after
      ? this.q(
          'SELECT * FROM evidence_packages WHERE tenant_id = ? AND (case_id > ? OR (case_id = ? AND version > ?)) ORDER BY case_id, version LIMIT ?',
        ).all(tenantId, after.caseId, after.caseId, after.version, limit)
      : this.q('SELECT * FROM evidence_packages WHERE tenant_id = ? ORDER BY case_id, version LIMIT ?').all(
          tenantId,
          limit,
        );
    return (rows as Row[]).map(mapPackage);
  }

  async placeLegalHold(tenantId: string, hold: NewLegalHold, audit: NewAuditEntry): Promise<LegalHold> {
    if (this.writer) return this.writer.call('placeLegalHold', [tenantId, hold, audit]);
    return this.db.transaction(() => this.placeHoldSync(tenantId, hold, audit)).immediate();
  }

  private placeHoldSync(tenantId: string, hold: NewLegalHold, audit: NewAuditEntry): LegalHold {
    const record: LegalHold = { id: newId('hold'), tenantId, ...hold };
    this.q(INSERT_HOLD_SQL).run(
      record.id,
      tenantId,
      hold.caseId,
      hold.reason,
      hold.placedBy,
      hold.placedAt,
      hold.until,
    );
    this.appendAuditSync(tenantId, { ...audit, targetId: record.id });
    return record;
  }

  async legalHolds(tenantId: string, caseId: string): Promise<LegalHold[]> {
    return (
      this.q('SELECT * FROM legal_holds WHERE tenant_id = ? AND case_id = ? ORDER BY placed_at, id').all(
        tenantId,
        caseId,
      ) as Row[]
    ).map(mapHold);
  }

  async createAuthorityReport(tenantId: string, report: AuthorityReportRecord, audit: NewAuditEntry): Promise<void> {
    if (this.writer) return this.writer.call('createAuthorityReport', [tenantId, report, audit]);
    this.db
      .transaction(() => {
        this.q(INSERT_REPORT_SQL).run(...reportParams(tenantId, report));
        this.appendAuditSync(tenantId, audit);
      })
      .immediate();
  }

  async getAuthorityReport(tenantId: string, id: string): Promise<AuthorityReportRecord | null> {
    const r = this.q('SELECT * FROM authority_reports WHERE tenant_id = ? AND id = ?').get(tenantId, id) as
      | Row
      | undefined;
    return r ? mapAuthorityReport(r) : null;
  }

  async listAuthorityReports(tenantId: string, query: AuthorityReportQuery): Promise<AuthorityReportRecord[]> {
    const { sql, params } = reportListSql(tenantId, query);
    return (this.q(sql).all(...params) as Row[]).map(mapAuthorityReport);
  }

  async updateAuthorityReport(
    tenantId: string,
    id: string,
    update: AuthorityReportUpdate,
  ): Promise<AuthorityReportRecord> {
    if (this.writer) return this.writer.call('updateAuthorityReport', [tenantId, id, update]);
    return this.db
      .transaction(() => {
        const { sql, params } = reportPatchSql(tenantId, id, update.patch, update.fromStatuses);
        if (this.db.prepare(sql).run(...params).changes === 0) {
          const found = this.q('SELECT status FROM authority_reports WHERE tenant_id = ? AND id = ?').get(
            tenantId,
            id,
          ) as Row | undefined;
          if (!found) throw new NotFoundError(`no report ${id}`);
          throw new ConflictError(`report ${id} is ${String(found.status)}, not ${update.fromStatuses?.join(' or ')}`);
        }
        if (update.audit) this.appendAuditSync(tenantId, update.audit);
        if (update.hold)
          this.placeHoldSync(tenantId, update.hold, {
            at: update.hold.placedAt,
            actor: { system: 'reporting' },
            action: HOLD_ACTION,
            caseId: update.hold.caseId,
            targetId: null,
            details: { reason: update.hold.reason, until: update.hold.until, reportId: id },
          });
        return mapAuthorityReport(
          this.q('SELECT * FROM authority_reports WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row,
        );
      })
      .immediate();
  }

  async claimDueAuthorityReports(now: number, limit: number, leaseMs: number): Promise<AuthorityReportRecord[]> {
    if (this.writer) return this.writer.call('claimDueAuthorityReports', [now, limit, leaseMs]);
    return this.db
      .transaction(() => {
        const rows = (this.q(DUE_REPORTS_SQL).all(now, limit) as Row[]).map(mapAuthorityReport);
        const lease = this.q('UPDATE authority_reports SET next_attempt_at = ? WHERE id = ?');
        for (const r of rows) lease.run(now + leaseMs, r.id);
        return rows.map((r) => ({ ...r, nextAttemptAt: now + leaseMs }));
      })
      .immediate();
  }
  // End of reports and evidence -------------------------------------------------------------------
}

/**
 * Accounts connected to a user (params: tenant, user, tenant, user). The index is named because
 * without statistics SQLite otherwise scans every connection of the tenant for the user_b side.
 */
const NEIGHBOURS_SQLITE = `SELECT user_b AS other FROM connections WHERE tenant_id = ? AND user_a = ? AND connected = 1
  UNION SELECT user_a AS other FROM connections INDEXED BY connections_b WHERE tenant_id = ? AND user_b = ? AND connected = 1`;

function toStored(r: Row): StoredEvent {
  return rowToEvent(r as Parameters<typeof rowToEvent>[0]);
}
