// SQLite store, hash banks and their hashes. The contract is BankStore in ../types.ts; the contract tests are
// test/contract/.
import { mapBank, mapBankHash } from '../rows.ts';
import type { BankHashQuery, BankHashRecord, HashBankRecord, HashKind, BankStore } from '../types.ts';
import { SqliteRole, type Row } from './connection.ts';

export class SqliteBankStore extends SqliteRole implements BankStore {
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
}
