// PostgreSQL store, accounts and the connection graph, as appendEvents left them. The contract is AccountStore in
// ../types.ts; the contract tests are test/contract/.
import { mapAccount, orderedPair } from '../rows.ts';
import type { AccountRecord, ContactContext, AccountStore } from '../types.ts';
import { PostgresRole, type Row } from './connection.ts';

export class PostgresAccountStore extends PostgresRole implements AccountStore {
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
}

function neighbours(tenant: string, user: string): string {
  return `SELECT user_b AS other FROM connections WHERE tenant_id = ${tenant} AND user_a = ${user} AND connected
    UNION SELECT user_a AS other FROM connections WHERE tenant_id = ${tenant} AND user_b = ${user} AND connected`;
}
