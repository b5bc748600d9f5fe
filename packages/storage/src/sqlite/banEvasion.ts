// SQLite store, ban evasion (migration 6): protected account identifiers and bans. The contract is BanEvasionStore in
// ../types.ts; the contract tests are test/contract/.
import { mapAccountBan, newId } from '../rows.ts';
import type {
  AccountBanRecord,
  AccountIdentifier,
  BanLift,
  IdentifierMatch,
  IdentifierMatchQuery,
  NewAccountBan,
  BanEvasionStore,
} from '../types.ts';
import { SqliteRole, type Row } from './connection.ts';

export class SqliteBanEvasionStore extends SqliteRole implements BanEvasionStore {
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
}
