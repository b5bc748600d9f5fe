// SQLite store, accounts and the connection graph, as appendEvents left them. The contract is AccountStore in
// ../types.ts; the contract tests are test/contract/.
import { mapAccount, orderedPair } from '../rows.ts';
import type { AccountRecord, ContactContext, AccountStore } from '../types.ts';
import { SqliteRole, type Row } from './connection.ts';

export class SqliteAccountStore extends SqliteRole implements AccountStore {
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
      const rows = this.q(
        `SELECT * FROM accounts WHERE tenant_id = ? AND user_id IN (${chunk.map(() => '?').join(',')})`,
      ).all(tenantId, ...chunk) as Row[];
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
}

/**
 * Accounts connected to a user (params: tenant, user, tenant, user). Both sides name their index
 * (migration 15's partial indexes of current connections, which cover the query): without statistics
 * SQLite otherwise scans every connection of the tenant for one side, about 0.9 ms a decision at 6,000
 * connections and growing with the tenant.
 */
const NEIGHBOURS_SQLITE = `SELECT user_b AS other FROM connections INDEXED BY connections_a_since WHERE tenant_id = ? AND user_a = ? AND connected = 1
  UNION SELECT user_a AS other FROM connections INDEXED BY connections_b_since WHERE tenant_id = ? AND user_b = ? AND connected = 1`;
