// PostgreSQL store, tenants (platforms) and API keys. The contract is TenantStore in ../types.ts; the contract tests
// are test/contract/.
import { mapApiKey, newId } from '../rows.ts';
import type { ApiKeyRecord, NewApiKey, Tenant, TenantStore } from '../types.ts';
import { PostgresRole } from './connection.ts';

export class PostgresTenantStore extends PostgresRole implements TenantStore {
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
}
