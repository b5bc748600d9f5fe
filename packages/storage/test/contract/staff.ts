// The storage contract for StaffStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, type Storage } from '../../src/index.ts';
import { type StoreFixture, T0, openWithTwoTenants, createModeratorAndSpecialist } from './fixtures.ts';

export function staffContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, staff and sessions: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
    });

    describe('moderator console: staff, sign-in, sessions', () => {
      const at = T0 + 1000;
      const hour = 3_600_000;
      const mod = { id: '', name: 'Mo' };
      const other = { id: '', name: 'Ola' };

      before(async () => {
        const ids = await createModeratorAndSpecialist(s, tenant, at);
        mod.id = ids.mod;
        other.id = ids.other;
      });

      it('keeps staff emails unique per tenant whatever their case, and finds credentials by tenant and email', async () => {
        await assert.rejects(
          s.createStaffUser({
            tenantId: tenant,
            email: 'MO@example.org',
            name: 'x',
            role: 'admin',
            passwordHash: 'h',
            at,
          }),
          ConflictError,
        );
        // Another tenant may use the same email: its admin must learn nothing about this tenant's staff.
        const umbrella = (await s.createTenant('umbrella', 'Umbrella Chat')).id;
        const elsewhere = await s.createStaffUser({
          tenantId: umbrella,
          email: 'MO@example.org',
          name: 'Mo elsewhere',
          role: 'admin',
          passwordHash: 'h3',
          at,
        });
        assert.notEqual(elsewhere.id, mod.id, 'a second account, not the first one');
        const found = await s.staffCredentials(tenant, 'mo@EXAMPLE.org');
        assert.equal(found?.id, mod.id);
        assert.equal(found?.email, 'mo@example.org');
        assert.equal(found?.passwordHash, 'h1');
        assert.equal((await s.staffCredentials(umbrella, 'mo@example.org'))?.passwordHash, 'h3');
        assert.equal(await s.staffCredentials('globex', 'mo@example.org'), null, 'no account in a third tenant');
        assert.equal(await s.getStaffUser('globex', mod.id), null, 'another tenant does not see the user');
        assert.deepEqual(
          (await s.listStaffUsers(tenant)).map((u) => u.name),
          ['Mo', 'Ola'],
        );
        assert.deepEqual(
          (await s.listStaffUsers(umbrella)).map((u) => u.name),
          ['Mo elsewhere'],
        );
      });

      it('locks an account after repeated failures and clears the counter on success', async () => {
        const lock = { maxFailures: 3, lockMs: 60_000 };
        assert.equal(await s.recordSignin(other.id, false, at, lock), null);
        assert.equal(await s.recordSignin(other.id, false, at, lock), null);
        assert.equal(await s.recordSignin(other.id, false, at, lock), at + 60_000);
        assert.equal((await s.staffCredentials(tenant, 'ola@example.org'))?.lockedUntil, at + 60_000);
        await s.recordSignin(other.id, true, at, lock);
        const after = await s.staffCredentials(tenant, 'ola@example.org');
        assert.equal(after?.failedSignins, 0);
        assert.equal(after?.lockedUntil, null);
      });

      it('stores sessions by token hash and ends them when the user is disabled', async () => {
        const session = {
          tokenHash: 'th1',
          userId: other.id,
          tenantId: tenant,
          csrfToken: 'c1',
          createdAt: at,
          lastSeenAt: at,
          expiresAt: at + hour,
        };
        await s.createStaffSession(session);
        await s.touchStaffSession('th1', at + 5);
        const found = await s.findStaffSession('th1');
        assert.equal(found?.user.id, other.id);
        assert.equal(found?.session.lastSeenAt, at + 5);
        assert.equal(found?.session.tenantId, tenant);
        await s.updateStaffUser(tenant, other.id, { disabled: true }, at + 10);
        assert.equal(await s.findStaffSession('th1'), null);
        const enabled = await s.updateStaffUser(tenant, other.id, { disabled: false, role: 'admin' }, at + 11);
        assert.equal(enabled?.role, 'admin');
        assert.equal(
          await s.updateStaffUser('globex', other.id, { disabled: true }, at),
          null,
          'another tenant cannot change the user',
        );
        await s.createStaffSession({ ...session, tokenHash: 'th2' });
        assert.equal(await s.deleteStaffSession('th2'), true);
        assert.equal(await s.findStaffSession('th2'), null);
      });
    });
  });
}
