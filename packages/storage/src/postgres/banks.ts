// PostgreSQL store, hash banks and their hashes. The contract is BankStore in ../types.ts; the contract tests are
// test/contract/.
import { mapBank, mapBankHash } from '../rows.ts';
import type { BankHashQuery, BankHashRecord, HashBankRecord, HashKind, BankStore } from '../types.ts';
import { PostgresRole } from './connection.ts';

export class PostgresBankStore extends PostgresRole implements BankStore {
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
}
