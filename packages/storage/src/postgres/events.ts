// PostgreSQL store, events: appending (with the account and graph effects of account and contact events) and reading.
// The contract is EventStore in ../types.ts; the contract tests are test/contract/.
import type { LifeguardEvent } from '@lifeguard/core';
import { eventToRow, firstOccurrences, graphEffects, rowToEvent, type GraphEffect } from '../rows.ts';
import type { AppendResult, AppendStatus, StoredEvent, EventStore } from '../types.ts';
import { contactIncrements } from '../familyRows.ts';
import type pg from 'pg';
import { PostgresRole, type Row } from './connection.ts';
import { addMessageContacts } from './family.ts';

/** The string with lone surrogates replaced by U+FFFD (String.prototype.toWellFormed, Node 20+; ES2024 lib). */
const wellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();

export class PostgresEventStore extends PostgresRole implements EventStore {
  async appendEvents(tenantId: string, events: LifeguardEvent[], receivedAt: number): Promise<AppendResult> {
    const first = firstOccurrences(events);
    const candidates = events.filter((_, i) => first[i]);
    const rows = candidates.map(eventToRow);
    return this.tx(async (client) => {
      // One statement for the whole batch; ORDER BY ord gives seqs in input order. The rows travel as
      // one JSON text: pg's encoding of six text arrays costs several times JSON.stringify on this
      // thread. Lone surrogates become U+FFFD first, as the UTF-8 encoding of an array element did,
      // because PostgreSQL refuses them in JSON.
      const inserted = await this.rowsNamed(
        'lifeguard_append_events_json',
        `INSERT INTO events (tenant_id, id, type, time_ms, received_at, conversation_id, body, text)
         SELECT $1, u.r->>0, u.r->>1, (u.r->>2)::bigint, $2, u.r->>3, u.r->>4, u.r->>5
         FROM json_array_elements($3::json) WITH ORDINALITY AS u(r, ord)
         ORDER BY u.ord
         ON CONFLICT (tenant_id, id) DO NOTHING
         RETURNING id, seq`,
        [
          tenantId,
          receivedAt,
          JSON.stringify(
            rows.map((r) => [
              wellFormed(r.id),
              r.type,
              r.timeMs,
              r.conversationId == null ? null : wellFormed(r.conversationId),
              wellFormed(r.body),
              r.text == null ? null : wellFormed(r.text),
            ]),
          ),
        ],
        client,
      );
      const seqById = new Map(inserted.map((r) => [String(r.id), Number(r.seq)]));
      const statuses: AppendStatus[] = [];
      const seqs: (number | null)[] = [];
      const accepted: LifeguardEvent[] = [];
      events.forEach((event, i) => {
        const seq = first[i] ? seqById.get(event.id) : undefined;
        statuses.push(seq === undefined ? 'duplicate' : 'accepted');
        seqs.push(seq ?? null);
        if (seq !== undefined) accepted.push(event);
      });
      await addMessageContacts(this.conn, client, tenantId, contactIncrements(accepted)); // Family Centre: message contacts of linked teens
      for (const event of accepted) {
        for (const effect of graphEffects(event)) await this.#applyEffect(client, tenantId, effect);
      }
      return { statuses, seqs };
    });
  }

  async #applyEffect(client: pg.PoolClient, tenantId: string, e: GraphEffect): Promise<void> {
    if (e.kind === 'account') {
      await client.query(
        `INSERT INTO accounts AS a (tenant_id, user_id, age, age_band, country, created_at, updated_at, locale) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET
           age = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.age, a.age) ELSE coalesce(a.age, excluded.age) END,
           age_band = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.age_band, a.age_band) ELSE coalesce(a.age_band, excluded.age_band) END,
           country = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.country, a.country) ELSE coalesce(a.country, excluded.country) END,
           locale = CASE WHEN excluded.updated_at >= a.updated_at THEN coalesce(excluded.locale, a.locale) ELSE coalesce(a.locale, excluded.locale) END,
           created_at = least(a.created_at, excluded.created_at),
           updated_at = greatest(a.updated_at, excluded.updated_at)`,
        [tenantId, e.userId, e.age, e.ageBand, e.country, e.createdAt, e.at, e.locale],
      );
    } else if (e.kind === 'connection') {
      await client.query(
        `INSERT INTO connections AS c (tenant_id, user_a, user_b, connected, changed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, user_a, user_b) DO UPDATE SET connected = excluded.connected, changed_at = excluded.changed_at
         WHERE excluded.changed_at >= c.changed_at`,
        [tenantId, e.a, e.b, e.connected, e.at],
      );
    } else {
      await client.query(
        'INSERT INTO blocks (tenant_id, blocker_id, blocked_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [tenantId, e.blocker, e.blocked, e.at],
      );
    }
  }

  async readEvents(tenantId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return (
      await this.rows('SELECT * FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
        tenantId,
        afterSeq,
        limit,
      ])
    ).map(toStored);
  }

  async getEventsByIds(tenantId: string, ids: string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    return (
      await this.rows('SELECT * FROM events WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY seq', [
        tenantId,
        ids,
      ])
    ).map(toStored);
  }

  async conversationMessages(
    tenantId: string,
    conversationId: string,
    beforeTime: number,
    limit: number,
  ): Promise<StoredEvent[]> {
    const rows = await this.rows(
      "SELECT * FROM events WHERE tenant_id = $1 AND conversation_id = $2 AND type = 'message' AND time_ms <= $3 ORDER BY time_ms DESC, seq DESC LIMIT $4",
      [tenantId, conversationId, beforeTime, limit],
    );
    return rows.map(toStored).reverse();
  }

  async countEvents(tenantId: string): Promise<number> {
    return Number((await this.one('SELECT count(*) AS n FROM events WHERE tenant_id = $1', [tenantId]))!.n);
  }

  async maxSeq(tenantId: string): Promise<number> {
    return Number(
      (await this.one('SELECT coalesce(max(seq), 0) AS n FROM events WHERE tenant_id = $1', [tenantId]))!.n,
    );
  }
}

function toStored(r: Row): StoredEvent {
  return rowToEvent(r as Parameters<typeof rowToEvent>[0]);
}
