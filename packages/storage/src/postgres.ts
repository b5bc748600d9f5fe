// PostgreSQL store for production (pg Pool). Same interface and tests as the SQLite store.
// Durability: a commit returns after the WAL is flushed (PostgreSQL's default synchronous_commit=on),
// so an acknowledged event survives a crash of the service and of the database host.
import pg from 'pg';
import type { LifeguardEvent } from '@lifeguard/core';
import { postgresMigrations } from './migrations.ts';
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
  pgSql,
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
type Queryable = pg.Pool | pg.PoolClient;

export interface PostgresOptions {
  connectionString: string;
  /** Schema to use (created if missing); lets tests and tenants of a shared server stay apart. Default: public. */
  schema?: string;
  maxConnections?: number;
}

// BIGINT columns hold millisecond times and seqs, all far below 2^53: parse them as numbers.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly schema: string;

  constructor(options: PostgresOptions) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema))
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(this.schema)}`);
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      types: types as pg.CustomTypesConfig,
      options: `-c search_path=${this.schema}`,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  private async tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  private async rows(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row[]> {
    return (await db.query(sql, params)).rows as Row[];
  }

  /** A named statement: parsed and planned once per connection, not on every call. */
  private async rowsNamed(name: string, text: string, values: unknown[], db: Queryable): Promise<Row[]> {
    return (await db.query({ name, text, values })).rows as Row[];
  }

  private async one(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row | null> {
    return (await this.rows(sql, params, db))[0] ?? null;
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // One migrator at a time across processes.
      await client.query('SELECT pg_advisory_lock(7419005)');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const applied = new Set(
        (await client.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => Number(r.version)),
      );
      for (const m of postgresMigrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(7419005)').catch(() => {});
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // Tenants and keys ---------------------------------------------------------------------------

  async createTenant(id: string, name: string): Promise<Tenant> {
    const createdAt = Date.now();
    await this.pool.query('INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)', [id, name, createdAt]);
    return { id, name, createdAt };
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const r = await this.one('SELECT * FROM tenants WHERE id = $1', [id]);
    return r ? { id: String(r.id), name: String(r.name), createdAt: Number(r.created_at) } : null;
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.rows('SELECT * FROM tenants ORDER BY id')).map((r) => ({
      id: String(r.id),
      name: String(r.name),
      createdAt: Number(r.created_at),
    }));
  }

  async createApiKey(key: NewApiKey): Promise<ApiKeyRecord> {
    const record: ApiKeyRecord = {
      id: newId('key'),
      tenantId: key.tenantId,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      createdAt: Date.now(),
      revokedAt: null,
    };
    await this.pool.query(
      'INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        record.id,
        record.tenantId,
        record.name,
        record.prefix,
        key.keyHash,
        JSON.stringify(record.scopes),
        record.createdAt,
      ],
    );
    return record;
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const r = await this.one('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return r ? mapApiKey(r) : null;
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    return (await this.rows('SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id', [tenantId])).map(
      mapApiKey,
    );
  }

  async revokeApiKey(tenantId: string, keyId: string, at: number): Promise<boolean> {
    const res = await this.pool.query(
      'UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL',
      [at, tenantId, keyId],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async countApiKeys(): Promise<number> {
    return Number((await this.one('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL'))!.n);
  }

  // Events -------------------------------------------------------------------------------------

  async appendEvents(tenantId: string, events: LifeguardEvent[], receivedAt: number): Promise<AppendResult> {
    const first = firstOccurrences(events);
    const candidates = events.filter((_, i) => first[i]);
    const rows = candidates.map(eventToRow);
    return this.tx(async (client) => {
      // One statement for the whole batch; ORDER BY ord gives seqs in input order.
      const inserted = await this.rowsNamed(
        'lifeguard_append_events',
        `INSERT INTO events (tenant_id, id, type, time_ms, received_at, conversation_id, body, text)
         SELECT $1, u.id, u.type, u.time_ms, $2, u.conversation_id, u.body, u.text
         FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u(id, type, time_ms, conversation_id, body, text, ord)
         ORDER BY u.ord
         ON CONFLICT (tenant_id, id) DO NOTHING
         RETURNING id, seq`,
        [
          tenantId,
          receivedAt,
          rows.map((r) => r.id),
          rows.map((r) => r.type),
          rows.map((r) => r.timeMs),
          rows.map((r) => r.conversationId),
          rows.map((r) => r.body),
          rows.map((r) => r.text),
        ],
        client,
      );
      const seqById = new Map(inserted.map((r) => [String(r.id), Number(r.seq)]));
      const statuses: AppendStatus[] = [];
      const seqs: (number | null)[] = [];
      const accepted: LifeguardEvent[] = [];
      events.forEach((event, i) => {
        const seq = first[i] ? seqById.get(event.id) : undefined;
        statuses.push(seq === undefined ? 'duplicate' : 'accepted');
        seqs.push(seq ?? null);
        if (seq !== undefined) accepted.push(event);
      });
      await this.addMessageContacts(client, tenantId, contactIncrements(accepted)); // family-centre
      for (const event of accepted) {
        for (const effect of graphEffects(event)) await this.applyEffect(client, tenantId, effect);
      }
      return { statuses, seqs };
    });
  }

  private async applyEffect(client: pg.PoolClient, tenantId: string, e: GraphEffect): Promise<void> {
    if (e.kind === 'account') {
      await client.query(
        `INSERT INTO accounts AS a (tenant_id, user_id, age, age_band, country, created_at, updated_at, locale) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET
           age = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.age, a.age) ELSE coalesce(a.age, excluded.age) END,
           age_band = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.age_band, a.age_band) ELSE coalesce(a.age_band, excluded.age_band) END,
           country = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.country, a.country) ELSE coalesce(a.country, excluded.country) END,
           locale = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.locale, a.locale) ELSE coalesce(a.locale, excluded.locale) END,
           created_at = least(a.created_at, excluded.created_at),
           updated_at = greatest(a.updated_at, excluded.updated_at)`,
        [tenantId, e.userId, e.age, e.ageBand, e.country, e.createdAt, e.at, e.locale],
      );
    } else if (e.kind === 'connection') {
      await client.query(
        `INSERT INTO connections AS c (tenant_id, user_a, user_b, connected, changed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, user_a, user_b) DO UPDATE SET connected = excluded.connected, changed_at = excluded.changed_at
         WHERE excluded.changed_at >= c.changed_at`,
        [tenantId, e.a, e.b, e.connected, e.at],
      );
    } else {
      await client.query(
        'INSERT INTO blocks (tenant_id, blocker_id, blocked_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [tenantId, e.blocker, e.blocked, e.at],
      );
    }
  }

  async readEvents(tenantId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return (
      await this.rows('SELECT * FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
        tenantId,
        afterSeq,
        limit,
      ])
    ).map(toStored);
  }

  async getEventsByIds(tenantId: string, ids: string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    return (
      await this.rows('SELECT * FROM events WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY seq', [
        tenantId,
        ids,
      ])
    ).map(toStored);
  }

  async conversationMessages(
    tenantId: string,
    conversationId: string,
    beforeTime: number,
    limit: number,
  ): Promise<StoredEvent[]> {
    const rows = await this.rows(
      "SELECT * FROM events WHERE tenant_id = $1 AND conversation_id = $2 AND type = 'message' AND time_ms <= $3 ORDER BY time_ms DESC, seq DESC LIMIT $4",
      [tenantId, conversationId, beforeTime, limit],
    );
    return rows.map(toStored).reverse();
  }

  async countEvents(tenantId: string): Promise<number> {
    return Number((await this.one('SELECT count(*) AS n FROM events WHERE tenant_id = $1', [tenantId]))!.n);
  }

  async maxSeq(tenantId: string): Promise<number> {
    return Number(
      (await this.one('SELECT coalesce(max(seq), 0) AS n FROM events WHERE tenant_id = $1', [tenantId]))!.n,
    );
  }

  // Accounts and graph -------------------------------------------------------------------------

  async getAccount(tenantId: string, userId: string): Promise<AccountRecord | null> {
    const r = await this.one('SELECT * FROM accounts WHERE tenant_id = $1 AND user_id = $2', [tenantId, userId]);
    return r ? mapAccount(r) : null;
  }

  async getAccounts(tenantId: string, userIds: string[]): Promise<Map<string, AccountRecord>> {
    const rows = userIds.length
      ? await this.rows('SELECT * FROM accounts WHERE tenant_id = $1 AND user_id = ANY($2::text[])', [
          tenantId,
          userIds,
        ])
      : [];
    return new Map(rows.map((r) => [String(r.user_id), mapAccount(r)]));
  }

  async contactContext(tenantId: string, senderId: string, recipientId: string): Promise<ContactContext> {
    const [a, b] = orderedPair(senderId, recipientId);
    // One round trip: this sits on the hot path of every contact decision.
    const r = (await this.one(
      `SELECT
         (SELECT row_to_json(x) FROM accounts x WHERE tenant_id = $1 AND user_id = $2) AS sender,
         (SELECT row_to_json(x) FROM accounts x WHERE tenant_id = $1 AND user_id = $3) AS recipient,
         coalesce((SELECT connected FROM connections WHERE tenant_id = $1 AND user_a = $4 AND user_b = $5), false) AS connected,
         EXISTS (SELECT 1 FROM blocks WHERE tenant_id = $1 AND blocker_id = $3 AND blocked_id = $2) AS blocked_by_recipient,
         EXISTS (SELECT 1 FROM blocks WHERE tenant_id = $1 AND blocker_id = $2 AND blocked_id = $3) AS blocked_by_sender,
         (SELECT count(*) FROM (${neighbours('$1', '$2')}) x JOIN (${neighbours('$1', '$3')}) y ON x.other = y.other) AS mutual`,
      [tenantId, senderId, recipientId, a, b],
    ))!;
    return {
      sender: r.sender ? mapAccount(r.sender as Row) : null,
      recipient: r.recipient ? mapAccount(r.recipient as Row) : null,
      connected: Boolean(r.connected),
      blockedByRecipient: Boolean(r.blocked_by_recipient),
      blockedBySender: Boolean(r.blocked_by_sender),
      mutualConnections: Number(r.mutual),
    };
  }

  async connectedAmong(tenantId: string, userId: string, others: string[]): Promise<Set<string>> {
    if (others.length === 0) return new Set();
    const rows = await this.rows(`SELECT other FROM (${neighbours('$1', '$2')}) n WHERE other = ANY($3::text[])`, [
      tenantId,
      userId,
      others,
    ]);
    return new Set(rows.map((r) => String(r.other)));
  }

  async blockedAmong(tenantId: string, userId: string, others: string[]): Promise<Set<string>> {
    if (others.length === 0) return new Set();
    const rows = await this.rows(
      `SELECT blocked_id AS other FROM blocks WHERE tenant_id = $1 AND blocker_id = $2 AND blocked_id = ANY($3::text[])
       UNION SELECT blocker_id AS other FROM blocks WHERE tenant_id = $1 AND blocked_id = $2 AND blocker_id = ANY($3::text[])`,
      [tenantId, userId, others],
    );
    return new Set(rows.map((r) => String(r.other)));
  }

  async listConnections(tenantId: string, userId: string, limit: number): Promise<string[]> {
    return (await this.rows(`${neighbours('$1', '$2')} ORDER BY other LIMIT $3`, [tenantId, userId, limit])).map((r) =>
      String(r.other),
    );
  }

  // Cases --------------------------------------------------------------------------------------

  async getCase(tenantId: string, caseId: string): Promise<CaseRecord | null> {
    const r = await this.one('SELECT * FROM cases WHERE tenant_id = $1 AND id = $2', [tenantId, caseId]);
    return r ? mapCase(r) : null;
  }

  async findActiveCaseForAccused(tenantId: string, accusedId: string): Promise<CaseRecord | null> {
    const r = await this.one(
      "SELECT * FROM cases WHERE tenant_id = $1 AND accused_id = $2 AND status IN ('open', 'in_review', 'escalated') ORDER BY updated_at DESC LIMIT 1",
      [tenantId, accusedId],
    );
    return r ? mapCase(r) : null;
  }

  async listCases(tenantId: string, query: CaseListQuery): Promise<CaseRecord[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (v: unknown) => `$${params.push(v)}`;
    if (query.status) where.push(`status = ${add(query.status)}`);
    if (query.accusedId) where.push(`accused_id = ${add(query.accusedId)}`);
    if (query.before) {
      const t = add(query.before.updatedAt);
      where.push(`(updated_at < ${t} OR (updated_at = ${t} AND id < ${add(query.before.id)}))`);
    }
    const rows = await this.rows(
      `SELECT * FROM cases WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT ${add(query.limit)}`,
      params,
    );
    return rows.map(mapCase);
  }

  async caseHistory(tenantId: string, caseId: string): Promise<CaseHistoryEntry[]> {
    return (
      await this.rows('SELECT * FROM case_history WHERE tenant_id = $1 AND case_id = $2 ORDER BY seq', [
        tenantId,
        caseId,
      ])
    ).map(mapHistory);
  }

  async saveCase(tenantId: string, input: SaveCaseInput): Promise<void> {
    const c = input.caseRecord;
    await this.tx(async (client) => {
      if (input.expectedVersion === undefined) {
        await client.query(
          `INSERT INTO cases (tenant_id, id, accused_id, status, level, score, conversation_ids, evidence, opened_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
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
          ],
        );
      } else {
        const res = await client.query(
          `UPDATE cases SET status = $1, level = $2, score = $3, conversation_ids = $4, evidence = $5, updated_at = $6, version = $7
           WHERE tenant_id = $8 AND id = $9 AND version = $10`,
          [
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
          ],
        );
        if ((res.rowCount ?? 0) === 0)
          throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
      }
      if (c.conversationIds.length > 0) {
        await client.query(
          'INSERT INTO case_conversations (tenant_id, conversation_id, case_id) SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING',
          [tenantId, c.conversationIds, c.id],
        );
      }
      const h = input.history;
      if (h) {
        await client.query(
          'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note],
        );
      }
      if (input.alertKeys?.length) {
        await client.query(
          'INSERT INTO case_alerts (tenant_id, alert_key, case_id) SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING',
          [tenantId, input.alertKeys, c.id],
        );
      }
      for (const event of input.notify ?? []) await this.enqueue(client, tenantId, event, c.updatedAt);
      await client.query(pgSql(REFRESH_QUEUE_SQL), refreshQueueParams(tenantId, c)); // console-server: the queue's order
    });
  }

  async hasAlertKey(tenantId: string, alertKey: string): Promise<boolean> {
    return (
      (await this.one('SELECT 1 AS x FROM case_alerts WHERE tenant_id = $1 AND alert_key = $2', [
        tenantId,
        alertKey,
      ])) !== null
    );
  }

  // Webhooks -----------------------------------------------------------------------------------

  async createWebhook(endpoint: Omit<WebhookEndpoint, 'createdAt'> & { createdAt?: number }): Promise<WebhookEndpoint> {
    const record: WebhookEndpoint = { ...endpoint, createdAt: endpoint.createdAt ?? Date.now() };
    await this.pool.query(
      'INSERT INTO webhook_endpoints (id, tenant_id, url, secret, events, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        record.id,
        record.tenantId,
        record.url,
        record.secret,
        JSON.stringify(record.events),
        record.enabled,
        record.createdAt,
      ],
    );
    return record;
  }

  async listWebhooks(tenantId: string): Promise<WebhookEndpoint[]> {
    return (
      await this.rows('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id', [tenantId])
    ).map(mapWebhook);
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    return this.tx(async (client) => {
      const res = await client.query('DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      const deleted = (res.rowCount ?? 0) > 0;
      if (deleted) {
        await client.query(
          "UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL, last_error = 'endpoint deleted' WHERE tenant_id = $1 AND endpoint_id = $2 AND status IN ('pending', 'failing')",
          [tenantId, id],
        );
      }
      return deleted;
    });
  }

  async enqueueWebhookEvent(tenantId: string, event: WebhookEventInput, at: number): Promise<number> {
    return this.enqueue(this.pool, tenantId, event, at);
  }

  private async enqueue(db: Queryable, tenantId: string, event: WebhookEventInput, at: number): Promise<number> {
    const endpoints = (
      await this.rows('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND enabled', [tenantId], db)
    ).map(mapWebhook);
    const targets = endpoints.filter((e) => webhookSubscribed(e.events, event.type));
    if (targets.length === 0) return 0;
    await db.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, created_at)
       SELECT unnest($1::text[]), $2, unnest($3::text[]), $4, $5, 'pending', 0, $6, $6`,
      [
        targets.map(() => newId('dlv')),
        tenantId,
        targets.map((t) => t.id),
        event.type,
        JSON.stringify(event.payload),
        at,
      ],
    );
    return targets.length;
  }

  async claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.rows(
      `WITH due AS (
         SELECT id FROM webhook_deliveries WHERE status IN ('pending', 'failing') AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET next_attempt_at = $3
       FROM due, webhook_endpoints e
       WHERE d.id = due.id AND e.id = d.endpoint_id AND e.tenant_id = d.tenant_id
       RETURNING d.*, e.url, e.secret`,
      [now, limit, now + leaseMs],
    );
    return rows.map((r) => ({ ...mapDelivery(r), url: String(r.url), secret: String(r.secret) }));
  }

  async recordDeliveryOutcome(deliveryId: string, o: DeliveryOutcome): Promise<void> {
    if (o.ok) {
      await this.pool.query(
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at = NULL, last_status_code = $1, last_error = NULL, delivered_at = $2 WHERE id = $3",
        [o.statusCode, o.at, deliveryId],
      );
    } else {
      await this.pool.query(
        'UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_status_code = $3, last_error = $4 WHERE id = $5',
        [o.nextAttemptAt === null ? 'dead' : 'failing', o.nextAttemptAt, o.statusCode, o.error, deliveryId],
      );
    }
  }

  async listDeliveries(
    tenantId: string,
    query: { status?: DeliveryStatus; limit: number },
  ): Promise<WebhookDelivery[]> {
    const rows = query.status
      ? await this.rows(
          'SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC, id DESC LIMIT $3',
          [tenantId, query.status, query.limit],
        )
      : await this.rows(
          'SELECT * FROM webhook_deliveries WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
          [tenantId, query.limit],
        );
    return rows.map(mapDelivery);
  }

  // Snapshots and retention ----------------------------------------------------------------------

  async saveSnapshot(tenantId: string, s: EngineSnapshotRecord): Promise<void> {
    await this.tx(async (client) => {
      await client.query(
        `INSERT INTO engine_snapshots (tenant_id, seq, created_at, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, seq) DO UPDATE SET created_at = excluded.created_at, data = excluded.data`,
        [tenantId, s.seq, s.createdAt, s.data],
      );
      // Keep only the newest (see Storage.saveSnapshot).
      await client.query('DELETE FROM engine_snapshots WHERE tenant_id = $1 AND seq < $2', [tenantId, s.seq]);
    });
  }

  async latestSnapshot(tenantId: string): Promise<EngineSnapshotRecord | null> {
    const r = await this.one('SELECT * FROM engine_snapshots WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1', [
      tenantId,
    ]);
    return r ? { seq: Number(r.seq), createdAt: Number(r.created_at), data: String(r.data) } : null;
  }

  async heldConversationIds(tenantId: string): Promise<string[]> {
    const rows = await this.rows(
      `SELECT DISTINCT conversation_id FROM (${HELD_CONVERSATIONS_SQL.replace('?', '$1')}) held`,
      [tenantId],
    );
    return rows.map((r) => String(r.conversation_id));
  }

  async purgeMessageText(tenantId: string, olderThan: number, maxSeq: number, at: number): Promise<PurgeResult> {
    const res = await this.pool.query(
      `UPDATE events SET text = NULL, text_purged_at = $1
       WHERE tenant_id = $2 AND type = 'message' AND text IS NOT NULL AND time_ms < $3 AND seq <= $4
         AND conversation_id NOT IN (${HELD_CONVERSATIONS_SQL.replace('?', '$2')})`,
      [at, tenantId, olderThan, maxSeq],
    );
    return { messagesPurged: res.rowCount ?? 0 };
  }

  async purgeDismissedCaseEvidence(
    tenantId: string,
    dismissedBefore: number,
    at: number,
    limit: number,
  ): Promise<CaseEvidencePurgeResult> {
    return this.tx(async (client) => {
      const total: CaseEvidencePurgeResult = { casesPurged: 0, messageTexts: 0, excerpts: 0, attachments: 0 };
      // Locked until commit; SKIP LOCKED leaves cases another transaction is changing to a later run.
      const due = await this.rows(
        pgSql(`${DISMISSED_DUE_SQL} FOR UPDATE SKIP LOCKED`),
        [tenantId, dismissedBefore, at, limit],
        client,
      );
      for (const r of due) {
        const id = String(r.id);
        const dismissedAt = Number(r.dismissed_at);
        const { evidence, counts } = purgeEvidenceContent(JSON.parse(String(r.evidence)), at);
        const res = await client.query(pgSql(APPLY_PURGE_SQL), [
          JSON.stringify(evidence),
          at,
          tenantId,
          id,
          Number(r.version),
        ]);
        if ((res.rowCount ?? 0) === 0) continue;
        await client.query(
          'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            tenantId,
            id,
            at,
            RETENTION_ACTOR,
            'updated',
            'dismissed',
            'dismissed',
            purgeHistoryNote(counts, dismissedAt),
          ],
        );
        await client.query(pgSql(PURGE_PACKAGES_SQL), [at, tenantId, id]); // issue 11: frozen copies go too (digests stay)
        await this.appendAuditIn(client, tenantId, purgeAuditEntry(id, counts, dismissedAt, dismissedBefore, at));
        addCounts(total, counts);
      }
      return total;
    });
  }

  // Hash banks -----------------------------------------------------------------------------------

  async upsertBank(
    bank: Omit<HashBankRecord, 'createdAt' | 'updatedAt'> & { createdAt?: number },
  ): Promise<HashBankRecord> {
    const now = Date.now();
    const r = await this.one(
      `INSERT INTO banks (tenant_id, name, enabled, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, name) DO UPDATE SET enabled = excluded.enabled, source = excluded.source, updated_at = excluded.updated_at RETURNING *`,
      [bank.tenantId, bank.name, bank.enabled, bank.source, bank.createdAt ?? now, now],
    );
    return mapBank(r!);
  }

  async getBank(tenantId: string, name: string): Promise<HashBankRecord | null> {
    const r = await this.one('SELECT * FROM banks WHERE tenant_id = $1 AND name = $2', [tenantId, name]);
    return r ? mapBank(r) : null;
  }

  async listBanks(tenantId: string): Promise<HashBankRecord[]> {
    return (await this.rows('SELECT * FROM banks WHERE tenant_id = $1 ORDER BY name', [tenantId])).map(mapBank);
  }

  async deleteBank(tenantId: string, name: string): Promise<boolean> {
    return this.tx(async (client) => {
      await client.query('DELETE FROM bank_hashes WHERE tenant_id = $1 AND bank = $2', [tenantId, name]);
      const res = await client.query('DELETE FROM banks WHERE tenant_id = $1 AND name = $2', [tenantId, name]);
      return (res.rowCount ?? 0) > 0;
    });
  }

  async addBankHashes(tenantId: string, bank: string, hashes: Omit<BankHashRecord, 'bank'>[]): Promise<number> {
    if (hashes.length === 0) return 0;
    let added = 0;
    await this.tx(async (client) => {
      for (let i = 0; i < hashes.length; i += 5000) {
        const chunk = hashes.slice(i, i + 5000);
        const res = await client.query(
          `INSERT INTO bank_hashes (tenant_id, bank, kind, hash, metadata)
           SELECT $1, $2, u.kind, u.hash, u.metadata FROM unnest($3::text[], $4::text[], $5::text[]) AS u(kind, hash, metadata)
           ON CONFLICT DO NOTHING`,
          [
            tenantId,
            bank,
            chunk.map((h) => h.kind),
            chunk.map((h) => h.hash.toLowerCase()),
            chunk.map((h) => (h.metadata == null ? null : JSON.stringify(h.metadata))),
          ],
        );
        added += res.rowCount ?? 0;
      }
      if (added > 0)
        await client.query('UPDATE banks SET updated_at = $1 WHERE tenant_id = $2 AND name = $3', [
          Date.now(),
          tenantId,
          bank,
        ]);
    });
    return added;
  }

  async removeBankHash(tenantId: string, bank: string, kind: HashKind, hash: string): Promise<boolean> {
    return this.tx(async (client) => {
      const res = await client.query(
        'DELETE FROM bank_hashes WHERE tenant_id = $1 AND bank = $2 AND kind = $3 AND hash = $4',
        [tenantId, bank, kind, hash.toLowerCase()],
      );
      const removed = (res.rowCount ?? 0) > 0;
      if (removed)
        await client.query('UPDATE banks SET updated_at = $1 WHERE tenant_id = $2 AND name = $3', [
          Date.now(),
          tenantId,
          bank,
        ]);
      return removed;
    });
  }

  async listBankHashes(tenantId: string, query: BankHashQuery): Promise<BankHashRecord[]> {
    const where = ['h.tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (v: unknown) => `$${params.push(v)}`;
    if (query.kind) where.push(`h.kind = ${add(query.kind)}`);
    if (query.bank) where.push(`h.bank = ${add(query.bank)}`);
    if (query.enabledOnly) where.push('b.enabled');
    if (query.after) {
      const k = add(query.after.kind);
      where.push(`(h.kind > ${k} OR (h.kind = ${k} AND h.hash > ${add(query.after.hash)}))`);
    }
    const limit = query.limit === undefined ? '' : ` LIMIT ${add(query.limit)}`;
    const rows = await this.rows(
      `SELECT h.* FROM bank_hashes h JOIN banks b ON b.tenant_id = h.tenant_id AND b.name = h.bank
       WHERE ${where.join(' AND ')} ORDER BY h.bank, h.kind, h.hash${limit}`,
      params,
    );
    return rows.map(mapBankHash);
  }

  async findBankHash(tenantId: string, kind: HashKind, hash: string): Promise<BankHashRecord[]> {
    return (
      await this.rows('SELECT * FROM bank_hashes WHERE tenant_id = $1 AND kind = $2 AND hash = $3 ORDER BY bank', [
        tenantId,
        kind,
        hash.toLowerCase(),
      ])
    ).map(mapBankHash);
  }

  // Moderator console (helper "console-server"; migration 5) ----------------------------------

  async createStaffUser(u: NewStaffUser): Promise<StaffUser> {
    const id = newId('staff');
    const email = u.email.trim().toLowerCase();
    try {
      await this.pool.query(
        pgSql(`INSERT INTO staff_users (id, tenant_id, email, name, role, password_hash, disabled, failed_signins, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`),
        [id, u.tenantId, email, u.name, u.role, u.passwordHash, u.at, u.at],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
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
    const r = await this.one('SELECT * FROM staff_users WHERE tenant_id = $1 AND email = $2', [
      tenantId,
      email.trim().toLowerCase(),
    ]);
    return r ? mapStaffCredentials(r) : null;
  }

  async getStaffUser(tenantId: string, userId: string): Promise<StaffUser | null> {
    const r = await this.one('SELECT * FROM staff_users WHERE tenant_id = $1 AND id = $2', [tenantId, userId]);
    return r ? mapStaffUser(r) : null;
  }

  async listStaffUsers(tenantId: string): Promise<StaffUser[]> {
    return (await this.rows('SELECT * FROM staff_users WHERE tenant_id = $1 ORDER BY email', [tenantId])).map(
      mapStaffUser,
    );
  }

  async updateStaffUser(
    tenantId: string,
    userId: string,
    patch: StaffUserPatch,
    at: number,
  ): Promise<StaffUser | null> {
    return this.tx(async (client) => {
      const current = await this.one(
        'SELECT * FROM staff_users WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, userId],
        client,
      );
      if (!current) return null;
      const next = mapStaffCredentials(current);
      const r = await this.one(
        'UPDATE staff_users SET name = $1, role = $2, disabled = $3, password_hash = $4, updated_at = $5 WHERE id = $6 RETURNING *',
        [
          patch.name ?? next.name,
          patch.role ?? next.role,
          (patch.disabled ?? next.disabled) ? 1 : 0,
          patch.passwordHash ?? next.passwordHash,
          at,
          userId,
        ],
        client,
      );
      if (patch.disabled || patch.passwordHash)
        await client.query('DELETE FROM staff_sessions WHERE user_id = $1', [userId]);
      return mapStaffUser(r!);
    });
  }

  async recordSignin(
    userId: string,
    ok: boolean,
    at: number,
    lock: { maxFailures: number; lockMs: number },
  ): Promise<number | null> {
    if (ok) {
      await this.pool.query('UPDATE staff_users SET failed_signins = 0, locked_until = NULL WHERE id = $1', [userId]);
      return null;
    }
    const r = await this.one(
      `UPDATE staff_users SET failed_signins = failed_signins + 1,
        locked_until = CASE WHEN failed_signins + 1 >= $1 THEN $2 ELSE locked_until END
      WHERE id = $3 RETURNING locked_until`,
      [lock.maxFailures, at + lock.lockMs, userId],
    );
    return r?.locked_until == null ? null : Number(r.locked_until);
  }

  async createStaffSession(s: StaffSessionRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO staff_sessions (token_hash, user_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [s.tokenHash, s.userId, s.tenantId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt],
    );
  }

  async findStaffSession(tokenHash: string): Promise<{ session: StaffSessionRecord; user: StaffUser } | null> {
    const r = await this.one(pgSql(SESSION_WITH_USER_SQL), [tokenHash]);
    return r ? mapSessionWithUser(r) : null;
  }

  async touchStaffSession(tokenHash: string, at: number): Promise<void> {
    await this.pool.query('UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1', [
      at,
      tokenHash,
    ]);
  }

  async deleteStaffSession(tokenHash: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM staff_sessions WHERE token_hash = $1', [tokenHash])).rowCount ?? 0) > 0;
  }

  async queueCases(tenantId: string, query: QueueQuery): Promise<QueuePage> {
    const { sql, params } = queueSql(tenantId, query);
    const rows = await this.rows(pgSql(sql), params);
    return { cases: rows.map(mapQueueCase), lastKey: rows.length ? Number(rows[rows.length - 1]!.queue_key) : null };
  }

  async queueCounts(
    tenantId: string,
    userId: string,
    now: number,
    onlyMine = false,
  ): Promise<{ open: number; mine: number; escalated: number; appeals: number }> {
    const counts = { open: 0, mine: 0, escalated: 0, appeals: 0 };
    const mine =
      "SELECT 'mine' AS queue, count(*) AS n FROM cases WHERE tenant_id = $1 AND claimed_by = $2 AND claim_expires_at > $3 AND queue <> 'closed'";
    const rows = await this.rows(
      onlyMine
        ? mine
        : `SELECT queue, count(*) AS n FROM cases WHERE tenant_id = $1 AND queue IN ('open', 'appeals', 'escalated') GROUP BY queue UNION ALL ${mine}`,
      [tenantId, userId, now],
    );
    for (const r of rows) counts[String(r.queue) as 'open'] = Number(r.n);
    return counts;
  }

  async getQueueCase(tenantId: string, caseId: string): Promise<QueueCase | null> {
    const r = await this.one(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId]);
    return r ? mapQueueCase(r) : null;
  }

  async claimCase(
    tenantId: string,
    caseId: string,
    claimant: { id: string; name: string },
    now: number,
    until: number,
  ): Promise<ClaimOutcome> {
    // One conditional UPDATE: of two concurrent claims, the second sees the first's row and matches nothing.
    const res = await this.pool.query(
      pgSql(`UPDATE cases SET claimed_by = ?, claimed_name = ?, claim_expires_at = ?
      WHERE tenant_id = ? AND id = ? AND queue <> 'closed' AND ${CLAIMABLE}`),
      [claimant.id, claimant.name, until, tenantId, caseId, now, claimant.id, claimant.id],
    );
    if ((res.rowCount ?? 0) > 0) return { outcome: 'claimed', until };
    return claimRefusal(
      await this.one(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId]),
      claimant.id,
    );
  }

  async releaseClaim(tenantId: string, caseId: string, userId: string): Promise<boolean> {
    const res = await this.pool.query(
      'UPDATE cases SET claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL WHERE tenant_id = $1 AND id = $2 AND claimed_by = $3',
      [tenantId, caseId, userId],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async decideCase(tenantId: string, input: CaseDecisionInput): Promise<AuditEntry> {
    const c = input.caseRecord;
    return this.tx(async (client) => {
      const row = await this.one(
        'SELECT claimed_by, claim_expires_at FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, c.id],
        client,
      );
      if (!row) throw new NotFoundError(`no case ${c.id}`);
      if (row.claimed_by !== input.decidedBy || Number(row.claim_expires_at) <= input.now) throw notClaimed(c.id);
      const res = await client.query(
        pgSql(`UPDATE cases SET status = ?, level = ?, score = ?, updated_at = ?, version = ?, claimed_by = NULL, claimed_name = NULL,
          claim_expires_at = NULL, appeal = 0, excluded_reviewer = NULL, decided_by = ?
        WHERE tenant_id = ? AND id = ? AND version = ?`),
        [c.status, c.level, c.score, c.updatedAt, c.version, input.decidedBy, tenantId, c.id, input.expectedVersion],
      );
      if ((res.rowCount ?? 0) === 0)
        throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
      await client.query(pgSql(REFRESH_QUEUE_SQL), refreshQueueParams(tenantId, c));
      await this.consoleCaseSideEffects(client, tenantId, c, input.history, input.notify);
      if (input.action) {
        const a = input.action;
        await client.query(pgSql(INSERT_ACTION_SQL), [
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
        ]);
      }
      return this.appendAuditIn(client, tenantId, input.audit);
    });
  }

  async appealCase(tenantId: string, input: CaseAppealInput): Promise<AuditEntry> {
    const c = input.caseRecord;
    return this.tx(async (client) => {
      const res = await client.query(
        pgSql(`UPDATE cases SET status = ?, updated_at = ?, version = ?, appeal = 1, excluded_reviewer = decided_by, waiting_since = ?,
          claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL
        WHERE tenant_id = ? AND id = ? AND version = ?`),
        [c.status, c.updatedAt, c.version, c.updatedAt, tenantId, c.id, input.expectedVersion],
      );
      if ((res.rowCount ?? 0) === 0)
        throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
      await client.query(pgSql(REFRESH_QUEUE_SQL), refreshQueueParams(tenantId, c));
      await this.consoleCaseSideEffects(client, tenantId, c, input.history, input.notify);
      return this.appendAuditIn(client, tenantId, input.audit);
    });
  }

  private async consoleCaseSideEffects(
    client: pg.PoolClient,
    tenantId: string,
    c: CaseRecord,
    h: Omit<CaseHistoryEntry, 'caseId'>,
    notify: WebhookEventInput[],
  ): Promise<void> {
    await client.query(
      'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note],
    );
    for (const event of notify) await this.enqueue(client, tenantId, event, c.updatedAt);
  }

  async enforcementActions(tenantId: string, accountIds: string[]): Promise<EnforcementActionRecord[]> {
    if (accountIds.length === 0) return [];
    return (
      await this.rows(
        'SELECT * FROM enforcement_actions WHERE tenant_id = $1 AND account_id = ANY($2::text[]) ORDER BY at, id',
        [tenantId, accountIds],
      )
    ).map(mapAction);
  }

  async appendAudit(tenantId: string, entry: NewAuditEntry): Promise<AuditEntry> {
    return this.tx((client) => this.appendAuditIn(client, tenantId, entry));
  }

  /** The head row is locked until commit, so the tenant's appends are serialised and the chain has no forks. */
  private async appendAuditIn(client: pg.PoolClient, tenantId: string, entry: NewAuditEntry): Promise<AuditEntry> {
    await client.query(
      'INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING',
      [tenantId, AUDIT_GENESIS],
    );
    const head = (await this.one(
      'SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE',
      [tenantId],
      client,
    ))!;
    const seq = Number(head.seq) + 1;
    const prevHash = String(head.hash);
    const hash = auditHash(prevHash, tenantId, seq, entry);
    await client.query(pgSql(INSERT_AUDIT_SQL), [
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
    ]);
    await client.query('UPDATE audit_heads SET seq = $1, hash = $2 WHERE tenant_id = $3', [seq, hash, tenantId]);
    return { ...entry, seq, prevHash, hash };
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<AuditEntry[]> {
    const { sql, params } = auditListSql(tenantId, query);
    return (await this.rows(pgSql(sql), params)).map(mapAudit);
  }

  async readAudit(tenantId: string, afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (
      await this.rows('SELECT * FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
        tenantId,
        afterSeq,
        limit,
      ])
    ).map(mapAudit);
  }
  // End of moderator console ------------------------------------------------------------------

  // Ban evasion (helper "ban-evasion"; migration 6) -------------------------------------------

  async identifierSecret(tenantId: string, candidate: string): Promise<string> {
    await this.pool.query(
      'INSERT INTO identifier_secrets (tenant_id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING',
      [tenantId, candidate, Date.now()],
    );
    return String((await this.one('SELECT secret FROM identifier_secrets WHERE tenant_id = $1', [tenantId]))!.secret);
  }

  async replaceAccountIdentifiers(
    tenantId: string,
    userId: string,
    kinds: readonly string[],
    identifiers: AccountIdentifier[],
    at: number,
  ): Promise<void> {
    await this.tx(async (client) => {
      await client.query(
        'DELETE FROM account_identifiers WHERE tenant_id = $1 AND user_id = $2 AND kind = ANY($3::text[])',
        [tenantId, userId, kinds],
      );
      if (identifiers.length === 0) return;
      await client.query(
        `INSERT INTO account_identifiers (tenant_id, user_id, kind, value, recorded_at)
         SELECT $1, $2, u.kind, u.value, $5 FROM unnest($3::text[], $4::text[]) AS u(kind, value) ON CONFLICT DO NOTHING`,
        [tenantId, userId, identifiers.map((i) => i.kind), identifiers.map((i) => i.value), at],
      );
    });
  }

  async accountIdentifiers(tenantId: string, userId: string): Promise<AccountIdentifier[]> {
    return (
      await this.rows(
        'SELECT kind, value FROM account_identifiers WHERE tenant_id = $1 AND user_id = $2 ORDER BY kind, value',
        [tenantId, userId],
      )
    ).map((r) => ({ kind: String(r.kind), value: String(r.value) }));
  }

  async findAccountsByIdentifiers(
    tenantId: string,
    identifiers: AccountIdentifier[],
    query: IdentifierMatchQuery,
  ): Promise<IdentifierMatch[]> {
    if (identifiers.length === 0 || query.limit <= 0) return [];
    if (query.bannedFor && query.bannedFor.length === 0) return [];
    const params: unknown[] = [tenantId, identifiers.map((i) => i.kind), identifiers.map((i) => i.value), query.limit];
    let where = '';
    if (query.excludeUserId !== undefined) where += ` AND i.user_id <> $${params.push(query.excludeUserId)}`;
    if (query.bannedFor) {
      where += ` AND EXISTS (SELECT 1 FROM account_bans b WHERE b.tenant_id = i.tenant_id AND b.user_id = i.user_id AND b.lifted_at IS NULL
        AND b.reason = ANY($${params.push(query.bannedFor)}::text[]))`;
    }
    // A nested loop over the wanted pairs, each an index probe on (tenant, kind, value).
    const rows = await this.rows(
      `SELECT i.user_id, i.kind, i.value FROM unnest($2::text[], $3::text[]) AS w(kind, value)
       JOIN account_identifiers i ON i.tenant_id = $1 AND i.kind = w.kind AND i.value = w.value
       WHERE true${where} LIMIT $4`,
      params,
    );
    return rows.map((r) => ({ userId: String(r.user_id), kind: String(r.kind), value: String(r.value) }));
  }

  async countAccountsWithIdentifier(
    tenantId: string,
    kind: string,
    value: string,
    cap: number,
    excludeUserId = '',
  ): Promise<number> {
    return Number(
      (await this.one(
        'SELECT count(*) AS n FROM (SELECT 1 FROM account_identifiers WHERE tenant_id = $1 AND kind = $2 AND value = $3 AND user_id <> $4 LIMIT $5) x',
        [tenantId, kind, value, excludeUserId, cap],
      ))!.n,
    );
  }

  async bannedAccountIdentifiers(
    tenantId: string,
    kind: string,
    reasons: readonly string[],
    limit: number,
  ): Promise<IdentifierMatch[]> {
    if (reasons.length === 0) return [];
    const rows = await this.rows(
      `SELECT DISTINCT i.user_id, i.kind, i.value FROM account_bans b
       JOIN account_identifiers i ON i.tenant_id = b.tenant_id AND i.user_id = b.user_id AND i.kind = $2
       WHERE b.tenant_id = $1 AND b.lifted_at IS NULL AND b.reason = ANY($3::text[]) LIMIT $4`,
      [tenantId, kind, reasons, limit],
    );
    return rows.map((r) => ({ userId: String(r.user_id), kind: String(r.kind), value: String(r.value) }));
  }

  async addAccountBan(tenantId: string, ban: NewAccountBan): Promise<AccountBanRecord> {
    const record: AccountBanRecord = { id: newId('ban'), ...ban, liftedAt: null, liftedBy: null, liftNote: null };
    await this.pool.query(
      'INSERT INTO account_bans (id, tenant_id, user_id, reason, case_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [record.id, tenantId, record.userId, record.reason, record.caseId, record.actor, record.at],
    );
    return record;
  }

  async liftAccountBans(tenantId: string, userId: string, lift: BanLift): Promise<number> {
    const res = await this.pool.query(
      'UPDATE account_bans SET lifted_at = $1, lifted_by = $2, lift_note = $3 WHERE tenant_id = $4 AND user_id = $5 AND lifted_at IS NULL',
      [lift.at, lift.actor, lift.note, tenantId, userId],
    );
    return res.rowCount ?? 0;
  }

  async accountBans(
    tenantId: string,
    userIds: string[],
    options: { activeOnly?: boolean } = {},
  ): Promise<AccountBanRecord[]> {
    if (userIds.length === 0) return [];
    const rows = await this.rows(
      `SELECT * FROM account_bans WHERE tenant_id = $1 AND user_id = ANY($2::text[])${options.activeOnly ? ' AND lifted_at IS NULL' : ''} ORDER BY at, id`,
      [tenantId, userIds],
    );
    return rows.map(mapAccountBan);
  }
  // End of ban evasion ------------------------------------------------------------------------
  // Family Centre (helper "family-centre") ------------------------------------------------------

  /** One statement per batch (the increments are already summed per user, other and day). */
  private async addMessageContacts(client: pg.PoolClient, tenantId: string, all: ContactIncrement[]): Promise<void> {
    if (all.length === 0) return;
    // Only teens with a pending or active family link are counted (one lookup per batch).
    const users = [...new Set(all.map((c) => c.userId))];
    const linked = new Set(
      (
        await this.rowsNamed(
          'family_linked_teens',
          `SELECT DISTINCT teen_id FROM family_links WHERE tenant_id = $1 AND status IN ('pending', 'active') AND teen_id = ANY($2::text[])`,
          [tenantId, users],
          client,
        )
      ).map((r) => String(r.teen_id)),
    );
    const increments = all.filter((c) => linked.has(c.userId));
    if (increments.length === 0) return;
    for (const [k, list] of bySlot(increments)) {
      // Sorted so concurrent batches take the row locks in the same order (no deadlocks).
      const sorted = [...list].sort(
        (a, b) =>
          (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) ||
          (a.otherId < b.otherId ? -1 : a.otherId > b.otherId ? 1 : 0),
      );
      // A newer day takes the slot over; the same day adds; an older one (8+ days back) is ignored.
      await this.rowsNamed(
        `family_add_contacts_${k}`,
        `INSERT INTO message_contacts AS m (tenant_id, user_id, other_id, last_at, d${k}, c${k})
        SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[])
        ON CONFLICT (tenant_id, user_id, other_id) DO UPDATE SET
          c${k} = CASE WHEN excluded.d${k} > m.d${k} THEN excluded.c${k} WHEN excluded.d${k} = m.d${k} THEN m.c${k} + excluded.c${k} ELSE m.c${k} END,
          d${k} = greatest(m.d${k}, excluded.d${k}), last_at = greatest(m.last_at, excluded.last_at)`,
        [
          tenantId,
          sorted.map((c) => c.userId),
          sorted.map((c) => c.otherId),
          sorted.map((c) => c.lastAt),
          sorted.map((c) => c.day),
          sorted.map((c) => c.messages),
        ],
        client,
      );
    }
  }

  async createFamilyLink(tenantId: string, link: Omit<FamilyLink, 'id'>): Promise<FamilyLink> {
    const record: FamilyLink = { id: newId('link'), ...link };
    try {
      await this.pool.query(
        `INSERT INTO family_links (tenant_id, id, parent_id, teen_id, status, basis, created_at, accepted_at, ended_at, ended_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
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
        ],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new ConflictError(`a pending or active link between ${link.parentId} and ${link.teenId} already exists`);
      throw err;
    }
    return record;
  }

  async getFamilyLink(tenantId: string, linkId: string): Promise<FamilyLink | null> {
    const r = await this.one('SELECT * FROM family_links WHERE tenant_id = $1 AND id = $2', [tenantId, linkId]);
    return r ? mapFamilyLink(r) : null;
  }

  async listFamilyLinks(tenantId: string, userId: string): Promise<FamilyLink[]> {
    return (
      await this.rows(
        `SELECT * FROM family_links WHERE tenant_id = $1 AND (parent_id = $2 OR teen_id = $2) ORDER BY created_at DESC, id DESC`,
        [tenantId, userId],
      )
    ).map(mapFamilyLink);
  }

  async activeLinksForTeens(tenantId: string, teenIds: string[]): Promise<FamilyLink[]> {
    if (teenIds.length === 0) return [];
    return (
      await this.rows(
        `SELECT * FROM family_links WHERE tenant_id = $1 AND status = 'active' AND teen_id = ANY($2::text[])`,
        [tenantId, teenIds],
      )
    ).map(mapFamilyLink);
  }

  async transitionFamilyLink(
    tenantId: string,
    linkId: string,
    from: readonly FamilyLinkStatus[],
    patch: { status: FamilyLinkStatus; at: number; by: string },
  ): Promise<FamilyLink | null> {
    const c = transitionColumns(patch.status, patch.at, patch.by);
    const r = await this.one(
      `UPDATE family_links SET status = $1, accepted_at = coalesce($2, accepted_at), ended_at = coalesce($3, ended_at), ended_by = coalesce($4, ended_by)
      WHERE tenant_id = $5 AND id = $6 AND status = ANY($7::text[]) RETURNING *`,
      [patch.status, c.acceptedAt, c.endedAt, c.endedBy, tenantId, linkId, [...from]],
    );
    return r ? mapFamilyLink(r) : null;
  }

  async messageContacts(tenantId: string, userId: string, since: number): Promise<MessageContact[]> {
    const day = Math.floor(since / DAY_MS);
    return (
      await this.rowsNamed(
        'family_message_contacts',
        `SELECT other_id, last_at, ${windowSum('$3::int')} AS messages FROM message_contacts
      WHERE tenant_id = $1 AND user_id = $2 AND last_at >= $4 ORDER BY last_at DESC, other_id`,
        [tenantId, userId, day, day * DAY_MS],
        this.pool,
      )
    ).map(mapMessageContact);
  }

  async messageContactsWith(tenantId: string, otherId: string, since: number): Promise<string[]> {
    return (
      await this.rows(
        'SELECT user_id FROM message_contacts WHERE tenant_id = $1 AND other_id = $2 AND last_at >= $3 ORDER BY user_id',
        [tenantId, otherId, Math.floor(since / DAY_MS) * DAY_MS],
      )
    ).map((r) => String(r.user_id));
  }

  async connectionsSince(tenantId: string, userId: string, limit: number): Promise<ConnectionSince[]> {
    return (
      await this.rowsNamed(
        'family_connections_since',
        `SELECT user_b AS other, changed_at FROM connections WHERE tenant_id = $1 AND user_a = $2 AND connected
      UNION ALL SELECT user_a AS other, changed_at FROM connections WHERE tenant_id = $1 AND user_b = $2 AND connected
      ORDER BY changed_at DESC, other LIMIT $3`,
        [tenantId, userId, limit],
        this.pool,
      )
    ).map((r) => ({ userId: String(r.other), since: Number(r.changed_at) }));
  }

  async recordSafetyWarnings(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void> {
    if (warnings.length === 0) return;
    await this.pool.query(
      `INSERT INTO safety_warnings (tenant_id, user_id, at, kind, counterpart_id) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[])`,
      [
        tenantId,
        warnings.map((w) => w.userId),
        warnings.map((w) => w.at),
        warnings.map((w) => w.kind),
        warnings.map((w) => w.counterpartId),
      ],
    );
  }

  async safetyWarnings(tenantId: string, userId: string, since: number, limit: number): Promise<SafetyWarningRecord[]> {
    return (
      await this.rows(
        'SELECT * FROM safety_warnings WHERE tenant_id = $1 AND user_id = $2 AND at >= $3 ORDER BY at DESC LIMIT $4',
        [tenantId, userId, since, limit],
      )
    ).map(mapWarning);
  }

  async putAccountSettings(
    tenantId: string,
    userId: string,
    settings: Record<string, unknown>,
    at: number,
  ): Promise<Record<string, unknown> | null> {
    return this.tx(async (client) => {
      // Lock the row (or the key, for a first write) so two changes report each other's previous state.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`settings:${tenantId}:${userId}`]);
      const previous = await this.one(
        'SELECT settings FROM account_settings WHERE tenant_id = $1 AND user_id = $2',
        [tenantId, userId],
        client,
      );
      await client.query(
        `INSERT INTO account_settings (tenant_id, user_id, settings, updated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
        [tenantId, userId, JSON.stringify(settings), at],
      );
      return previous ? (JSON.parse(String(previous.settings)) as Record<string, unknown>) : null;
    });
  }

  async accountSettings(
    tenantId: string,
    userId: string,
  ): Promise<{ settings: Record<string, unknown>; updatedAt: number } | null> {
    const r = await this.one(
      'SELECT settings, updated_at FROM account_settings WHERE tenant_id = $1 AND user_id = $2',
      [tenantId, userId],
    );
    return r
      ? { settings: JSON.parse(String(r.settings)) as Record<string, unknown>, updatedAt: Number(r.updated_at) }
      : null;
  }

  async pruneFamilyMetadata(tenantId: string, before: number): Promise<FamilyPruneResult> {
    return this.tx(async (client) => ({
      contactPairs:
        (
          await client.query('DELETE FROM message_contacts WHERE tenant_id = $1 AND last_at < $2', [
            tenantId,
            Math.floor(before / DAY_MS) * DAY_MS,
          ])
        ).rowCount ?? 0,
      warnings:
        (await client.query('DELETE FROM safety_warnings WHERE tenant_id = $1 AND at < $2', [tenantId, before]))
          .rowCount ?? 0,
    }));
  }
  // End of Family Centre ------------------------------------------------------------------------

  // Reports and evidence (issue 11; migration 10) -----------------------------------------------

  async freezeEvidence(tenantId: string, input: NewEvidencePackage): Promise<EvidencePackageRecord> {
    return this.tx(async (client) => {
      // The audit head lock (appendAuditIn) also serialises freezes, so two never take the same version.
      await client.query(
        'INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING',
        [tenantId, AUDIT_GENESIS],
      );
      await client.query('SELECT seq FROM audit_heads WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
      const version = Number((await this.one(pgSql(NEXT_PACKAGE_VERSION_SQL), [tenantId, input.caseId], client))!.v);
      const entry = await this.appendAuditIn(client, tenantId, freezeAudit(input, version));
      await client.query(pgSql(INSERT_PACKAGE_SQL), [
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
      ]);
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
    });
  }

  async evidencePackages(tenantId: string, caseId: string): Promise<EvidencePackageRecord[]> {
    return (
      await this.rows('SELECT * FROM evidence_packages WHERE tenant_id = $1 AND case_id = $2 ORDER BY version', [
        tenantId,
        caseId,
      ])
    ).map(mapPackage);
  }

  async readEvidencePackages(
    tenantId: string,
    after: { caseId: string; version: number } | null,
    limit: number,
  ): Promise<EvidencePackageRecord[]> {
    const rows = after
      ? await this.rows(
          'SELECT * FROM evidence_packages WHERE tenant_id = $1 AND (case_id, version) > ($2, $3) ORDER BY case_id, version LIMIT $4',
          [tenantId, after.caseId, after.version, limit],
        )
      : await this.rows('SELECT * FROM evidence_packages WHERE tenant_id = $1 ORDER BY case_id, version LIMIT $2', [
          tenantId,
          limit,
        ]);
    return rows.map(mapPackage);
  }

  async placeLegalHold(tenantId: string, hold: NewLegalHold, audit: NewAuditEntry): Promise<LegalHold> {
    return this.tx((client) => this.placeHoldIn(client, tenantId, hold, audit));
  }

  private async placeHoldIn(
    client: pg.PoolClient,
    tenantId: string,
    hold: NewLegalHold,
    audit: NewAuditEntry,
  ): Promise<LegalHold> {
    const record: LegalHold = { id: newId('hold'), tenantId, ...hold };
    await client.query(pgSql(INSERT_HOLD_SQL), [
      record.id,
      tenantId,
      hold.caseId,
      hold.reason,
      hold.placedBy,
      hold.placedAt,
      hold.until,
    ]);
    await this.appendAuditIn(client, tenantId, { ...audit, targetId: record.id });
    return record;
  }

  async legalHolds(tenantId: string, caseId: string): Promise<LegalHold[]> {
    return (
      await this.rows('SELECT * FROM legal_holds WHERE tenant_id = $1 AND case_id = $2 ORDER BY placed_at, id', [
        tenantId,
        caseId,
      ])
    ).map(mapHold);
  }

  async createAuthorityReport(tenantId: string, report: AuthorityReportRecord, audit: NewAuditEntry): Promise<void> {
    await this.tx(async (client) => {
      await client.query(pgSql(INSERT_REPORT_SQL), reportParams(tenantId, report));
      await this.appendAuditIn(client, tenantId, audit);
    });
  }

  async getAuthorityReport(tenantId: string, id: string): Promise<AuthorityReportRecord | null> {
    const r = await this.one('SELECT * FROM authority_reports WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? mapAuthorityReport(r) : null;
  }

  async listAuthorityReports(tenantId: string, query: AuthorityReportQuery): Promise<AuthorityReportRecord[]> {
    const { sql, params } = reportListSql(tenantId, query);
    return (await this.rows(pgSql(sql), params)).map(mapAuthorityReport);
  }

  async updateAuthorityReport(
    tenantId: string,
    id: string,
    update: AuthorityReportUpdate,
  ): Promise<AuthorityReportRecord> {
    return this.tx(async (client) => {
      const { sql, params } = reportPatchSql(tenantId, id, update.patch, update.fromStatuses);
      const res = await client.query(pgSql(sql), params);
      if ((res.rowCount ?? 0) === 0) {
        const found = await this.one(
          'SELECT status FROM authority_reports WHERE tenant_id = $1 AND id = $2',
          [tenantId, id],
          client,
        );
        if (!found) throw new NotFoundError(`no report ${id}`);
        throw new ConflictError(`report ${id} is ${String(found.status)}, not ${update.fromStatuses?.join(' or ')}`);
      }
      if (update.audit) await this.appendAuditIn(client, tenantId, update.audit);
      if (update.hold)
        await this.placeHoldIn(client, tenantId, update.hold, {
          at: update.hold.placedAt,
          actor: { system: 'reporting' },
          action: HOLD_ACTION,
          caseId: update.hold.caseId,
          targetId: null,
          details: { reason: update.hold.reason, until: update.hold.until, reportId: id },
        });
      return mapAuthorityReport(
        (await this.one('SELECT * FROM authority_reports WHERE tenant_id = $1 AND id = $2', [tenantId, id], client))!,
      );
    });
  }

  async claimDueAuthorityReports(now: number, limit: number, leaseMs: number): Promise<AuthorityReportRecord[]> {
    return this.tx(async (client) => {
      const rows = (await this.rows(pgSql(`${DUE_REPORTS_SQL} FOR UPDATE SKIP LOCKED`), [now, limit], client)).map(
        mapAuthorityReport,
      );
      if (rows.length)
        await client.query('UPDATE authority_reports SET next_attempt_at = $1 WHERE id = ANY($2::text[])', [
          now + leaseMs,
          rows.map((r) => r.id),
        ]);
      return rows.map((r) => ({ ...r, nextAttemptAt: now + leaseMs }));
    });
  }
  // End of reports and evidence -------------------------------------------------------------------
}

function neighbours(tenant: string, user: string): string {
  return `SELECT user_b AS other FROM connections WHERE tenant_id = ${tenant} AND user_a = ${user} AND connected
    UNION SELECT user_a AS other FROM connections WHERE tenant_id = ${tenant} AND user_b = ${user} AND connected`;
}

function toStored(r: Row): StoredEvent {
  return rowToEvent(r as Parameters<typeof rowToEvent>[0]);
}
