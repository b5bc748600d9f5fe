// The storage contract for BankStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry, type BankError } from '@lifeguard/pdq/pure';
import { StorageHashBankStore, type Storage } from '../../src/index.ts';
import { type StoreFixture, openWithTwoTenants } from './fixtures.ts';

export function banksContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, hash banks: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    describe('hash banks', () => {
      it('stores banks and hashes, ignores repeats, and lists only enabled banks when asked', async () => {
        await s.upsertBank({ tenantId: tenant, name: 'known', enabled: true, source: 'ncmec-demo' });
        await s.upsertBank({ tenantId: tenant, name: 'paused', enabled: false, source: null });
        const pdq = 'A'.repeat(64);
        assert.equal(
          await s.addBankHashes(tenant, 'known', [
            { kind: 'pdq', hash: pdq, metadata: { label: 'x' } },
            { kind: 'md5', hash: 'b'.repeat(32), metadata: null },
          ]),
          2,
        );
        assert.equal(await s.addBankHashes(tenant, 'known', [{ kind: 'pdq', hash: pdq, metadata: null }]), 0);
        await s.addBankHashes(tenant, 'paused', [{ kind: 'pdq', hash: 'c'.repeat(64), metadata: null }]);
        assert.deepEqual(
          (await s.listBankHashes(tenant, { kind: 'pdq', enabledOnly: true })).map((h) => h.hash),
          ['a'.repeat(64)],
        );
        assert.equal((await s.listBankHashes(tenant, { kind: 'pdq' })).length, 2);
        const found = await s.findBankHash(tenant, 'pdq', pdq);
        assert.deepEqual(found, [{ bank: 'known', kind: 'pdq', hash: 'a'.repeat(64), metadata: { label: 'x' } }]);
        assert.deepEqual(await s.findBankHash(other, 'pdq', pdq), []);
        assert.equal(await s.removeBankHash(tenant, 'known', 'md5', 'B'.repeat(32)), true);
        assert.equal(
          (await s.upsertBank({ tenantId: tenant, name: 'paused', enabled: true, source: 'x' })).enabled,
          true,
        );
        assert.deepEqual(
          (await s.listBanks(tenant)).map((b) => b.name),
          ['known', 'paused'],
        );
        assert.equal(await s.deleteBank(tenant, 'paused'), true);
        assert.equal((await s.listBankHashes(tenant, {})).length, 1);
      });

      it("serves as the PDQ package's HashBankStore, per tenant, and loads into a registry", async () => {
        const store = new StorageHashBankStore(s, tenant);
        const created = await store.createBank('ncii-demo');
        assert.equal(created.enabled, true);
        await assert.rejects(store.createBank('ncii-demo'), (err: BankError) => err.code === 'exists');
        await assert.rejects(store.addEntries('missing', []), (err: BankError) => err.code === 'not_found');
        await assert.rejects(store.createBank('../etc'), (err: BankError) => err.code === 'invalid_name');
        const hashes = Array.from({ length: 12 }, (_, i) => ({
          kind: 'md5' as const,
          hash: i.toString(16).padStart(32, '0'),
          ...(i === 3 ? { meta: 'case 3' } : {}),
        }));
        await store.addEntries('ncii-demo', hashes);
        await store.removeEntries('ncii-demo', [{ kind: 'md5', hash: hashes[0]!.hash }]);
        const ops = [];
        for await (const op of store.readOps('ncii-demo')) ops.push(op);
        assert.equal(ops.length, 11);
        assert.ok(
          ops.some((op) => op.op === 'add' && op.entry.meta === 'case 3'),
          'the added entry with its metadata is in the log',
        );
        await store.setEnabled('ncii-demo', false);
        assert.equal((await store.getBank('ncii-demo'))!.enabled, false);
        assert.equal(
          await new StorageHashBankStore(s, other).getBank('ncii-demo'),
          undefined,
          'other tenants do not see it',
        );
        await store.setEnabled('ncii-demo', true);
        const registry = await loadRegistry(store, ['ncii-demo']);
        assert.equal(registry.matchExact('md5', hashes[3]!.hash).length, 1, 'a stored hash matches after loading');
        assert.equal(registry.matchExact('md5', hashes[0]!.hash).length, 0, 'a removed hash does not');
        assert.equal(await store.deleteBank('ncii-demo'), true);
      });

      it('pages through a bank larger than one page', async () => {
        await s.upsertBank({ tenantId: tenant, name: 'big', enabled: true, source: null });
        const many = Array.from({ length: 12_000 }, (_, i) => ({
          kind: 'sha256' as const,
          hash: i.toString(16).padStart(64, '0'),
          metadata: null,
        }));
        assert.equal(await s.addBankHashes(tenant, 'big', many), 12_000);
        const seen = new Set<string>();
        for await (const op of new StorageHashBankStore(s, tenant).readOps('big'))
          if (op.op === 'add') seen.add(op.entry.hash);
        assert.equal(seen.size, 12_000);
      });
    });
  });
}
