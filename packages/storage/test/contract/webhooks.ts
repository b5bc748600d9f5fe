// The storage contract for WebhookStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newId, type Storage } from '../../src/index.ts';
import { type StoreFixture, T0, newCase, openWithTwoTenants } from './fixtures.ts';

export function webhooksContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, webhooks: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

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
  });
}
