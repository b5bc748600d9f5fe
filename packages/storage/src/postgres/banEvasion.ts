// PostgreSQL store, ban evasion (migration 6): protected account identifiers and bans. The contract is
// BanEvasionStore in ../types.ts; the contract tests are test/contract/.
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
import { PostgresRole } from './connection.ts';

export class PostgresBanEvasionStore extends PostgresRole implements BanEvasionStore {
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
}
