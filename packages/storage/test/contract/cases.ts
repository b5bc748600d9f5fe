// The storage contract for CaseStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, type Storage } from '../../src/index.ts';
import { type StoreFixture, T0, newCase, openWithTwoTenants } from './fixtures.ts';

export function casesContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, cases: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    describe('cases', () => {
      it('saves a case with its history and finds it as the active case of the accused', async () => {
        const c = newCase(tenant, 'groomer', ['conv-a']);
        await s.saveCase(tenant, {
          caseRecord: c,
          history: { at: T0, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
          alertKeys: ['conversation:conv-a:m9'],
        });
        assert.deepEqual(await s.getCase(tenant, c.id), c);
        assert.equal((await s.findActiveCaseForAccused(tenant, 'groomer'))!.id, c.id);
        assert.equal(await s.hasAlertKey(tenant, 'conversation:conv-a:m9'), true);
        assert.equal(await s.hasAlertKey(other, 'conversation:conv-a:m9'), false);
        assert.equal(await s.getCase(other, c.id), null, 'another tenant cannot read the case');
      });

      it('updates with the version it read and refuses a stale update', async () => {
        const c = (await s.findActiveCaseForAccused(tenant, 'groomer'))!;
        const updated = { ...c, status: 'in_review' as const, updatedAt: T0 + 1000, version: c.version + 1 };
        await s.saveCase(tenant, {
          caseRecord: updated,
          expectedVersion: c.version,
          history: {
            at: T0 + 1000,
            actor: 'reviewer@acme',
            action: 'transition',
            fromStatus: 'open',
            toStatus: 'in_review',
            note: 'looking',
          },
        });
        await assert.rejects(
          s.saveCase(tenant, {
            caseRecord: { ...c, status: 'dismissed', version: c.version + 1 },
            expectedVersion: c.version,
            history: {
              at: T0,
              actor: 'x',
              action: 'transition',
              fromStatus: 'open',
              toStatus: 'dismissed',
              note: null,
            },
          }),
          ConflictError,
        );
        const history = await s.caseHistory(tenant, c.id);
        assert.deepEqual(
          history.map((h) => [h.action, h.toStatus]),
          [
            ['opened', 'open'],
            ['transition', 'in_review'],
          ],
        );
        assert.equal(history[1]!.actor, 'reviewer@acme');
        assert.equal((await s.getCase(tenant, c.id))!.status, 'in_review');
      });

      it('no longer treats a closed case as active', async () => {
        const c = (await s.findActiveCaseForAccused(tenant, 'groomer'))!;
        await s.saveCase(tenant, {
          caseRecord: { ...c, status: 'dismissed', version: c.version + 1, updatedAt: T0 + 2000 },
          expectedVersion: c.version,
          history: {
            at: T0 + 2000,
            actor: 'r',
            action: 'transition',
            fromStatus: 'in_review',
            toStatus: 'dismissed',
            note: null,
          },
        });
        assert.equal(await s.findActiveCaseForAccused(tenant, 'groomer'), null);
      });

      it('lists cases newest first, filtered by status, in pages', async () => {
        for (let i = 0; i < 3; i++) {
          const c = newCase(tenant, `acc${i}`, [], T0 + 10_000 + i);
          await s.saveCase(tenant, {
            caseRecord: c,
            history: {
              at: c.openedAt,
              actor: 'lifeguard',
              action: 'opened',
              fromStatus: null,
              toStatus: 'open',
              note: null,
            },
          });
        }
        const open = await s.listCases(tenant, { status: 'open', limit: 2 });
        assert.deepEqual(
          open.map((c) => c.accusedId),
          ['acc2', 'acc1'],
        );
        const next = await s.listCases(tenant, {
          status: 'open',
          limit: 2,
          before: { updatedAt: open[1]!.updatedAt, id: open[1]!.id },
        });
        assert.deepEqual(
          next.map((c) => c.accusedId),
          ['acc0'],
        );
        assert.equal((await s.listCases(tenant, { status: 'dismissed', limit: 10 })).length, 1);
        assert.equal((await s.listCases(other, { limit: 10 })).length, 0);
      });
    });
  });
}
