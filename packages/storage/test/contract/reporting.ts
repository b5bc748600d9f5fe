// The storage contract for ReportingStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  newId,
  type CaseRecord,
  type Storage,
  verifyAuditChain,
  FREEZE_ACTION,
  HOLD_ACTION,
  NotFoundError,
} from '../../src/index.ts';
import { newCase, type StoreFixture, T0, openWithTwoTenants } from './fixtures.ts';

export function reportingContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, reports and evidence: ${name}`, { skip }, () => {
    let s: Storage;
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      other = t.other;
    });

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
  });
}
