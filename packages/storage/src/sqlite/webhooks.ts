// SQLite store, webhook endpoints and the outbox of deliveries. The contract is WebhookStore in ../types.ts; the
// contract tests are test/contract/.
import { mapDelivery, mapWebhook, newId, webhookSubscribed } from '../rows.ts';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  DeliveryStatus,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEventInput,
  WebhookStore,
} from '../types.ts';
import { SqliteRole, type SqliteConnection, type Row } from './connection.ts';

export class SqliteWebhookStore extends SqliteRole implements WebhookStore {
  async createWebhook(endpoint: Omit<WebhookEndpoint, 'createdAt'> & { createdAt?: number }): Promise<WebhookEndpoint> {
    if (this.writer) return this.writer.call('createWebhook', [endpoint]);
    const record: WebhookEndpoint = { ...endpoint, createdAt: endpoint.createdAt ?? Date.now() };
    this.q(
      'INSERT INTO webhook_endpoints (id, tenant_id, url, secret, events, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      record.id,
      record.tenantId,
      record.url,
      record.secret,
      JSON.stringify(record.events),
      record.enabled ? 1 : 0,
      record.createdAt,
    );
    return record;
  }

  async listWebhooks(tenantId: string): Promise<WebhookEndpoint[]> {
    return (
      this.q('SELECT * FROM webhook_endpoints WHERE tenant_id = ? ORDER BY created_at, id').all(tenantId) as Row[]
    ).map(mapWebhook);
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    if (this.writer) return this.writer.call('deleteWebhook', [tenantId, id]);
    return this.db
      .transaction(() => {
        const deleted =
          this.q('DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
        if (deleted) {
          this.q(
            "UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL, last_error = 'endpoint deleted' WHERE tenant_id = ? AND endpoint_id = ? AND status IN ('pending', 'failing')",
          ).run(tenantId, id);
        }
        return deleted;
      })
      .immediate();
  }

  async enqueueWebhookEvent(tenantId: string, event: WebhookEventInput, at: number): Promise<number> {
    if (this.writer) return this.writer.call('enqueueWebhookEvent', [tenantId, event, at]);
    return this.db.transaction(() => enqueueSync(this.conn, tenantId, event, at)).immediate();
  }

  async claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (this.writer) return this.writer.call('claimDueDeliveries', [now, limit, leaseMs]);
    return this.db
      .transaction(() => {
        const rows =
          this.q(`SELECT d.*, e.url, e.secret FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.tenant_id = d.tenant_id
        WHERE d.status IN ('pending', 'failing') AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`).all(
            now,
            limit,
          ) as Row[];
        const lease = this.q('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?');
        for (const r of rows) lease.run(now + leaseMs, r.id);
        return rows.map((r) => ({
          ...mapDelivery(r),
          nextAttemptAt: now + leaseMs,
          url: String(r.url),
          secret: String(r.secret),
        }));
      })
      .immediate();
  }

  async recordDeliveryOutcome(deliveryId: string, o: DeliveryOutcome): Promise<void> {
    if (this.writer) return this.writer.call('recordDeliveryOutcome', [deliveryId, o]);
    if (o.ok) {
      this.q(
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at = NULL, last_status_code = ?, last_error = NULL, delivered_at = ? WHERE id = ?",
      ).run(o.statusCode, o.at, deliveryId);
    } else {
      this.q(
        'UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_status_code = ?, last_error = ? WHERE id = ?',
      ).run(o.nextAttemptAt === null ? 'dead' : 'failing', o.nextAttemptAt, o.statusCode, o.error, deliveryId);
    }
  }

  async listDeliveries(
    tenantId: string,
    query: { status?: DeliveryStatus; limit: number },
  ): Promise<WebhookDelivery[]> {
    const rows = query.status
      ? this.q(
          'SELECT * FROM webhook_deliveries WHERE tenant_id = ? AND status = ? ORDER BY created_at DESC, id DESC LIMIT ?',
        ).all(tenantId, query.status, query.limit)
      : this.q('SELECT * FROM webhook_deliveries WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(
          tenantId,
          query.limit,
        );
    return (rows as Row[]).map(mapDelivery);
  }
}

export function enqueueSync(s: SqliteConnection, tenantId: string, event: WebhookEventInput, at: number): number {
  const endpoints = (
    s.q('SELECT * FROM webhook_endpoints WHERE tenant_id = ? AND enabled = 1').all(tenantId) as Row[]
  ).map(mapWebhook);
  const insert =
    s.q(`INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, created_at)
    VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`);
  let n = 0;
  const payload = JSON.stringify(event.payload);
  for (const endpoint of endpoints) {
    if (!webhookSubscribed(endpoint.events, event.type)) continue;
    insert.run(newId('dlv'), tenantId, endpoint.id, event.type, payload, at, at);
    n++;
  }
  return n;
}
