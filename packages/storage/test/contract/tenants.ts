// The storage contract for TenantStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/index.ts';
import { type StoreFixture, T0, openWithTwoTenants } from './fixtures.ts';

export function tenantsContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, tenants and API keys: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    it('applies migrations once and again without change', async () => {
      await s.migrate();
      assert.deepEqual(
        (await s.listTenants()).map((t) => t.id),
        ['acme', 'globex'],
      );
    });

    describe('api keys', () => {
      it('finds a key by its hash, lists it without the hash, and refuses it once revoked', async () => {
        const key = await s.createApiKey({
          tenantId: tenant,
          name: 'ingest bot',
          prefix: 'lgk_abcd',
          keyHash: 'f'.repeat(64),
          scopes: ['ingest'],
        });
        const found = await s.findApiKeyByHash('f'.repeat(64));
        assert.deepEqual(found, key);
        assert.equal(await s.findApiKeyByHash('e'.repeat(64)), null);
        assert.ok(!JSON.stringify(await s.listApiKeys(tenant)).includes('f'.repeat(64)), 'the key hash is not listed');
        assert.equal(await s.countApiKeys(), 1);
        assert.equal(await s.revokeApiKey(other, key.id, T0), false);
        assert.equal(await s.revokeApiKey(tenant, key.id, T0), true);
        assert.equal((await s.findApiKeyByHash('f'.repeat(64)))!.revokedAt, T0);
        assert.equal(await s.countApiKeys(), 0);
      });
    });
  });
}
