// PostgreSQL store, webhook endpoints and the outbox of deliveries. The contract is WebhookStore in ../types.ts; the
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
import { PostgresRole, type PostgresConnection, type Queryable } from './connection.ts';

export class PostgresWebhookStore extends PostgresRole implements WebhookStore {
  async createWebhook(endpoint: Omit<WebhookEndpoint, 'createdAt'> & { createdAt?: number }): Promise<WebhookEndpoint> {
    const record: WebhookEndpoint = { ...endpoint, createdAt: endpoint.createdAt ?? Date.now() };
    await this.pool.query(
      'INSERT INTO webhook_endpoints (id, tenant_id, url, secret, events, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        record.id,
        record.tenantId,
        record.url,
        record.secret,
        JSON.stringify(record.events),
        record.enabled,
        record.createdAt,
      ],
    );
    return record;
  }

  async listWebhooks(tenantId: string): Promise<WebhookEndpoint[]> {
    return (
      await this.rows('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id', [tenantId])
    ).map(mapWebhook);
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    return this.tx(async (client) => {
      const res = await client.query('DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      const deleted = (res.rowCount ?? 0) > 0;
      if (deleted) {
        await client.query(
          "UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL, last_error = 'endpoint deleted' WHERE tenant_id = $1 AND endpoint_id = $2 AND status IN ('pending', 'failing')",
          [tenantId, id],
        );
      }
      return deleted;
    });
  }

  async enqueueWebhookEvent(tenantId: string, event: WebhookEventInput, at: number): Promise<number> {
    return enqueueDeliveries(this.conn, this.pool, tenantId, event, at);
  }

  async claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.rows(
      `WITH due AS (
         SELECT id FROM webhook_deliveries WHERE status IN ('pending', 'failing') AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET next_attempt_at = $3
       FROM due, webhook_endpoints e
       WHERE d.id = due.id AND e.id = d.endpoint_id AND e.tenant_id = d.tenant_id
       RETURNING d.*, e.url, e.secret`,
      [now, limit, now + leaseMs],
    );
    return rows.map((r) => ({ ...mapDelivery(r), url: String(r.url), secret: String(r.secret) }));
  }

  async recordDeliveryOutcome(deliveryId: string, o: DeliveryOutcome): Promise<void> {
    if (o.ok) {
      await this.pool.query(
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at = NULL, last_status_code = $1, last_error = NULL, delivered_at = $2 WHERE id = $3",
        [o.statusCode, o.at, deliveryId],
      );
    } else {
      await this.pool.query(
        'UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_status_code = $3, last_error = $4 WHERE id = $5',
        [o.nextAttemptAt === null ? 'dead' : 'failing', o.nextAttemptAt, o.statusCode, o.error, deliveryId],
      );
    }
  }

  async listDeliveries(
    tenantId: string,
    query: { status?: DeliveryStatus; limit: number },
  ): Promise<WebhookDelivery[]> {
    const rows = query.status
      ? await this.rows(
          'SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC, id DESC LIMIT $3',
          [tenantId, query.status, query.limit],
        )
      : await this.rows(
          'SELECT * FROM webhook_deliveries WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
          [tenantId, query.limit],
        );
    return rows.map(mapDelivery);
  }
}

export async function enqueueDeliveries(
  s: PostgresConnection,
  db: Queryable,
  tenantId: string,
  event: WebhookEventInput,
  at: number,
): Promise<number> {
  const endpoints = (
    await s.rows('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND enabled', [tenantId], db)
  ).map(mapWebhook);
  const targets = endpoints.filter((e) => webhookSubscribed(e.events, event.type));
  if (targets.length === 0) return 0;
  await db.query(
    `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, created_at)
     SELECT unnest($1::text[]), $2, unnest($3::text[]), $4, $5, 'pending', 0, $6, $6`,
    [
      targets.map(() => newId('dlv')),
      tenantId,
      targets.map((t) => t.id),
      event.type,
      JSON.stringify(event.payload),
      at,
    ],
  );
  return targets.length;
}
