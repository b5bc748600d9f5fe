// labels export on both stores: which decisions become which labels, and what retention leaves to
// export. (The end-to-end loop with the real commands is in learningLoop.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifeguardEvent } from '@lifeguard/core';
import { newId, type CaseRecord, type Storage } from '@lifeguard/storage';
import { openTestStore, postgresUnavailable, type TestStore, type TestStoreKind } from '@lifeguard/storage/testing';
import { exportLabels, LabelsExportError } from '../src/learning/labelsExport.ts';

const DAY = 86_400_000;
const TENANT = 'acme';

function chat(conversationId: string, adult: string, child: string, t0: number, texts: string[]): LifeguardEvent[] {
  return texts.map(
    (text, i) =>
      ({
        type: 'message',
        id: `${conversationId}-${i}`,
        time: t0 + i * 60_000,
        conversationId,
        senderId: i % 2 ? child : adult,
        recipientIds: [i % 2 ? adult : child],
        text,
      }) as LifeguardEvent,
  );
}

function decided(
  accusedId: string,
  conversationIds: string[],
  status: 'actioned' | 'dismissed' | 'open',
  at: number,
): CaseRecord {
  return {
    id: newId('case'),
    tenantId: TENANT,
    accusedId,
    status,
    level: 'high',
    score: 0.8,
    conversationIds,
    evidence: { alerts: [], actor: null, conversations: {}, participants: [], modelId: 'house-v1' },
    openedAt: at,
    updatedAt: at,
    version: 1,
  };
}

for (const kind of ['sqlite', 'postgres'] as TestStoreKind[]) {
  describe(`labels export (${kind})`, async () => {
    const skip = kind === 'postgres' ? await postgresUnavailable() : null;
    let store: TestStore;
    let s: Storage;
    const dir = mkdtempSync(join(tmpdir(), 'lifeguard-labels-'));
    const now = Date.now();
    const lines = (path: string) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));

    before(async () => {
      if (skip) return;
      store = await openTestStore(kind);
      s = store.storage;
      await s.createTenant(TENANT, 'Acme');
      const t0 = now - 200 * DAY;
      await s.appendEvents(
        TENANT,
        [
          { type: 'account', id: 'acc-mia', time: t0, userId: 'mia', age: 13 },
          { type: 'account', id: 'acc-rick', time: t0, userId: 'rick', age: 34, country: 'GB' },
          ...chat('c-harm', 'rick', 'mia', t0, ['how old r u', '13', 'keep this between us', 'ok']),
          ...chat('c-benign', 'coach', 'ruby', t0, ['practice moved to 5', 'ok coach']),
          ...chat('c-both', 'rick', 'ruby', t0, ['hey', 'hi']),
          ...chat('c-open', 'vic', 'tia', t0, ['hey', 'hi']),
        ],
        now,
      );
      await s.saveCase(TENANT, { caseRecord: decided('rick', ['c-harm', 'c-both'], 'actioned', now - 5 * DAY) });
      // Dismissed long ago: past the dismissed-case window, so retention may take its content.
      await s.saveCase(TENANT, { caseRecord: decided('coach', ['c-benign', 'c-both'], 'dismissed', now - 100 * DAY) });
      await s.saveCase(TENANT, { caseRecord: decided('vic', ['c-open'], 'open', now - DAY) });
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      if (!skip) await store.cleanup();
    });

    it('labels actioned cases harmful and dismissed ones benign, a conversation in both harmful, and leaves undecided cases out', {
      skip: skip ?? false,
    }, async () => {
      const out = join(dir, 'labels.jsonl');
      const events = join(dir, 'events.jsonl');
      const summary = await exportLabels(s, { tenantId: TENANT, labelsOut: out, eventsOut: events });
      assert.deepEqual(summary.cases, { actioned: 1, dismissed: 1 }, 'decided cases only');
      assert.equal(summary.conflicts, 1, 'c-both is in both');
      assert.deepEqual(
        lines(out).map((l) => [l.conversationId, l.label, l.modelId]),
        [
          ['c-benign', 'benign', 'house-v1'],
          ['c-both', 'harmful', 'house-v1'],
          ['c-harm', 'harmful', 'house-v1'],
        ],
      );
      const written = lines(events);
      assert.deepEqual(
        written.filter((e) => e.type === 'account').map((e) => [e.userId, e.age ?? null, e.country ?? null]),
        [
          ['mia', 13, null],
          ['rick', 34, 'GB'],
        ],
        'declared facts of the participants known to the store',
      );
      assert.deepEqual(
        [...new Set(written.filter((e) => e.type === 'message').map((e) => e.conversationId))].sort(),
        ['c-benign', 'c-both', 'c-harm'],
        'messages of the labelled conversations only',
      );
      assert.equal(summary.events.messages, 8, 'every message');
    });

    it('--since takes only cases decided since then', { skip: skip ?? false }, async () => {
      const out = join(dir, 'recent.jsonl');
      const summary = await exportLabels(s, { tenantId: TENANT, labelsOut: out, since: now - 30 * DAY });
      assert.deepEqual(summary.cases, { actioned: 1, dismissed: 0 }, 'the old dismissal is before --since');
      assert.deepEqual(
        lines(out).map((l) => l.conversationId),
        ['c-both', 'c-harm'],
      );
    });

    it('leaves out a conversation whose text retention removed everywhere, and says so', {
      skip: skip ?? false,
    }, async () => {
      const purged = await s.purgeDismissedCaseEvidence(TENANT, now - 90 * DAY, now, 100);
      assert.equal(purged.casesPurged, 1, "the old dismissed case's content goes");
      const text = await s.purgeMessageText(TENANT, now - 30 * DAY, await s.maxSeq(TENANT), now);
      assert.ok(text.messagesPurged >= 2, `c-benign's texts go from the event store too (${text.messagesPurged})`);
      const out = join(dir, 'after-retention.jsonl');
      const events = join(dir, 'after-retention-events.jsonl');
      const summary = await exportLabels(s, { tenantId: TENANT, labelsOut: out, eventsOut: events });
      assert.equal(summary.leftOut, 1, 'c-benign has no text left');
      assert.deepEqual(
        lines(out).map((l) => l.conversationId),
        ['c-both', 'c-harm'],
        'held conversations keep their text and their label',
      );
      assert.ok(!lines(events).some((e) => e.conversationId === 'c-benign'), 'no empty conversation in the events');
    });

    it('refuses an unknown tenant and a directory that does not exist, naming them', {
      skip: skip ?? false,
    }, async () => {
      await assert.rejects(
        exportLabels(s, { tenantId: 'globex', labelsOut: join(dir, 'x.jsonl') }),
        (e: Error) => e instanceof LabelsExportError && /no tenant "globex"/.test(e.message),
      );
      await assert.rejects(
        exportLabels(s, { tenantId: TENANT, labelsOut: join(dir, 'missing', 'x.jsonl') }),
        (e: Error) =>
          e instanceof LabelsExportError && /cannot write .*missing.*its directory does not exist/.test(e.message),
      );
    });
  });
}
