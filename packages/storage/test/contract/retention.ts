// The storage contract for RetentionStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type CaseRecord, type Storage, verifyAuditChain } from '../../src/index.ts';
import { type StoreFixture, T0, message, newCase, openWithTwoTenants } from './fixtures.ts';

export function retentionContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, retention: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    describe('message text retention', () => {
      it('removes old message text outside cases and after the snapshot only, keeping evidence conversations', async () => {
        const day = 86_400_000;
        // Another tenant's old message, which this tenant's retention must leave alone.
        await s.appendEvents(other, [message('e1', 'c1', 'x1', 'x2', 'other platform')], T0);
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
  });
}
