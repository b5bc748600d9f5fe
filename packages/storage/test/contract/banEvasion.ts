// The storage contract for BanEvasionStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/index.ts';
import { type StoreFixture, T0, openWithTwoTenants } from './fixtures.ts';

export function banEvasionContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, ban evasion: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    describe('ban evasion: identifiers and bans', () => {
      const hashOf = (c: string) => c.repeat(64);
      it('keeps the first identifier secret per tenant and never replaces it', async () => {
        const first = await s.identifierSecret(tenant, 'secret-one');
        assert.equal(first, 'secret-one');
        assert.equal(await s.identifierSecret(tenant, 'secret-two'), 'secret-one');
        assert.equal(await s.identifierSecret(other, 'secret-three'), 'secret-three', 'each tenant has its own');
      });

      it('replaces identifiers of the named kinds only, and finds accounts by (kind, value)', async () => {
        await s.replaceAccountIdentifiers(
          tenant,
          'banned-1',
          ['email', 'device_id'],
          [
            { kind: 'email', value: hashOf('a') },
            { kind: 'device_id', value: hashOf('d') },
          ],
          T0,
        );
        await s.replaceAccountIdentifiers(
          tenant,
          'banned-1',
          ['username'],
          [{ kind: 'username', value: 'groomer' }],
          T0,
        );
        await s.replaceAccountIdentifiers(
          tenant,
          'friend-1',
          ['device_id'],
          [{ kind: 'device_id', value: hashOf('d') }],
          T0,
        );
        await s.replaceAccountIdentifiers(other, 'elsewhere', ['email'], [{ kind: 'email', value: hashOf('a') }], T0);
        assert.deepEqual(await s.accountIdentifiers(tenant, 'banned-1'), [
          { kind: 'device_id', value: hashOf('d') },
          { kind: 'email', value: hashOf('a') },
          { kind: 'username', value: 'groomer' },
        ]);
        await s.replaceAccountIdentifiers(
          tenant,
          'banned-1',
          ['email'],
          [{ kind: 'email', value: hashOf('b') }],
          T0 + 1,
        );
        assert.deepEqual(
          (await s.accountIdentifiers(tenant, 'banned-1')).map((i) => i.value),
          [hashOf('d'), hashOf('b'), 'groomer'],
          'the email changed, the rest stayed',
        );
        const found = await s.findAccountsByIdentifiers(
          tenant,
          [
            { kind: 'device_id', value: hashOf('d') },
            { kind: 'email', value: hashOf('a') },
          ],
          { limit: 10 },
        );
        assert.deepEqual(
          found.map((m) => m.userId).sort(),
          ['banned-1', 'friend-1'],
          'the old email no longer matches; the other tenant never does',
        );
        assert.deepEqual(
          (
            await s.findAccountsByIdentifiers(tenant, [{ kind: 'device_id', value: hashOf('d') }], {
              limit: 10,
              excludeUserId: 'friend-1',
            })
          ).map((m) => m.userId),
          ['banned-1'],
        );
        assert.deepEqual(
          await s.findAccountsByIdentifiers(tenant, [{ kind: 'email', value: hashOf('d') }], { limit: 10 }),
          [],
          'the kind must match as well as the value',
        );
        assert.equal(await s.countAccountsWithIdentifier(tenant, 'device_id', hashOf('d'), 10), 2);
        assert.equal(
          await s.countAccountsWithIdentifier(tenant, 'device_id', hashOf('d'), 1),
          1,
          'counting stops at the cap',
        );
        assert.equal(
          await s.countAccountsWithIdentifier(tenant, 'device_id', hashOf('d'), 10, 'friend-1'),
          1,
          'the excluded account is not counted',
        );
      });

      it('records and lifts bans, and filters lookups to accounts with an active ban for the given reasons', async () => {
        const ban = await s.addAccountBan(tenant, {
          userId: 'banned-1',
          reason: 'grooming',
          caseId: 'case-9',
          actor: 'mod-1',
          at: T0,
        });
        assert.equal(ban.liftedAt, null);
        await s.addAccountBan(tenant, { userId: 'friend-1', reason: 'spam', caseId: null, actor: 'api', at: T0 + 1 });
        await s.replaceAccountIdentifiers(tenant, 'banned-1', ['photo'], [{ kind: 'photo', value: hashOf('f') }], T0);
        const probe = [{ kind: 'device_id', value: hashOf('d') }];
        assert.deepEqual(
          (await s.findAccountsByIdentifiers(tenant, probe, { limit: 10, bannedFor: ['grooming', 'sextortion'] })).map(
            (m) => m.userId,
          ),
          ['banned-1'],
        );
        assert.deepEqual(await s.findAccountsByIdentifiers(tenant, probe, { limit: 10, bannedFor: [] }), []);
        assert.deepEqual(await s.bannedAccountIdentifiers(tenant, 'photo', ['grooming'], 10), [
          { userId: 'banned-1', kind: 'photo', value: hashOf('f') },
        ]);
        assert.deepEqual(await s.bannedAccountIdentifiers(other, 'photo', ['grooming'], 10), []);
        const bans = await s.accountBans(tenant, ['banned-1', 'friend-1', 'nobody']);
        assert.deepEqual(
          bans.map((b) => [b.userId, b.reason, b.caseId]),
          [
            ['banned-1', 'grooming', 'case-9'],
            ['friend-1', 'spam', null],
          ],
        );
        assert.equal(
          await s.liftAccountBans(tenant, 'banned-1', { at: T0 + 5, actor: 'mod-2', note: 'appeal upheld' }),
          1,
        );
        assert.equal(
          await s.liftAccountBans(tenant, 'banned-1', { at: T0 + 6, actor: 'mod-2', note: null }),
          0,
          'nothing left to lift',
        );
        assert.deepEqual(await s.findAccountsByIdentifiers(tenant, probe, { limit: 10, bannedFor: ['grooming'] }), []);
        assert.deepEqual(await s.bannedAccountIdentifiers(tenant, 'photo', ['grooming'], 10), []);
        const lifted = (await s.accountBans(tenant, ['banned-1']))[0]!;
        assert.deepEqual([lifted.liftedAt, lifted.liftedBy, lifted.liftNote], [T0 + 5, 'mod-2', 'appeal upheld']);
        assert.deepEqual(
          (await s.accountBans(tenant, ['banned-1', 'friend-1'], { activeOnly: true })).map((b) => b.userId),
          ['friend-1'],
        );
        assert.deepEqual(await s.accountBans(other, ['banned-1']), [], 'bans belong to their tenant');
      });
    });
  });
}
