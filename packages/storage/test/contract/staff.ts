// The storage contract for StaffStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, type Storage } from '../../src/index.ts';
import { type StoreFixture, T0 } from './fixtures.ts';

export function staffContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, staff and sessions: ${name}`, { skip }, () => {
    let fixture: StoreFixture;
    let s: Storage;
    let tenant = '';

    before(async () => {
      fixture = await open();
      s = fixture.storage;
      tenant = (await s.createTenant('acme', 'Acme Social')).id;
      await s.createTenant('globex', 'Globex Chat');
    });
    after(async () => {
      await fixture?.cleanup();
    });

    describe('moderator console: staff, sign-in, sessions', () => {
      const at = T0 + 1000;
      const hour = 3_600_000;
      const mod = { id: '', name: 'Mo' };
      const other = { id: '', name: 'Ola' };

      before(async () => {
        mod.id = (
          await s.createStaffUser({
            tenantId: tenant,
            email: 'Mo@Example.org',
            name: 'Mo',
            role: 'moderator',
            passwordHash: 'h1',
            at,
          })
        ).id;
        other.id = (
          await s.createStaffUser({
            tenantId: tenant,
            email: 'ola@example.org',
            name: 'Ola',
            role: 'specialist',
            passwordHash: 'h2',
            at,
          })
        ).id;
      });

      it('keeps staff emails unique whatever their case, and finds credentials by email', async () => {
        await assert.rejects(
          s.createStaffUser({
            tenantId: other === mod ? tenant : 'globex',
            email: 'MO@example.org',
            name: 'x',
            role: 'admin',
            passwordHash: 'h',
            at,
          }),
          ConflictError,
        );
        const found = await s.staffCredentials('mo@EXAMPLE.org');
        assert.equal(found?.id, mod.id);
        assert.equal(found?.email, 'mo@example.org');
        assert.equal(found?.passwordHash, 'h1');
        assert.equal(await s.getStaffUser('globex', mod.id), null, 'another tenant does not see the user');
        assert.deepEqual(
          (await s.listStaffUsers(tenant)).map((u) => u.name),
          ['Mo', 'Ola'],
        );
      });

      it('locks an account after repeated failures and clears the counter on success', async () => {
        const lock = { maxFailures: 3, lockMs: 60_000 };
        assert.equal(await s.recordSignin(other.id, false, at, lock), null);
        assert.equal(await s.recordSignin(other.id, false, at, lock), null);
        assert.equal(await s.recordSignin(other.id, false, at, lock), at + 60_000);
        assert.equal((await s.staffCredentials('ola@example.org'))?.lockedUntil, at + 60_000);
        await s.recordSignin(other.id, true, at, lock);
        const after = await s.staffCredentials('ola@example.org');
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
