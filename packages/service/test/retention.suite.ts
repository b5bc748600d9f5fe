// Dismissed-case retention through the service, on both stores (retention.sqlite.test.ts,
// retention.postgres.test.ts): a moderator dismisses a case in the console, time passes the window,
// the retention job runs, and the console, the case API, the audit chain and the raw events show the
// result. An actioned case and a case reopened before the purge keep everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestStoreKind } from '@lifeguard/storage/testing';
import { newId, verifyAuditChain, type CaseRecord } from '@lifeguard/storage';
import { startTestService, NOW, type TestService } from './helpers.ts';
import { createStaff } from '../src/console/api.ts';

const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;

/** Plain chat lines; the point is that they must disappear, not that they are risky. */
const LINES = ['are you going to the match on saturday', 'yes my mum is driving us there'];

export function retentionSuite(kind: TestStoreKind, skip?: string): void {
  describe(`dismissed-case retention on ${kind}`, { skip }, () => {
    let s: TestService;
    let uiDir: string;
    let mod = { cookie: '', csrf: '' };

    const consoleCall = (method: string, url: string, payload?: unknown) =>
      s.app.inject({
        method: method as 'GET',
        url,
        headers: { cookie: mod.cookie, ...(method !== 'GET' ? { 'x-csrf-token': mod.csrf } : {}) },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    /** Raw events of a two-line conversation, ingested through the API, and a case holding a copy of them. */
    async function caseWithChat(label: string): Promise<{ c: CaseRecord; eventIds: string[]; texts: string[] }> {
      const accused = newId('adult');
      const child = newId('kid');
      const conversationId = newId(`conv-${label}`);
      const t = NOW() - 60_000;
      const texts = LINES.map((l) => `${l} (${label})`);
      const eventIds = texts.map((_, i) => newId(`msg-${label}-${i}`));
      const events = texts.map((text, i) => ({
        type: 'message',
        id: eventIds[i],
        time: t + i * 1000,
        conversationId,
        senderId: i === 0 ? accused : child,
        recipientIds: [i === 0 ? child : accused],
        text,
      }));
      assert.equal((await s.ingest(events)).statusCode, 200);
      const messages = events.map((e, i) => ({
        id: e.id,
        time: e.time,
        senderId: e.senderId,
        recipientIds: e.recipientIds,
        text: e.text,
        textPurged: false,
        ...(i === 0 ? { attachments: [{ kind: 'image', ref: `media://upload/${label}` }] } : {}),
      }));
      const report = {
        conversationId,
        score: 0.55,
        level: 'medium',
        stage: 'trust',
        stagesReached: ['access', 'trust'],
        sextortion: { leverage: false, threat: false, payment: false, deadline: false },
        suspectId: accused,
        targetId: child,
        participants: [],
        messageCount: 2,
        firstAt: t,
        lastAt: t + 1000,
        reasons: [`personal details: "${texts[0]!.slice(0, 12)}" (${eventIds[0]})`],
        evidence: [
          {
            messageId: eventIds[0],
            conversationId,
            senderId: accused,
            time: t,
            stage: 'trust',
            kind: 'personal_info',
            start: 0,
            end: 12,
            excerpt: texts[0]!.slice(0, 12),
          },
        ],
      };
      const c: CaseRecord = {
        id: newId('case'),
        tenantId: 'acme',
        accusedId: accused,
        status: 'open',
        level: 'medium',
        score: 0.55,
        conversationIds: [conversationId],
        evidence: {
          alerts: [],
          actor: null,
          conversations: { [conversationId]: { report, messages } },
          participants: [
            {
              userId: accused,
              age: 19,
              ageSource: 'declared',
              isMinor: false,
              declaredAge: 19,
              declaredAgeBand: null,
              country: 'GB',
            },
            {
              userId: child,
              age: 13,
              ageSource: 'declared',
              isMinor: true,
              declaredAge: 13,
              declaredAgeBand: null,
              country: 'GB',
            },
          ],
        },
        openedAt: t,
        updatedAt: t,
        version: 1,
      };
      await s.storage.saveCase('acme', {
        caseRecord: c,
        history: { at: t, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: 'test' },
      });
      return { c, eventIds, texts };
    }

    async function decide(c: CaseRecord, action: string, reason: string, note: string): Promise<void> {
      assert.equal((await consoleCall('POST', `/console/api/cases/${c.id}/claim`)).statusCode, 200);
      const res = await consoleCall('POST', `/console/api/cases/${c.id}/decisions`, {
        action,
        reason,
        note,
        expectedVersion: c.version,
      });
      assert.equal(res.statusCode, 200, res.body);
    }

    const rawTexts = async (ids: string[]) =>
      (await s.storage.getEventsByIds('acme', ids)).map((e) =>
        e.event.type === 'message' ? [e.event.text, e.textPurged] : null,
      );

    before(async () => {
      uiDir = mkdtempSync(join(tmpdir(), 'lifeguard-retention-ui-'));
      writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Lifeguard console</title>');
      s = await startTestService(kind, {
        console: { dir: uiDir },
        retention: { messageTextDays: 30, dismissedCaseDays: 90, intervalMs: 0 },
      });
      await createStaff(
        { storage: s.storage },
        'acme',
        { email: 'mod@acme.example', name: 'Mo Moderator', role: 'moderator', password: PASSWORD },
        { system: 'test' },
      );
      const res = await s.app.inject({
        method: 'POST',
        url: '/console/api/session',
        payload: { tenant: 'acme', email: 'mod@acme.example', password: PASSWORD },
      });
      assert.equal(res.statusCode, 200, res.body);
      mod = { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrfToken };
    });
    after(async () => {
      await s?.close();
      rmSync(uiDir, { recursive: true, force: true });
    });

    it("removes a dismissed case's copied messages after the window, keeps the decision and audit chain, and releases its raw text", async () => {
      const dismissed = await caseWithChat('dismissed');
      const actioned = await caseWithChat('actioned');
      const reopened = await caseWithChat('reopened');
      const note = 'classmates arranging a lift to a football match; nothing concerning';
      await decide(dismissed.c, 'dismiss', 'no_violation', note);
      await decide(actioned.c, 'warn', 'grooming', 'asked a 13-year-old for personal details');
      await decide(reopened.c, 'dismiss', 'no_violation', 'looked harmless at first reading');
      const reopen = await s.call('POST', `/v1/cases/${reopened.c.id}/transitions`, s.keys.reviewer, {
        to: 'open',
        note: 'new information',
      });
      assert.equal(reopen.statusCode, 200, reopen.body);

      // Today nothing is due: the API run reports zero cases, and the case holds its conversation's text.
      const today = await s.call('POST', '/v1/maintenance/retention', s.keys.admin);
      assert.equal(today.statusCode, 200, today.body);
      assert.deepEqual(
        { ...today.json().dismissedCases, dismissedBefore: 0 },
        { casesPurged: 0, messageTexts: 0, excerpts: 0, attachments: 0, dismissedBefore: 0 },
      );

      const later = Date.now() + 91 * DAY;
      const run = await s.app.lifeguard.retention.runTenant('acme', later);
      assert.deepEqual(
        { ...run.dismissedCases, dismissedBefore: 0 },
        { casesPurged: 1, messageTexts: 2, excerpts: 1, attachments: 1, dismissedBefore: 0 },
      );
      assert.equal(run.dismissedCases.dismissedBefore, later - 90 * DAY);

      // The console: the decision stays, the texts are gone, and the view says so.
      const viewRes = await consoleCall('GET', `/console/api/cases/${dismissed.c.id}`);
      assert.equal(viewRes.statusCode, 200);
      for (const text of dismissed.texts)
        assert.ok(!viewRes.body.includes(text.slice(0, 12)), 'no text or excerpt of the case is served');
      assert.ok(!viewRes.body.includes('media://upload/dismissed'), 'no media location is served');
      const view = viewRes.json();
      assert.equal(view.case.evidencePurgedAt, later);
      assert.equal(view.case.status, 'dismissed');
      assert.deepEqual(
        view.conversations[0].messages.map((m: { text: string; textPurged: boolean }) => [m.text, m.textPurged]),
        [
          ['', true],
          ['', true],
        ],
      );
      assert.deepEqual(view.timeline, []);
      assert.deepEqual(
        view.children.map((p: { age: number }) => p.age),
        [13],
        'ages as known stay',
      );
      const decision = view.history.find((e: { action: string }) => e.action === 'case.decision');
      assert.equal(decision.details.note, note);
      assert.equal(decision.details.reason, 'no_violation');
      const purge = view.history.find((e: { action: string }) => e.action === 'case.evidence_purged');
      assert.deepEqual(purge.actor, { system: 'retention' });
      assert.deepEqual(Object.keys(purge.details).sort(), [
        'attachments',
        'dismissedAt',
        'dismissedBefore',
        'excerpts',
        'messageTexts',
      ]);
      assert.equal((await verifyAuditChain(s.storage, 'acme')).ok, true);

      // The case API: same evidence, the transition kept, the purge recorded in the history.
      const api = (await s.call('GET', `/v1/cases/${dismissed.c.id}`, s.keys.reader)).json();
      assert.equal(api.case.evidencePurgedAt, later);
      assert.ok(
        api.history.some(
          (h: { toStatus: string; action: string; note: string }) =>
            h.action === 'transition' && h.toStatus === 'dismissed' && h.note.includes(note),
        ),
        'the dismissal and its note stay in the history',
      );
      assert.ok(
        api.history.at(-1).note.startsWith('message content removed by retention'),
        'the history records the removal',
      );

      // Raw events: the dismissed case no longer holds its conversation; the actioned case still does.
      assert.deepEqual(await rawTexts(dismissed.eventIds), [
        ['', true],
        ['', true],
      ]);
      assert.deepEqual(
        await rawTexts(actioned.eventIds),
        actioned.texts.map((t) => [t, false]),
      );
      assert.deepEqual(
        await rawTexts(reopened.eventIds),
        reopened.texts.map((t) => [t, false]),
      );

      // The actioned case and the case reopened before the purge keep their evidence.
      for (const kept of [actioned, reopened]) {
        const v = (await consoleCall('GET', `/console/api/cases/${kept.c.id}`)).json();
        assert.equal(v.case.evidencePurgedAt, null);
        assert.deepEqual(
          v.conversations[0].messages.map((m: { text: string }) => m.text),
          kept.texts,
        );
      }

      // A second run purges nothing more.
      const again = await s.app.lifeguard.retention.runTenant('acme', later + 1000);
      assert.equal(again.dismissedCases.casesPurged, 0);

      // Reopened after the purge (an appeal): the case says its evidence was removed, it does not come back.
      const reopenPurged = await s.call('POST', `/v1/cases/${dismissed.c.id}/transitions`, s.keys.reviewer, {
        to: 'open',
        note: 'appeal',
      });
      assert.equal(reopenPurged.statusCode, 200, reopenPurged.body);
      const afterReopen = (await consoleCall('GET', `/console/api/cases/${dismissed.c.id}`)).json();
      assert.equal(afterReopen.case.status, 'open');
      assert.equal(afterReopen.case.evidencePurgedAt, later);
      assert.deepEqual(
        afterReopen.conversations[0].messages.map((m: { text: string }) => m.text),
        ['', ''],
      );
    });
  });
}
