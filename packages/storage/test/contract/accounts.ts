// The storage contract for AccountStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/index.ts';
import { type StoreFixture, T0, contact, account, openWithTwoTenants } from './fixtures.ts';

export function accountsContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, accounts and the connection graph: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    describe('accounts and connection graph', () => {
      it('connects two accounts on friend_accept and reports it from both sides', async () => {
        await s.appendEvents(tenant, [contact('g1', 'friend_accept', 'ann', 'bob', T0 + 10)], T0);
        assert.equal((await s.contactContext(tenant, 'ann', 'bob')).connected, true);
        assert.equal((await s.contactContext(tenant, 'bob', 'ann')).connected, true);
        assert.deepEqual(await s.listConnections(tenant, 'bob', 10), ['ann']);
        assert.equal((await s.contactContext(other, 'ann', 'bob')).connected, false, 'other tenant sees no connection');
      });

      it('lets the newest event win when contact events arrive out of order', async () => {
        await s.appendEvents(tenant, [contact('g2', 'unfriend', 'cat', 'dan', T0 + 20)], T0);
        await s.appendEvents(tenant, [contact('g3', 'friend_accept', 'dan', 'cat', T0 + 10)], T0);
        assert.equal((await s.contactContext(tenant, 'cat', 'dan')).connected, false);
        await s.appendEvents(tenant, [contact('g4', 'friend_accept', 'dan', 'cat', T0 + 30)], T0);
        assert.equal((await s.contactContext(tenant, 'cat', 'dan')).connected, true);
      });

      it('records a block in its direction and removes the connection', async () => {
        await s.appendEvents(tenant, [contact('g5', 'block', 'dan', 'cat', T0 + 40)], T0);
        const fromCat = await s.contactContext(tenant, 'cat', 'dan');
        assert.equal(fromCat.connected, false);
        assert.equal(fromCat.blockedByRecipient, true);
        assert.equal(fromCat.blockedBySender, false);
      });

      it('counts connections two accounts have in common', async () => {
        await s.appendEvents(
          tenant,
          [
            contact('m1', 'friend_accept', 'p', 'q'),
            contact('m2', 'friend_accept', 'r', 'q'),
            contact('m3', 'friend_accept', 'p', 'z'),
            contact('m4', 'friend_accept', 'r', 'z'),
            contact('m5', 'friend_accept', 'p', 'only-p'),
          ],
          T0,
        );
        assert.equal((await s.contactContext(tenant, 'p', 'r')).mutualConnections, 2);
        assert.deepEqual([...(await s.connectedAmong(tenant, 'p', ['q', 'r', 'z']))].sort(), ['q', 'z']);
        assert.deepEqual(
          [...(await s.blockedAmong(tenant, 'cat', ['dan', 'p']))],
          ['dan'],
          'blocks count in both directions',
        );
        assert.deepEqual([...(await s.blockedAmong(tenant, 'dan', ['cat']))], ['cat']);
      });

      it('merges account events per field: newer values override, late older ones only fill gaps', async () => {
        // An account sent once, lower-case country (the events suite sends the same one).
        await s.appendEvents(tenant, [account('e2', 'u1', { age: 34, country: 'gb' })], T0 + 5);
        await s.appendEvents(tenant, [account('a1', 'kid', { age: 13 }, T0 + 100)], T0);
        await s.appendEvents(tenant, [account('a2', 'kid', { age: 12, country: 'GB' }, T0 + 50)], T0);
        let kid = await s.getAccount(tenant, 'kid');
        assert.equal(kid!.age, 13);
        assert.equal(kid!.country, 'GB');
        assert.equal(kid!.createdAt, T0 + 50, 'earliest creation time is kept');
        await s.appendEvents(tenant, [account('a3', 'kid', { age: 14 }, T0 + 200)], T0);
        kid = await s.getAccount(tenant, 'kid');
        assert.equal(kid!.age, 14);
        assert.equal(kid!.updatedAt, T0 + 200);
        assert.equal(await s.getAccount(other, 'kid'), null);
        const many = await s.getAccounts(tenant, ['kid', 'u1', 'nobody']);
        assert.deepEqual([...many.keys()].sort(), ['kid', 'u1']);
        assert.equal(many.get('u1')!.country, 'GB', 'country codes are stored upper-case');
        const ctx = await s.contactContext(tenant, 'stranger', 'kid');
        assert.equal(ctx.sender, null);
        assert.equal(ctx.recipient!.age, 14);
      });
    });
  });
}
