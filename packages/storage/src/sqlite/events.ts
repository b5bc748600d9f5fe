// SQLite store, events: appending (with the account and graph effects of account and contact events) and reading. The
// contract is EventStore in ../types.ts; the contract tests are test/contract/.
import type { LifeguardEvent } from '@lifeguard/core';
import { eventToRow, firstOccurrences, graphEffects, rowToEvent, type GraphEffect } from '../rows.ts';
import type { AppendResult, AppendStatus, StoredEvent, EventStore } from '../types.ts';
import type Database from 'better-sqlite3';
import { SqliteRole, type Row } from './connection.ts';
import { addMessageContacts } from './family.ts';

export class SqliteEventStore extends SqliteRole implements EventStore {
  async appendEvents(tenantId: string, events: LifeguardEvent[], receivedAt: number): Promise<AppendResult> {
    if (this.writer) return this.writer.call('appendEvents', [tenantId, events, receivedAt]);
    const result = this.#appendInline(tenantId, events, receivedAt);
    if (Date.now() - this.conversationsIndexedAt >= CONVERSATION_INDEX_EVERY_MS) this.indexConversations();
    return result;
  }

  /** Time of the last conversation_seqs catch-up (writer side). */
  private conversationsIndexedAt = 0;

  /** Adds the conversation entries of events stored since the last run, sorted, in one transaction. */
  indexConversations(): number {
    return this.db
      .transaction(() => {
        const from = Number((this.q('SELECT seq FROM conversation_index_state WHERE id = 1').get() as Row).seq);
        const to = Number((this.q('SELECT coalesce(max(seq), 0) AS n FROM events').get() as Row).n);
        this.conversationsIndexedAt = Date.now();
        if (to <= from) return 0;
        const added = this.q(`INSERT INTO conversation_seqs (tenant_id, conversation_id, seq)
        SELECT tenant_id, conversation_id, seq FROM events WHERE seq > ? AND seq <= ? AND type = 'message'
        ORDER BY tenant_id, conversation_id, seq`).run(from, to).changes;
        this.q('UPDATE conversation_index_state SET seq = ? WHERE id = 1').run(to);
        return added;
      })
      .immediate();
  }

  #appendInline(tenantId: string, events: LifeguardEvent[], receivedAt: number): AppendResult {
    const first = firstOccurrences(events);
    const candidates: LifeguardEvent[] = [];
    for (let i = 0; i < events.length; i++) if (first[i]) candidates.push(events[i]!);
    const seqById = new Map<string, number>();
    this.db
      .transaction(() => {
        // Many rows per statement: per-row statement calls cost more on this thread than SQLite's own work.
        // A conflicting id inserts nothing and returns no row, so it reads as a duplicate below.
        for (let at = 0; at < candidates.length; ) {
          const size = Math.min(INSERT_ROWS, candidates.length - at);
          const params: unknown[] = new Array(size * 8);
          for (let k = 0; k < size; k++) {
            const row = eventToRow(candidates[at + k]!);
            const p = k * 8;
            params[p] = tenantId;
            params[p + 1] = row.id;
            params[p + 2] = row.type;
            params[p + 3] = row.timeMs;
            params[p + 4] = receivedAt;
            params[p + 5] = row.conversationId;
            params[p + 6] = row.body;
            params[p + 7] = row.text;
          }
          for (const [id, seq] of this.#insertStatement(size).all(params) as [string, number | bigint][])
            seqById.set(id, Number(seq));
          at += size;
        }
        const accepted: LifeguardEvent[] = [];
        for (const event of candidates) {
          if (!seqById.has(event.id)) continue;
          for (const effect of graphEffects(event)) this.#applyEffect(tenantId, effect);
          if (event.type === 'message') accepted.push(event);
        }
        addMessageContacts(this.conn, tenantId, accepted); // Family Centre: message contacts of linked teens
      })
      .immediate();
    const statuses: AppendStatus[] = new Array(events.length);
    const seqs: (number | null)[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const seq = first[i] ? seqById.get(events[i]!.id) : undefined;
      statuses[i] = seq === undefined ? 'duplicate' : 'accepted';
      seqs[i] = seq ?? null;
    }
    return { statuses, seqs };
  }

  /** INSERT of `rows` events at once, returning [id, seq] of each row stored (raw arrays). */
  #insertStatement(rows: number): Database.Statement {
    return this.q(
      `INSERT INTO events (tenant_id, id, type, time_ms, received_at, conversation_id, body, text) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id, seq`,
    ).raw(true);
  }

  #applyEffect(tenantId: string, e: GraphEffect): void {
    if (e.kind === 'account') {
      // Per field: a newer event overrides; an older one that arrives late only fills gaps.
      this.q(`INSERT INTO accounts (tenant_id, user_id, age, age_band, country, locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET
          age = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.age, accounts.age) ELSE coalesce(accounts.age, excluded.age) END,
          age_band = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.age_band, accounts.age_band) ELSE coalesce(accounts.age_band, excluded.age_band) END,
          country = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.country, accounts.country) ELSE coalesce(accounts.country, excluded.country) END,
          locale = CASE WHEN excluded.updated_at >= accounts.updated_at THEN coalesce(excluded.locale, accounts.locale) ELSE coalesce(accounts.locale, excluded.locale) END,
          created_at = min(coalesce(accounts.created_at, excluded.created_at), coalesce(excluded.created_at, accounts.created_at)),
          updated_at = max(accounts.updated_at, excluded.updated_at)`).run(
        tenantId,
        e.userId,
        e.age,
        e.ageBand,
        e.country,
        e.locale,
        e.createdAt,
        e.at,
      );
    } else if (e.kind === 'connection') {
      this.q(`INSERT INTO connections (tenant_id, user_a, user_b, connected, changed_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, user_a, user_b) DO UPDATE SET connected = excluded.connected, changed_at = excluded.changed_at
        WHERE excluded.changed_at >= connections.changed_at`).run(tenantId, e.a, e.b, e.connected ? 1 : 0, e.at);
    } else {
      this.q(
        'INSERT INTO blocks (tenant_id, blocker_id, blocked_id, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ).run(tenantId, e.blocker, e.blocked, e.at);
    }
  }

  async readEvents(tenantId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return (
      this.q('SELECT * FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(
        tenantId,
        afterSeq,
        limit,
      ) as Row[]
    ).map(toStored);
  }

  async getEventsByIds(tenantId: string, ids: string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const out: StoredEvent[] = [];
    // Chunked to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      // No ORDER BY here: with one, SQLite walks every event of the tenant in seq order to avoid a sort.
      const rows = this.db
        .prepare(`SELECT * FROM events WHERE tenant_id = ? AND id IN (${chunk.map(() => '?').join(',')})`)
        .all(tenantId, ...chunk) as Row[];
      out.push(...rows.map(toStored));
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async conversationMessages(
    tenantId: string,
    conversationId: string,
    beforeTime: number,
    limit: number,
  ): Promise<StoredEvent[]> {
    // Indexed part, plus the events stored since the deferred index last caught up (a rowid range scan).
    const rows = this.q(
      `SELECT * FROM (
         SELECT * FROM (
           SELECT e.* FROM conversation_seqs c JOIN events e ON e.seq = c.seq
           WHERE c.tenant_id = ? AND c.conversation_id = ? AND e.time_ms <= ?
           ORDER BY c.seq DESC LIMIT ?
         )
         UNION ALL
         SELECT * FROM events WHERE seq > (SELECT seq FROM conversation_index_state WHERE id = 1)
           AND tenant_id = ? AND conversation_id = ? AND type = 'message' AND time_ms <= ?
       ) ORDER BY time_ms DESC, seq DESC LIMIT ?`,
    ).all(tenantId, conversationId, beforeTime, limit * 2, tenantId, conversationId, beforeTime, limit) as Row[];
    return rows.map(toStored).reverse();
  }

  async countEvents(tenantId: string): Promise<number> {
    return Number((this.q('SELECT count(*) AS n FROM events WHERE tenant_id = ?').get(tenantId) as Row).n);
  }

  async maxSeq(tenantId: string): Promise<number> {
    return Number((this.q('SELECT coalesce(max(seq), 0) AS n FROM events WHERE tenant_id = ?').get(tenantId) as Row).n);
  }
}

/** Events per INSERT statement (8 parameters each). Fewer in the last statement of a batch. */
const INSERT_ROWS = 64;

/** How often the writer brings conversation_seqs up to date (see migration 3). */
const CONVERSATION_INDEX_EVERY_MS = 250;

function toStored(r: Row): StoredEvent {
  return rowToEvent(r as Parameters<typeof rowToEvent>[0]);
}
