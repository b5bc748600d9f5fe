// SQLite store, tenants (platforms) and API keys. The contract is TenantStore in ../types.ts; the contract tests are
// test/contract/.
import { mapApiKey, newId } from '../rows.ts';
import type { ApiKeyRecord, NewApiKey, Tenant, TenantStore } from '../types.ts';
import { SqliteRole, type Row } from './connection.ts';

export class SqliteTenantStore extends SqliteRole implements TenantStore {
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
}
