// The storage contract as tests. Both stores run this same suite (sqlite.test.ts, postgres.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LifeguardEvent } from '@lifeguard/core';
import { loadRegistry, type BankError } from '@lifeguard/pdq/pure';
import { ConflictError, newId, StorageHashBankStore, type CaseRecord, type Storage } from '../src/index.ts';
import { verifyAuditChain } from '../src/index.ts'; // console-server
import { FREEZE_ACTION, HOLD_ACTION, NotFoundError } from '../src/index.ts'; // reports and evidence

export interface StoreFixture {
  storage: Storage;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2025, 0, 1);

export function message(
  id: string,
  conversationId: string,
  senderId: string,
  recipientId: string,
  text: string,
  time = T0,
): LifeguardEvent {
  return { type: 'message', id, time, conversationId, senderId, recipientIds: [recipientId], text };
}
export function contact(
  id: string,
  action: 'friend_request' | 'friend_accept' | 'unfriend' | 'block' | 'report',
  actorId: string,
  targetId: string,
  time = T0,
): LifeguardEvent {
  return { type: 'contact', id, time, action, actorId, targetId };
}
export function account(
  id: string,
  userId: string,
  fields: { age?: number; ageBand?: 'under13' | '13-15' | '16-17' | 'adult' | 'unknown'; country?: string },
  time = T0,
): LifeguardEvent {
  return { type: 'account', id, time, userId, ...fields };
}

function newCase(tenantId: string, accusedId: string, conversationIds: string[], at = T0): CaseRecord {
  return {
    id: newId('case'),
    tenantId,
    accusedId,
    status: 'open',
    level: 'high',
    score: 0.7,
    conversationIds,
    evidence: { messages: [{ id: 'm1', text: 'how old are you' }] },
    openedAt: at,
    updatedAt: at,
    version: 1,
  };
}

export function storageSuite(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract: ${name}`, { skip }, () => {
    let fixture: StoreFixture;
    let s: Storage;
    let tenant = '';
    let other = '';

    before(async () => {
      fixture = await open();
      s = fixture.storage;
      tenant = (await s.createTenant('acme', 'Acme Social')).id;
      other = (await s.createTenant('globex', 'Globex Chat')).id;
    });
    after(async () => {
      await fixture?.cleanup();
    });

    it('applies migrations once and again without change', async () => {
      await s.migrate();
      assert.deepEqual(
        (await s.listTenants()).map((t) => t.id),
        ['acme', 'globex'],
      );
    });

    describe('events', () => {
      it('stores a batch and returns the events as they were sent, in seq order', async () => {
        const events = [
          message('e1', 'c1', 'u1', 'u2', 'hello there'),
          account('e2', 'u1', { age: 34, country: 'gb' }),
          contact('e3', 'friend_request', 'u1', 'u2'),
        ];
        const result = await s.appendEvents(tenant, events, T0 + 5);
        assert.deepEqual(result.statuses, ['accepted', 'accepted', 'accepted']);
        const seqs = result.seqs as number[];
        assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!, 'seqs increase in input order');
        const stored = await s.readEvents(tenant, 0, 10);
        assert.deepEqual(
          stored.map((e) => e.event),
          events,
        );
        assert.equal(stored[0]!.receivedAt, T0 + 5);
        assert.equal(stored[0]!.textPurged, false);
      });

      it('treats a repeated event id as a duplicate, within a batch and across batches, and keeps the first', async () => {
        const result = await s.appendEvents(
          tenant,
          [
            message('e1', 'c1', 'u1', 'u2', 'changed text'),
            message('e4', 'c1', 'u2', 'u1', 'hi'),
            message('e4', 'c1', 'u2', 'u1', 'hi again'),
          ],
          T0,
        );
        assert.deepEqual(result.statuses, ['duplicate', 'accepted', 'duplicate']);
        assert.equal(result.seqs[0], null);
        const [e1] = await s.getEventsByIds(tenant, ['e1']);
        assert.equal(e1!.event.type === 'message' && e1!.event.text, 'hello there');
        assert.equal(await s.countEvents(tenant), 4);
      });

      it('keeps tenants apart: the same id is a new event for another tenant and invisible to the first', async () => {
        const result = await s.appendEvents(other, [message('e1', 'c1', 'x1', 'x2', 'other platform')], T0);
        assert.deepEqual(result.statuses, ['accepted']);
        assert.equal(await s.countEvents(other), 1);
        const mine = await s.getEventsByIds(tenant, ['e1']);
        assert.equal(mine.length, 1);
        assert.equal(mine[0]!.event.type === 'message' && mine[0]!.event.text, 'hello there');
        assert.ok(
          (await s.readEvents(tenant, 0, 100)).every(
            (e) => !(e.event.type === 'message' && e.event.text === 'other platform'),
          ),
          "the other tenant's event is invisible",
        );
      });

      it('reads events after a seq, bounded by a limit', async () => {
        const all = await s.readEvents(tenant, 0, 100);
        const after1 = await s.readEvents(tenant, all[0]!.seq, 2);
        assert.deepEqual(
          after1.map((e) => e.event.id),
          all.slice(1, 3).map((e) => e.event.id),
        );
        assert.equal(await s.maxSeq(tenant), all[all.length - 1]!.seq);
        assert.equal(await s.maxSeq('nobody'), 0);
      });

      it('returns the newest messages of a conversation before a time, oldest first', async () => {
        const events = [1, 2, 3, 4, 5].map((i) =>
          message(`cm${i}`, 'conv-window', 'a', 'b', `line ${i}`, T0 + i * 1000),
        );
        await s.appendEvents(tenant, events.reverse(), T0);
        const window = await s.conversationMessages(tenant, 'conv-window', T0 + 4000, 2);
        assert.deepEqual(
          window.map((e) => e.event.id),
          ['cm3', 'cm4'],
        );
      });
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

    // Moderator console (helper "console-server") ----------------------------------------------
    describe('moderator console: staff, sessions, queue, claims, decisions, audit', () => {
      const at = T0 + 1000;
      const hour = 3_600_000;
      const mod = { id: '', name: 'Mo' };
      const other = { id: '', name: 'Ola' };

      let umbrella = '';
      before(async () => {
        umbrella = (await s.createTenant('umbrella', 'Umbrella Chat')).id;
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

      it('chains audit entries per tenant, filters them, and refuses UPDATE and DELETE', async () => {
        const actor = { id: mod.id, name: 'Mo', role: 'moderator' };
        await s.appendAudit(tenant, {
          at,
          actor,
          action: 'case.read',
          caseId: 'case_x',
          targetId: null,
          details: { n: 1 },
        });
        await s.appendAudit('globex', {
          at,
          actor: { system: 'lifeguard' },
          action: 'case.appeal',
          caseId: null,
          targetId: null,
          details: {},
        });
        await s.appendAudit(tenant, {
          at,
          actor,
          action: 'case.note',
          caseId: 'case_x',
          targetId: null,
          details: { note: 'a <b>note</b>' },
        });
        const forCase = await s.listAudit(tenant, { caseId: 'case_x', limit: 10 });
        assert.deepEqual(
          forCase.map((e) => e.action),
          ['case.note', 'case.read'],
        );
        assert.equal(forCase[0]!.prevHash, forCase[1]!.hash);
        assert.equal(forCase[0]!.seq, forCase[1]!.seq + 1);
        assert.deepEqual(forCase[0]!.details, { note: 'a <b>note</b>' });
        assert.equal((await s.listAudit('globex', { limit: 10 }))[0]!.seq, 1, 'each tenant has its own chain');
        assert.equal((await verifyAuditChain(s, tenant)).ok, true);
        const sql = (s as unknown as { kind: string }).kind;
        const tamper = async (statement: string) => {
          if (sql === 'sqlite') {
            const db = (s as unknown as { db: { prepare(q: string): { run(): void } } }).db;
            db.prepare(statement).run();
          } else {
            await (s as unknown as { pool: { query(q: string): Promise<unknown> } }).pool.query(statement);
          }
        };
        await assert.rejects(tamper(`UPDATE audit_log SET details = '{}' WHERE tenant_id = 'acme'`), /append-only/);
        await assert.rejects(tamper(`DELETE FROM audit_log WHERE tenant_id = 'acme'`), /append-only/);
        assert.equal((await verifyAuditChain(s, tenant)).ok, true);

        // Someone with the power to switch the triggers off: the chain still shows the edit.
        const [off, on] =
          sql === 'sqlite'
            ? [
                'DROP TRIGGER audit_log_no_update',
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END",
              ]
            : [
                'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only',
                'ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only',
              ];
        await tamper(off);
        try {
          await tamper(
            `UPDATE audit_log SET details = '{"note":"nothing to see"}' WHERE tenant_id = 'acme' AND action = 'case.note'`,
          );
        } finally {
          await tamper(on);
        }
        const broken = await verifyAuditChain(s, tenant);
        assert.equal(broken.ok, false);
        assert.equal(!broken.ok && broken.seq, forCase[0]!.seq);
        assert.equal((await verifyAuditChain(s, 'globex')).ok, true, "other tenants' chains are unaffected");
        await assert.rejects(
          tamper(`UPDATE audit_log SET details = '{}' WHERE tenant_id = 'acme'`),
          /append-only/,
          'the trigger is back',
        );
      });
    });
    // End of moderator console ------------------------------------------------------------------

    describe('webhooks', () => {
      let hookId = '';
      it('fans an event out to the endpoints subscribed to it', async () => {
        hookId = (
          await s.createWebhook({
            id: newId('wh'),
            tenantId: tenant,
            url: 'http://127.0.0.1:9/hook',
            secret: 's3cret',
            events: ['case.*'],
            enabled: true,
          })
        ).id;
        await s.createWebhook({
          id: newId('wh'),
          tenantId: tenant,
          url: 'http://127.0.0.1:9/decisions',
          secret: 's',
          events: ['decision.made'],
          enabled: true,
        });
        await s.createWebhook({
          id: newId('wh'),
          tenantId: other,
          url: 'http://127.0.0.1:9/other',
          secret: 's',
          events: ['*'],
          enabled: true,
        });
        assert.equal(await s.enqueueWebhookEvent(tenant, { type: 'case.opened', payload: { caseId: 'c1' } }, T0), 1);
        assert.equal((await s.listWebhooks(tenant)).length, 2);
        const pending = await s.listDeliveries(tenant, { status: 'pending', limit: 10 });
        assert.equal(pending.length, 1);
        assert.deepEqual(pending[0]!.payload, { caseId: 'c1' });
      });

      it('leases claimed deliveries so a second claim does not send them twice', async () => {
        const claimed = await s.claimDueDeliveries(T0 + 1, 10, 30_000);
        assert.equal(claimed.length, 1);
        assert.equal(claimed[0]!.secret, 's3cret');
        assert.equal(claimed[0]!.url, 'http://127.0.0.1:9/hook');
        assert.equal((await s.claimDueDeliveries(T0 + 2, 10, 30_000)).length, 0);
      });

      it('marks failures as failing with the next attempt, then dead or delivered', async () => {
        const [d] = await s.listDeliveries(tenant, { limit: 1 });
        await s.recordDeliveryOutcome(d!.id, {
          ok: false,
          statusCode: 500,
          error: 'HTTP 500',
          at: T0 + 3,
          nextAttemptAt: T0 + 1000,
        });
        let failing = await s.listDeliveries(tenant, { status: 'failing', limit: 10 });
        assert.equal(failing.length, 1);
        assert.equal(failing[0]!.attempts, 1);
        assert.equal(failing[0]!.lastStatusCode, 500);
        assert.equal((await s.claimDueDeliveries(T0 + 999, 10, 1000)).length, 0, 'not due yet');
        assert.equal((await s.claimDueDeliveries(T0 + 1000, 10, 1000)).length, 1);
        await s.recordDeliveryOutcome(d!.id, {
          ok: true,
          statusCode: 204,
          error: null,
          at: T0 + 1001,
          nextAttemptAt: null,
        });
        const delivered = await s.listDeliveries(tenant, { status: 'delivered', limit: 10 });
        assert.equal(delivered[0]!.attempts, 2);
        assert.equal(delivered[0]!.deliveredAt, T0 + 1001);
        await s.enqueueWebhookEvent(tenant, { type: 'case.updated', payload: {} }, T0);
        const [d2] = await s.listDeliveries(tenant, { status: 'pending', limit: 10 });
        await s.recordDeliveryOutcome(d2!.id, {
          ok: false,
          statusCode: null,
          error: 'ECONNREFUSED',
          at: T0,
          nextAttemptAt: null,
        });
        failing = await s.listDeliveries(tenant, { status: 'dead', limit: 10 });
        assert.equal(failing[0]!.lastError, 'ECONNREFUSED');
      });

      it('enqueues webhook events in the same transaction as a case change', async () => {
        const c = newCase(tenant, 'notify-me', ['conv-n']);
        await s.saveCase(tenant, {
          caseRecord: c,
          history: { at: T0, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
          notify: [{ type: 'case.opened', payload: { id: c.id } }],
        });
        const pending = await s.listDeliveries(tenant, { status: 'pending', limit: 10 });
        assert.ok(
          pending.some((p) => (p.payload as { id: string }).id === c.id),
          'the case change queued a webhook delivery',
        );
      });

      it('stops deliveries to a deleted endpoint', async () => {
        assert.equal(await s.deleteWebhook(other, hookId), false, 'another tenant cannot delete it');
        assert.equal(await s.deleteWebhook(tenant, hookId), true);
        assert.equal((await s.listDeliveries(tenant, { status: 'pending', limit: 10 })).length, 0);
      });
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

    describe('snapshots and retention', () => {
      it('returns the newest snapshot', async () => {
        for (const seq of [10, 20, 30])
          await s.saveSnapshot(tenant, { seq, createdAt: T0 + seq, data: JSON.stringify({ seq }) });
        assert.deepEqual(await s.latestSnapshot(tenant), { seq: 30, createdAt: T0 + 30, data: '{"seq":30}' });
        assert.equal(await s.latestSnapshot(other), null);
      });

      it('removes old message text outside cases and after the snapshot only, keeping evidence conversations', async () => {
        const day = 86_400_000;
        const base = await s.maxSeq(tenant);
        await s.appendEvents(
          tenant,
          [
            message('r1', 'plain-chat', 'a', 'b', 'old ordinary text', T0 - 40 * day),
            message('r2', 'case-chat', 'a', 'b', 'old evidence text', T0 - 40 * day),
            message('r3', 'plain-chat', 'a', 'b', 'recent text', T0 - 1 * day),
            message('r4', 'plain-chat', 'a', 'b', 'old but after snapshot', T0 - 40 * day),
          ],
          T0,
        );
        const c = newCase(tenant, 'a', ['case-chat']);
        await s.saveCase(tenant, {
          caseRecord: c,
          history: { at: T0, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
        });
        const held = await s.heldConversationIds(tenant);
        assert.ok(held.includes('case-chat'), 'a case holds its conversation');
        assert.ok(!held.includes('plain-chat'), 'a plain conversation is not held');
        assert.equal(new Set(held).size, held.length, 'each conversation once');
        assert.ok(
          !(await s.heldConversationIds(other)).includes('case-chat'),
          "another tenant's cases hold nothing here",
        );
        const r3seq = (await s.getEventsByIds(tenant, ['r3']))[0]!.seq;
        assert.ok(r3seq > base, 'the new event comes after the snapshot');
        const result = await s.purgeMessageText(tenant, T0 - 30 * day, r3seq, T0);
        assert.equal(result.messagesPurged >= 1, true);
        const byId = new Map((await s.getEventsByIds(tenant, ['r1', 'r2', 'r3', 'r4'])).map((e) => [e.event.id, e]));
        const text = (id: string) => {
          const e = byId.get(id)!.event;
          return e.type === 'message' ? e.text : null;
        };
        assert.equal(text('r1'), '');
        assert.equal(byId.get('r1')!.textPurged, true);
        assert.equal(text('r2'), 'old evidence text');
        assert.equal(text('r3'), 'recent text');
        assert.equal(text('r4'), 'old but after snapshot');
        assert.equal((await s.purgeMessageText(tenant, T0 - 30 * day, r3seq, T0)).messagesPurged, 0, 'idempotent');
        const otherText = (await s.getEventsByIds(other, ['e1']))[0]!.event;
        assert.equal(otherText.type === 'message' && otherText.text, 'other platform');
      });
    });

    // Dismissed-case retention ---------------------------------------------------------------------
    describe('dismissed-case retention', () => {
      const day = 86_400_000;
      const t = T0 + 1000 * day; // clear of the other tests' cases
      const secret = 'the children wrote this';
      // Tenants of their own: other tests leave dismissed cases behind in acme and globex.
      let tenant = '';
      let other = '';
      before(async () => {
        tenant = (await s.createTenant('initech', 'Initech Chat')).id;
        other = (await s.createTenant('hooli', 'Hooli Messenger')).id;
      });

      function evidenceFor(conversationIds: string[]) {
        const conversations: Record<string, unknown> = {};
        for (const id of conversationIds) {
          conversations[id] = {
            report: {
              conversationId: id,
              score: 0.8,
              level: 'high',
              stage: 'trust',
              stagesReached: ['access', 'trust'],
              suspectId: 'adult',
              targetId: 'kid',
              participants: [{ userId: 'kid', age: 12, ageSource: 'declared', isMinor: true, messageCount: 1 }],
              reasons: [
                `asked for secrecy or deletion of messages: "${secret}" (${id}-m1)`,
                'stages reached: access → trust',
              ],
              evidence: [
                {
                  kind: 'secrecy',
                  start: 0,
                  end: 5,
                  excerpt: secret,
                  messageId: `${id}-m1`,
                  conversationId: id,
                  senderId: 'adult',
                  time: t,
                  stage: 'trust',
                },
              ],
            },
            messages: [
              {
                id: `${id}-m1`,
                time: t,
                senderId: 'adult',
                recipientIds: ['kid'],
                text: secret,
                textPurged: false,
                attachments: [{ kind: 'image', ref: 'https://cdn.example.org/x.png' }],
              },
              {
                id: `${id}-m2`,
                time: t + 1,
                senderId: 'kid',
                recipientIds: ['adult'],
                text: `${secret} too`,
                textPurged: false,
              },
            ],
          };
        }
        return {
          alerts: [
            {
              kind: 'conversation',
              subjectId: conversationIds[0],
              level: 'high',
              score: 0.8,
              time: t,
              eventId: 'x',
              messagesRead: 2,
            },
          ],
          actor: null,
          conversations,
          participants: [
            {
              userId: 'kid',
              age: 12,
              ageSource: 'declared',
              isMinor: true,
              declaredAge: 12,
              declaredAgeBand: null,
              country: 'GB',
            },
          ],
        };
      }

      /** Opens a case, then moves it through `moves` ([status, at]) the way reviewers do. */
      async function caseThrough(
        tenantId: string,
        accusedId: string,
        conversationIds: string[],
        moves: [CaseRecord['status'], number][],
      ): Promise<CaseRecord> {
        let c: CaseRecord = {
          ...newCase(tenantId, accusedId, conversationIds, t),
          evidence: evidenceFor(conversationIds),
        };
        await s.saveCase(tenantId, {
          caseRecord: c,
          history: { at: t, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
        });
        for (const [to, at] of moves) {
          const next: CaseRecord = { ...c, status: to, updatedAt: at, version: c.version + 1 };
          await s.saveCase(tenantId, {
            caseRecord: next,
            expectedVersion: c.version,
            history: {
              at,
              actor: 'reviewer',
              action: 'transition',
              fromStatus: c.status,
              toStatus: to,
              note: `to ${to}`,
            },
          });
          c = next;
        }
        return c;
      }

      const raw = async (tenantId: string, id: string) => {
        const e = (await s.getEventsByIds(tenantId, [id]))[0]!;
        return e.event.type === 'message' ? e.event.text : null;
      };

      it('removes the copied message content of cases dismissed long enough ago, and keeps the decision, history and audit chain', async () => {
        await s.appendEvents(
          tenant,
          [
            message('dr1', 'dr-a', 'adult', 'kid', 'old text held by the dismissed case', t - 40 * day),
            message('dr2', 'dr-shared', 'adult', 'kid', 'old text also held by an actioned case', t - 40 * day),
            message('dr3', 'dr-d', 'adult', 'kid', 'old text of the actioned case', t - 40 * day),
          ],
          t,
        );
        const eligible = await caseThrough(
          tenant,
          'dr-old',
          ['dr-a', 'dr-shared'],
          [
            ['in_review', t + day],
            ['dismissed', t + 2 * day],
          ],
        );
        const recent = await caseThrough(tenant, 'dr-recent', ['dr-b'], [['dismissed', t + 60 * day]]);
        const reopened = await caseThrough(
          tenant,
          'dr-reopened',
          ['dr-c'],
          [
            ['dismissed', t + 2 * day],
            ['open', t + 30 * day],
          ],
        );
        const actioned = await caseThrough(
          tenant,
          'dr-actioned',
          ['dr-d', 'dr-shared'],
          [
            ['in_review', t + day],
            ['actioned', t + 2 * day],
          ],
        );
        const foreign = await caseThrough(other, 'dr-foreign', ['dr-e'], [['dismissed', t + 2 * day]]);
        const historyBefore = await s.caseHistory(tenant, eligible.id);

        const now = t + 100 * day;
        const maxSeq = await s.maxSeq(tenant);
        // Held back from message-text retention while the dismissed case keeps its evidence.
        await s.purgeMessageText(tenant, now - 30 * day, maxSeq, now);
        assert.equal(await raw(tenant, 'dr1'), 'old text held by the dismissed case');

        const result = await s.purgeDismissedCaseEvidence(tenant, now - 90 * day, now, 100);
        assert.deepEqual(result, { casesPurged: 1, messageTexts: 4, excerpts: 2, attachments: 2 });

        const after = (await s.getCase(tenant, eligible.id))!;
        assert.equal(after.status, 'dismissed');
        assert.equal(after.evidencePurgedAt, now);
        assert.equal(after.version, eligible.version + 1, 'a stale copy can no longer be saved over it');
        assert.equal(after.updatedAt, eligible.updatedAt);
        assert.ok(!JSON.stringify(after.evidence).includes(secret), 'no text, excerpt or quote is left');
        assert.ok(!JSON.stringify(after.evidence).includes('cdn.example.org'), 'no attachment reference is left');
        const ev = after.evidence as ReturnType<typeof evidenceFor> & { evidencePurgedAt: number };
        assert.equal(ev.evidencePurgedAt, now);
        const conv = ev.conversations['dr-a'] as {
          report: {
            score: number;
            stage: string;
            reasons: string[];
            evidence: { kind: string; excerpt: string; messageId: string }[];
          };
          messages: Record<string, unknown>[];
        };
        assert.deepEqual(conv.messages[0], {
          id: 'dr-a-m1',
          time: t,
          senderId: 'adult',
          recipientIds: ['kid'],
          text: '',
          textPurged: true,
          attachments: [{ kind: 'image' }],
        });
        assert.equal(conv.messages[1]!.textPurged, true);
        assert.deepEqual(
          conv.report.evidence.map((e) => [e.kind, e.messageId, e.excerpt]),
          [['secrecy', 'dr-a-m1', '']],
        );
        assert.deepEqual(conv.report.reasons, [
          'asked for secrecy or deletion of messages',
          'stages reached: access → trust',
        ]);
        assert.equal(conv.report.score, 0.8);
        assert.equal(conv.report.stage, 'trust');
        assert.deepEqual(ev.participants, evidenceFor([]).participants, 'participants and their ages stay');
        assert.equal(ev.alerts.length, 1);

        const history = await s.caseHistory(tenant, eligible.id);
        assert.deepEqual(history.slice(0, historyBefore.length), historyBefore, 'earlier history is untouched');
        const purgeEntry = history.at(-1)!;
        assert.equal(purgeEntry.actor, 'retention');
        assert.equal(purgeEntry.toStatus, 'dismissed');
        assert.match(purgeEntry.note ?? '', /4 message texts, 2 quoted spans, 2 attachment references/);

        const audit = await s.listAudit(tenant, { caseId: eligible.id, limit: 10 });
        assert.equal(audit.length, 1);
        assert.deepEqual(audit[0]!.actor, { system: 'retention' });
        assert.equal(audit[0]!.action, 'case.evidence_purged');
        assert.deepEqual(audit[0]!.details, {
          messageTexts: 4,
          excerpts: 2,
          attachments: 2,
          dismissedAt: t + 2 * day,
          dismissedBefore: now - 90 * day,
        });
        assert.equal((await verifyAuditChain(s, tenant)).ok, true);

        for (const kept of [recent, reopened, actioned]) {
          const c = (await s.getCase(tenant, kept.id))!;
          assert.equal(c.evidencePurgedAt, undefined, `${kept.accusedId} keeps its evidence`);
          assert.ok(JSON.stringify(c.evidence).includes(secret), `${kept.accusedId} keeps its texts`);
        }
        const foreignAfter = (await s.getCase(other, foreign.id))!;
        assert.ok(
          JSON.stringify(foreignAfter.evidence).includes(secret),
          "another tenant's dismissed case is not touched",
        );

        // The purged case no longer holds its conversation's raw text back; the actioned case still does.
        const held = await s.heldConversationIds(tenant);
        assert.ok(
          !held.includes('dr-a') && held.includes('dr-shared') && held.includes('dr-d'),
          `held: ${held.join(', ')}`,
        );
        await s.purgeMessageText(tenant, now - 30 * day, maxSeq, now);
        assert.equal(await raw(tenant, 'dr1'), '');
        assert.equal(await raw(tenant, 'dr2'), 'old text also held by an actioned case');
        assert.equal(await raw(tenant, 'dr3'), 'old text of the actioned case');

        assert.deepEqual(
          await s.purgeDismissedCaseEvidence(tenant, now - 90 * day, now + 1, 100),
          { casesPurged: 0, messageTexts: 0, excerpts: 0, attachments: 0 },
          'a second run purges nothing',
        );
        assert.equal((await s.listAudit(tenant, { caseId: eligible.id, limit: 10 })).length, 1);

        // The other tenant's case is purged only by a run for that tenant, one case per `limit`.
        assert.equal((await s.purgeDismissedCaseEvidence(other, now - 90 * day, now, 1)).casesPurged, 1);
        assert.equal((await s.getCase(other, foreign.id))!.evidencePurgedAt, now);
      });

      it('counts from the last dismissal: a reopened case is not eligible, and dismissing it again starts a new period', async () => {
        const c = await caseThrough(tenant, 'dr-again', ['dr-f'], [['dismissed', t + day]]);
        const now = t + 200 * day;
        const purgedAt = async () => (await s.getCase(tenant, c.id))!.evidencePurgedAt;
        // Cut-off between this case's dismissal and the previous test's recent one: only this case is due.
        assert.equal((await s.purgeDismissedCaseEvidence(tenant, t + 1.5 * day, now, 100)).casesPurged, 1);
        assert.equal(await purgedAt(), now);
        // Reopened after the purge: it shows the purge, and retention leaves it alone while it is open.
        const purged = (await s.getCase(tenant, c.id))!;
        const reopened: CaseRecord = { ...purged, status: 'open', updatedAt: now + day, version: purged.version + 1 };
        await s.saveCase(tenant, {
          caseRecord: reopened,
          expectedVersion: purged.version,
          history: {
            at: now + day,
            actor: 'reviewer',
            action: 'transition',
            fromStatus: 'dismissed',
            toStatus: 'open',
            note: 'appeal',
          },
        });
        assert.equal(await purgedAt(), now, 'a reopened case still says its evidence was removed');
        await s.purgeDismissedCaseEvidence(tenant, now + 500 * day, now + 500 * day, 100);
        assert.equal(await purgedAt(), now, 'an open case is never purged');
        // Dismissed again: due only once the new dismissal is old enough.
        const redismissed: CaseRecord = {
          ...reopened,
          status: 'dismissed',
          updatedAt: now + 2 * day,
          version: reopened.version + 1,
        };
        await s.saveCase(tenant, {
          caseRecord: redismissed,
          expectedVersion: reopened.version,
          history: {
            at: now + 2 * day,
            actor: 'reviewer',
            action: 'transition',
            fromStatus: 'open',
            toStatus: 'dismissed',
            note: null,
          },
        });
        await s.purgeDismissedCaseEvidence(tenant, now + day, now + 3 * day, 100);
        assert.equal(await purgedAt(), now, 'not yet: the new dismissal is recent');
        await s.purgeDismissedCaseEvidence(tenant, now + 3 * day, now + 3 * day, 100);
        assert.equal(await purgedAt(), now + 3 * day);
      });
    });
    // End of dismissed-case retention ----------------------------------------------------------------

    // Ban evasion (helper "ban-evasion") ---------------------------------------------------------
    // Reports and evidence (issue 11) -------------------------------------------------------------
    describe('reports and evidence: packages, holds, authority reports', () => {
      const day = 86_400_000;
      const t = T0 + 2000 * day;
      let tenant = '';
      before(async () => {
        tenant = (await s.createTenant('ev-reporting', 'Evidence Reporting Co')).id;
      });
      const freeze = (caseId: string, content: string, at = t) =>
        s.freezeEvidence(tenant, {
          caseId,
          createdAt: at,
          reason: 'case opened',
          package: content,
          digest: `d-${content}`,
          signature: `sig-${content}`,
          keyId: 'k1',
          audit: {
            at,
            actor: { system: 'evidence' },
            action: FREEZE_ACTION,
            caseId,
            targetId: null,
            details: { reason: 'case opened' },
          },
        });

      it("numbers a case's packages from 1 and records each digest in the audit chain in the same transaction", async () => {
        const a1 = await freeze('ev-case-a', '{"n":1}');
        const a2 = await freeze('ev-case-a', '{"n":2}');
        const b1 = await freeze('ev-case-b', '{"n":3}');
        assert.deepEqual([a1.version, a2.version, b1.version], [1, 2, 1], 'versions count per case');
        const entry = (await s.readAudit(tenant, a2.auditSeq - 1, 1))[0]!;
        assert.equal(entry.action, FREEZE_ACTION, 'the package points at its own audit entry');
        assert.deepEqual(
          entry.details,
          { reason: 'case opened', version: 2, digest: 'd-{"n":2}', keyId: 'k1' },
          'the entry carries version, digest and key',
        );
        assert.deepEqual(
          (await s.evidencePackages(tenant, 'ev-case-a')).map((p) => [p.version, p.package]),
          [
            [1, '{"n":1}'],
            [2, '{"n":2}'],
          ],
        );
        assert.equal((await verifyAuditChain(s, tenant)).ok, true, 'the chain still verifies');
        assert.deepEqual(await s.evidencePackages(other, 'ev-case-a'), [], 'another tenant sees none');
      });

      it('reads every package of the tenant in (case, version) order, page by page', async () => {
        const first = await s.readEvidencePackages(tenant, null, 2);
        const rest = await s.readEvidencePackages(tenant, { caseId: first[1]!.caseId, version: first[1]!.version }, 10);
        assert.deepEqual(
          [...first, ...rest].map((p) => `${p.caseId}#${p.version}`),
          ['ev-case-a#1', 'ev-case-a#2', 'ev-case-b#1'],
        );
      });

      it('keeps a held dismissed case out of retention until the hold ends, then removes the frozen content but not its digest', async () => {
        const c: CaseRecord = {
          ...newCase(tenant, 'ev-accused', ['ev-conv'], t),
          evidence: {
            conversations: {
              'ev-conv': {
                report: null,
                messages: [{ id: 'm', time: t, senderId: 'x', recipientIds: ['y'], text: 'kept', textPurged: false }],
              },
            },
          },
        };
        await s.saveCase(tenant, {
          caseRecord: c,
          history: { at: t, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
        });
        const dismissed: CaseRecord = { ...c, status: 'dismissed', version: 2, updatedAt: t + day };
        await s.saveCase(tenant, {
          caseRecord: dismissed,
          expectedVersion: 1,
          history: {
            at: t + day,
            actor: 'r',
            action: 'transition',
            fromStatus: 'open',
            toStatus: 'dismissed',
            note: null,
          },
        });
        await freeze(c.id, '{"text":"kept"}', t);
        const hold = await s.placeLegalHold(
          tenant,
          { caseId: c.id, reason: 'report filed', placedBy: 'spec', placedAt: t, until: t + 365 * day },
          {
            at: t,
            actor: { id: 'spec', name: 'Spec', role: 'specialist' },
            action: HOLD_ACTION,
            caseId: c.id,
            targetId: null,
            details: {},
          },
        );
        assert.deepEqual(
          (await s.legalHolds(tenant, c.id)).map((h) => h.id),
          [hold.id],
        );

        const during = t + 200 * day;
        assert.equal(
          (await s.purgeDismissedCaseEvidence(tenant, during - 90 * day, during, 100)).casesPurged,
          0,
          'held: nothing purged',
        );
        assert.equal(
          (await s.evidencePackages(tenant, c.id))[0]!.package,
          '{"text":"kept"}',
          'the frozen package is intact while held',
        );

        const afterHold = t + 400 * day;
        assert.equal(
          (await s.purgeDismissedCaseEvidence(tenant, afterHold - 90 * day, afterHold, 100)).casesPurged,
          1,
          'after the hold: purged',
        );
        const [pkg] = await s.evidencePackages(tenant, c.id);
        assert.equal(pkg!.package, null, 'the frozen content went with the case content');
        assert.equal(pkg!.digest, 'd-{"text":"kept"}', 'the digest stays for verification');
        assert.equal(pkg!.purgedAt, afterHold);
      });

      it('stores authority reports, updates them only from the expected status, and leases due ones to one worker', async () => {
        const report = {
          id: newId('rpt'),
          tenantId: tenant,
          caseId: 'ev-case-a',
          authority: 'ncmec' as const,
          subjectId: 'ev-accused',
          priority: 2,
          status: 'queued' as const,
          body: { incidentType: 'Online Enticement of Children for Sexual Acts' },
          progress: {},
          externalId: null,
          attempts: 0,
          nextAttemptAt: t,
          lastError: null,
          createdBy: 'spec',
          createdAt: t,
          dueAt: t + day,
          filedAt: null,
          keepReferenceUntil: null,
          updatedAt: t,
        };
        await s.createAuthorityReport(tenant, report, {
          at: t,
          actor: { system: 'test' },
          action: 'report.create',
          caseId: 'ev-case-a',
          targetId: report.id,
          details: {},
        });
        assert.deepEqual(await s.getAuthorityReport(tenant, report.id), report, 'read back as written');
        assert.equal(await s.getAuthorityReport(other, report.id), null, 'not visible to another tenant');

        const claimed = await s.claimDueAuthorityReports(t, 10, 60_000);
        assert.deepEqual(
          claimed.map((r) => r.id),
          [report.id],
          'due report claimed',
        );
        assert.deepEqual(
          await s.claimDueAuthorityReports(t + 1, 10, 60_000),
          [],
          'leased: a second worker gets nothing',
        );

        const progressed = await s.updateAuthorityReport(tenant, report.id, {
          patch: { status: 'in_progress', progress: { reportId: '42' }, externalId: '42', updatedAt: t + 2 },
          fromStatuses: ['queued'],
        });
        assert.equal(progressed.status, 'in_progress');
        assert.deepEqual(progressed.progress, { reportId: '42' });
        await assert.rejects(
          s.updateAuthorityReport(tenant, report.id, {
            patch: { status: 'filed', updatedAt: t + 3 },
            fromStatuses: ['queued'],
          }),
          ConflictError,
          'a stale transition is refused',
        );
        const filed = await s.updateAuthorityReport(tenant, report.id, {
          patch: { status: 'filed', filedAt: t + 4, updatedAt: t + 4 },
          fromStatuses: ['in_progress'],
          audit: {
            at: t + 4,
            actor: { system: 'reporting' },
            action: 'report.filed',
            caseId: 'ev-case-a',
            targetId: report.id,
            details: {},
          },
          hold: {
            caseId: 'ev-case-a',
            reason: 'report filed',
            placedBy: 'reporting',
            placedAt: t + 4,
            until: t + 365 * day,
          },
        });
        assert.equal(filed.filedAt, t + 4);
        assert.equal((await s.legalHolds(tenant, 'ev-case-a')).length, 1, 'the hold came with the filing');
        assert.deepEqual(
          (await s.listAuthorityReports(tenant, { subjectId: 'ev-accused', authority: 'ncmec', limit: 10 })).map(
            (r) => r.externalId,
          ),
          ['42'],
        );
        await assert.rejects(
          s.updateAuthorityReport(tenant, 'rpt_missing', { patch: { updatedAt: t } }),
          NotFoundError,
          'unknown report: not found',
        );
      });
    });
    // End of reports and evidence ------------------------------------------------------------------

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
    // End of ban evasion -------------------------------------------------------------------------

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
