// The storage contract for ReviewQueueStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, newId, type CaseRecord, type Storage } from '../../src/index.ts';
import { newCase, type StoreFixture, T0, openWithTwoTenants, createModeratorAndSpecialist } from './fixtures.ts';

export function reviewQueueContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, review queue: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
    });

    describe('moderator console: queue, claims, decisions, appeals', () => {
      const at = T0 + 1000;
      const hour = 3_600_000;
      const mod = { id: '', name: 'Mo' };
      const other = { id: '', name: 'Ola' };

      let umbrella = '';
      before(async () => {
        umbrella = (await s.createTenant('umbrella', 'Umbrella Chat')).id;
        const ids = await createModeratorAndSpecialist(s, tenant, at);
        mod.id = ids.mod;
        other.id = ids.other;
      });

      function queueCase(score: number, openedAt: number, evidence: unknown = {}): CaseRecord {
        return { ...newCase(tenant, `acc-${score}-${openedAt}`, []), score, openedAt, updatedAt: openedAt, evidence };
      }

      it('orders the queue by urgency: a young child and sextortion outrank risk alone, waiting adds up', async () => {
        const t = T0 + 100 * hour;
        const plain = queueCase(0.9, t);
        const child = queueCase(0.6, t, { participants: [{ userId: 'kid', age: 11, isMinor: true }] });
        const sext = queueCase(0.6, t, {
          conversations: {
            c: {
              report: {
                stage: 'sextortion',
                sextortion: { threat: true, payment: true, leverage: true, deadline: true },
              },
            },
          },
        });
        const old = queueCase(0.9, t - 1.5 * hour);
        for (const c of [plain, child, sext, old]) await s.saveCase(tenant, { caseRecord: c });
        const page = await s.queueCases(tenant, { view: 'open', userId: mod.id, now: t, limit: 10 });
        const ids = page.cases.map((c) => c.id).filter((id) => [plain.id, child.id, sext.id, old.id].includes(id));
        assert.deepEqual(ids, [sext.id, child.id, old.id, plain.id]);
        const s0 = page.cases.find((c) => c.id === sext.id)!;
        assert.equal(s0.queue.sextortion, true);
        assert.equal(s0.queue.stage, 'sextortion');
        assert.equal(page.cases.find((c) => c.id === child.id)!.queue.childAge, 11);
        assert.equal((s0 as unknown as { evidence?: unknown }).evidence, undefined, 'the queue leaves evidence out');
        // Pages continue after the cursor without repeats.
        const first = await s.queueCases(tenant, { view: 'open', userId: mod.id, now: t, limit: 2 });
        const rest = await s.queueCases(tenant, {
          view: 'open',
          userId: mod.id,
          now: t,
          limit: 10,
          after: { key: first.lastKey!, id: first.cases[1]!.id },
        });
        assert.deepEqual(
          [...first.cases, ...rest.cases].map((c) => c.id),
          page.cases.map((c) => c.id),
        );
        assert.equal(
          (await s.queueCases('globex', { view: 'open', userId: mod.id, now: t, limit: 10 })).cases.length,
          0,
        );
      });

      it("keeps an account case's children and fan-out in the queue row, and updates them on the next save", async () => {
        const t = T0 + 200 * hour;
        const evidence = {
          participants: [
            { userId: 'noah', age: 13, isMinor: true },
            { userId: 'lily', age: 12, isMinor: true },
          ],
          actor: {
            fanOut: {
              children: ['zoe', 'noah', 'lily'],
              intents: ['flattery', 'age_probe'],
              conversations: ['a', 'b', 'c'],
              withinDays: 2,
            },
          },
        };
        const c = queueCase(0.7, t, evidence);
        await s.saveCase(tenant, { caseRecord: c });
        const row = (await s.getQueueCase(tenant, c.id))!;
        assert.equal(row.queue.childId, 'lily', 'youngest child');
        assert.equal(row.queue.childCount, 3, 'noah, lily and zoe (named by the fan-out only)');
        assert.deepEqual(
          row.queue.fanOut,
          { intents: ['flattery', 'age_probe'], children: 3, withinDays: 2 },
          'fan-out summary',
        );
        const listed = (await s.queueCases(tenant, { view: 'open', userId: mod.id, now: t, limit: 50 })).cases.find(
          (q) => q.id === c.id,
        )!;
        assert.deepEqual(listed.queue.fanOut, row.queue.fanOut, 'the queue page carries it too');
        await s.saveCase(tenant, {
          caseRecord: { ...c, evidence: {}, version: 2, updatedAt: t + 1 },
          expectedVersion: 1,
        });
        const plain = (await s.getQueueCase(tenant, c.id))!;
        assert.equal(plain.queue.childId, null, 'no child after the evidence lost them');
        assert.equal(plain.queue.childCount, 0, 'count recomputed');
        assert.equal(plain.queue.fanOut, null, 'fan-out recomputed');
      });

      it('lets one claimant hold a case; the claim expires, renews and releases', async () => {
        const c = queueCase(0.5, T0);
        await s.saveCase(tenant, { caseRecord: c });
        const now = T0 + hour;
        const [a, b] = await Promise.all([
          s.claimCase(tenant, c.id, mod, now, now + 1000),
          s.claimCase(tenant, c.id, other, now, now + 1000),
        ]);
        assert.equal([a, b].filter((o) => o.outcome === 'claimed').length, 1, 'exactly one wins');
        const loser = a.outcome === 'claimed' ? other : mod;
        const winner = a.outcome === 'claimed' ? mod : other;
        const refused = await s.claimCase(tenant, c.id, loser, now + 1, now + 2000);
        assert.equal(refused.outcome, 'held');
        assert.equal(refused.outcome === 'held' && refused.claimedBy.id, winner.id);
        assert.equal((await s.claimCase(tenant, c.id, winner, now + 2, now + 5000)).outcome, 'claimed', 'renewal');
        assert.equal(
          (await s.claimCase(tenant, c.id, loser, now + 5001, now + 9000)).outcome,
          'claimed',
          'an expired claim can be taken over',
        );
        assert.equal((await s.queueCounts(tenant, loser.id, now + 5002)).mine, 1);
        assert.equal(await s.releaseClaim(tenant, c.id, winner.id), false, 'only the holder releases');
        assert.equal(await s.releaseClaim(tenant, c.id, loser.id), true);
        assert.equal((await s.claimCase('globex', c.id, mod, now, now + 1)).outcome, 'not_found');
      });

      it('decides a claimed case with its action, history, webhook and audit entry in one go; appeals exclude the decider', async () => {
        await s.createWebhook({
          id: newId('wh'),
          tenantId: umbrella,
          url: 'https://example.org/hook',
          secret: 's',
          events: ['enforcement.*'],
          enabled: true,
        });
        const c = { ...queueCase(0.8, T0), tenantId: umbrella };
        await s.saveCase(umbrella, { caseRecord: c });
        const now = T0 + 2 * hour;
        const decided = { ...c, status: 'actioned' as const, updatedAt: now, version: 2 };
        const input = {
          caseRecord: decided,
          expectedVersion: 1,
          decidedBy: mod.id,
          now,
          history: {
            at: now,
            actor: 'Mo',
            action: 'transition' as const,
            fromStatus: 'open' as const,
            toStatus: 'actioned' as const,
            note: 'warned for secrecy requests',
          },
          notify: [{ type: 'enforcement.action', payload: { caseId: c.id, action: 'warn' } }],
          action: {
            accountId: c.accusedId,
            caseId: c.id,
            action: 'warn',
            reason: 'grooming',
            durationHours: null,
            decidedBy: mod.id,
            decidedByName: 'Mo',
            at: now,
          },
          audit: {
            at: now,
            actor: { id: mod.id, name: 'Mo', role: 'moderator' },
            action: 'case.decision',
            caseId: c.id,
            targetId: c.accusedId,
            details: { action: 'warn' },
          },
        };
        await assert.rejects(
          s.decideCase(umbrella, input),
          (err: Error & { code?: string }) => err instanceof ConflictError && err.code === 'not_claimed',
        );
        await s.claimCase(umbrella, c.id, mod, now, now + 1000);
        await assert.rejects(s.decideCase(umbrella, { ...input, expectedVersion: 7 }), ConflictError);
        const deliveriesBefore = (await s.listDeliveries(umbrella, { limit: 100 })).length;
        const entry = await s.decideCase(umbrella, input);
        assert.equal(entry.action, 'case.decision');
        const after = (await s.getQueueCase(umbrella, c.id))!;
        assert.equal(after.status, 'actioned');
        assert.equal(after.queue.claimedBy, null);
        assert.equal(after.queue.decidedBy, mod.id);
        assert.equal((await s.listDeliveries(umbrella, { limit: 100 })).length, deliveriesBefore + 1);
        assert.deepEqual(
          (await s.enforcementActions(umbrella, [c.accusedId])).map((a) => a.action),
          ['warn'],
        );
        assert.equal((await s.caseHistory(umbrella, c.id)).at(-1)?.note, 'warned for secrecy requests');
        assert.equal((await s.claimCase(umbrella, c.id, mod, now, now + 1)).outcome, 'closed');

        await s.appealCase(umbrella, {
          caseRecord: { ...decided, status: 'open', updatedAt: now + 10, version: 3 },
          expectedVersion: 2,
          history: {
            at: now + 10,
            actor: 'appeal',
            action: 'transition',
            fromStatus: 'actioned',
            toStatus: 'open',
            note: 'appeal',
          },
          notify: [],
          audit: {
            at: now + 10,
            actor: { system: 'lifeguard' },
            action: 'case.appeal',
            caseId: c.id,
            targetId: c.accusedId,
            details: {},
          },
        });
        const appealed = (await s.getQueueCase(umbrella, c.id))!;
        assert.equal(appealed.queue.appeal, true);
        assert.equal(appealed.queue.excludedReviewer, mod.id);
        assert.ok(
          (await s.queueCases(umbrella, { view: 'appeals', userId: other.id, now, limit: 10 })).cases.some(
            (q) => q.id === c.id,
          ),
          "the appealed case is in another moderator's appeals queue",
        );
        assert.equal((await s.claimCase(umbrella, c.id, mod, now + 20, now + 100)).outcome, 'same_reviewer');
        assert.ok(
          !(
            await s.queueCases(umbrella, { view: 'appeals', userId: mod.id, now, limit: 10, claimableOnly: true })
          ).cases.some((q) => q.id === c.id),
          'the moderator who decided cannot claim the appeal',
        );
        assert.equal((await s.claimCase(umbrella, c.id, other, now + 20, now + 100)).outcome, 'claimed');
      });
    });
  });
}
