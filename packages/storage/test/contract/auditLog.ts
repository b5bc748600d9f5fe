// The storage contract for AuditLogStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Storage, verifyAuditChain } from '../../src/index.ts';
import { type StoreFixture, T0, openWithTwoTenants, createModeratorAndSpecialist } from './fixtures.ts';

export function auditLogContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, audit log: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
    });

    describe('moderator console: audit log', () => {
      const at = T0 + 1000;
      const mod = { id: '', name: 'Mo' };
      const other = { id: '', name: 'Ola' };

      before(async () => {
        const ids = await createModeratorAndSpecialist(s, tenant, at);
        mod.id = ids.mod;
        other.id = ids.other;
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
  });
}
