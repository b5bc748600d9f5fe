// SQLite store, Family Centre (migrations 8, 11 and 15): links, message contacts, safety prompts, settings and display names. The
// contract is FamilyStore in ../types.ts; the contract tests are test/contract/.
import type { LifeguardEvent } from '@lifeguard/core';
import { newId } from '../rows.ts';
import {
  ConflictError,
  type ConnectionSince,
  type DisplayNameUpdate,
  type FamilyLink,
  type FamilyLinkStatus,
  type FamilyPruneResult,
  type MessageContact,
  type SafetyWarningRecord,
  type FamilyStore,
} from '../types.ts';
import {
  bySlot,
  contactIncrements,
  mapFamilyLink,
  contactFromArray,
  connectionFromArray,
  mapWarning,
  transitionColumns,
  windowSum,
  DAY_MS,
  type ContactIncrement,
} from '../familyRows.ts';
import { SqliteRole, type SqliteConnection, type Row } from './connection.ts';

export class SqliteFamilyStore extends SqliteRole implements FamilyStore {
  async createFamilyLink(tenantId: string, link: Omit<FamilyLink, 'id'>): Promise<FamilyLink> {
    if (this.writer) return this.writer.call('createFamilyLink', [tenantId, link]);
    const record: FamilyLink = { id: newId('link'), ...link };
    try {
      this.q(`INSERT INTO family_links (tenant_id, id, parent_id, teen_id, status, basis, created_at, accepted_at, ended_at, ended_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        tenantId,
        record.id,
        record.parentId,
        record.teenId,
        record.status,
        record.basis,
        record.createdAt,
        record.acceptedAt,
        record.endedAt,
        record.endedBy,
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ConflictError(`a pending or active link between ${link.parentId} and ${link.teenId} already exists`);
      throw err;
    }
    return record;
  }

  async getFamilyLink(tenantId: string, linkId: string): Promise<FamilyLink | null> {
    const r = this.q('SELECT * FROM family_links WHERE tenant_id = ? AND id = ?').get(tenantId, linkId) as
      | Row
      | undefined;
    return r ? mapFamilyLink(r) : null;
  }

  async listFamilyLinks(tenantId: string, userId: string): Promise<FamilyLink[]> {
    return (
      this.q(`SELECT * FROM family_links WHERE tenant_id = ? AND parent_id = ?
      UNION ALL SELECT * FROM family_links WHERE tenant_id = ? AND teen_id = ? AND parent_id <> ?
      ORDER BY created_at DESC, id DESC`).all(tenantId, userId, tenantId, userId, userId) as Row[]
    ).map(mapFamilyLink);
  }

  async activeLinksForTeens(tenantId: string, teenIds: string[]): Promise<FamilyLink[]> {
    const out: FamilyLink[] = [];
    for (let i = 0; i < teenIds.length; i += 500) {
      const chunk = teenIds.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT * FROM family_links WHERE tenant_id = ? AND status = 'active' AND teen_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(tenantId, ...chunk) as Row[];
      out.push(...rows.map(mapFamilyLink));
    }
    return out;
  }

  async transitionFamilyLink(
    tenantId: string,
    linkId: string,
    from: readonly FamilyLinkStatus[],
    patch: { status: FamilyLinkStatus; at: number; by: string },
  ): Promise<FamilyLink | null> {
    if (this.writer) return this.writer.call('transitionFamilyLink', [tenantId, linkId, from, patch]);
    const c = transitionColumns(patch.status, patch.at, patch.by);
    const r = this.db
      .prepare(`UPDATE family_links SET status = ?, accepted_at = coalesce(?, accepted_at), ended_at = coalesce(?, ended_at), ended_by = coalesce(?, ended_by)
      WHERE tenant_id = ? AND id = ? AND status IN (${from.map(() => '?').join(',')}) RETURNING *`)
      .get(patch.status, c.acceptedAt, c.endedAt, c.endedBy, tenantId, linkId, ...from) as Row | undefined;
    return r ? mapFamilyLink(r) : null;
  }

  async messageContacts(tenantId: string, userId: string, since: number): Promise<MessageContact[]> {
    const day = Math.floor(since / DAY_MS);
    // Rows as arrays: the view reads thousands of them, and an object per row is most of the cost.
    const rows = this.q(`SELECT other_id, last_at, ${windowSum('@day')} AS messages FROM message_contacts
      WHERE tenant_id = @tenantId AND user_id = @userId AND last_at >= @from ORDER BY last_at DESC, other_id`)
      .raw(true)
      .all({ tenantId, userId, day, from: day * DAY_MS }) as [string, number, number][];
    return rows.map(contactFromArray);
  }

  async messageContactsWith(tenantId: string, otherId: string, since: number): Promise<string[]> {
    return (
      this.q(
        'SELECT user_id FROM message_contacts WHERE tenant_id = ? AND other_id = ? AND last_at >= ? ORDER BY user_id',
      ).all(tenantId, otherId, Math.floor(since / DAY_MS) * DAY_MS) as Row[]
    ).map((r) => String(r.user_id));
  }

  async connectionsSince(tenantId: string, userId: string, limit: number): Promise<ConnectionSince[]> {
    // Both halves come newest first from migration 15's indexes and are merged; ties on the time go by
    // the other account's id descending, the index's own order, so nothing is sorted.
    const rows =
      this.q(`SELECT user_b AS other, changed_at FROM connections INDEXED BY connections_a_since WHERE tenant_id = ? AND user_a = ? AND connected = 1
      UNION ALL SELECT user_a AS other, changed_at FROM connections INDEXED BY connections_b_since WHERE tenant_id = ? AND user_b = ? AND connected = 1
      ORDER BY changed_at DESC, other DESC LIMIT ?`)
        .raw(true)
        .all(tenantId, userId, tenantId, userId, limit) as [string, number][];
    return rows.map(connectionFromArray);
  }

  async recordSafetyWarnings(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void> {
    if (this.writer) return this.writer.call('recordSafetyWarnings', [tenantId, warnings]);
    const insert = this.q(
      'INSERT INTO safety_warnings (tenant_id, user_id, at, kind, counterpart_id) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const w of warnings) insert.run(tenantId, w.userId, w.at, w.kind, w.counterpartId);
    })();
  }

  async safetyWarnings(tenantId: string, userId: string, since: number, limit: number): Promise<SafetyWarningRecord[]> {
    return (
      this.q(
        'SELECT * FROM safety_warnings WHERE tenant_id = ? AND user_id = ? AND at >= ? ORDER BY at DESC LIMIT ?',
      ).all(tenantId, userId, since, limit) as Row[]
    ).map(mapWarning);
  }

  async putAccountSettings(
    tenantId: string,
    userId: string,
    settings: Record<string, unknown>,
    at: number,
  ): Promise<Record<string, unknown> | null> {
    if (this.writer) return this.writer.call('putAccountSettings', [tenantId, userId, settings, at]);
    return this.db
      .transaction(() => {
        const previous = this.q('SELECT settings FROM account_settings WHERE tenant_id = ? AND user_id = ?').get(
          tenantId,
          userId,
        ) as Row | undefined;
        this.q(`INSERT INTO account_settings (tenant_id, user_id, settings, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`).run(
          tenantId,
          userId,
          JSON.stringify(settings),
          at,
        );
        return previous ? (JSON.parse(String(previous.settings)) as Record<string, unknown>) : null;
      })
      .immediate();
  }

  async accountSettings(
    tenantId: string,
    userId: string,
  ): Promise<{ settings: Record<string, unknown>; updatedAt: number } | null> {
    const r = this.q('SELECT settings, updated_at FROM account_settings WHERE tenant_id = ? AND user_id = ?').get(
      tenantId,
      userId,
    ) as Row | undefined;
    return r
      ? { settings: JSON.parse(String(r.settings)) as Record<string, unknown>, updatedAt: Number(r.updated_at) }
      : null;
  }

  async putDisplayNames(tenantId: string, names: readonly DisplayNameUpdate[], at: number): Promise<void> {
    if (this.writer) return this.writer.call('putDisplayNames', [tenantId, names, at]);
    const put = this.q(`INSERT INTO display_names (tenant_id, user_id, name, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (tenant_id, user_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`);
    const remove = this.q('DELETE FROM display_names WHERE tenant_id = ? AND user_id = ?');
    this.db.transaction(() => {
      for (const n of names) {
        if (n.name === null) remove.run(tenantId, n.userId);
        else put.run(tenantId, n.userId, n.name, at);
      }
    })();
  }

  async displayNames(tenantId: string, userIds: readonly string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    // One statement for any number of ids: the list goes in as a JSON array.
    const rows = this.q(
      'SELECT user_id, name FROM display_names WHERE tenant_id = ? AND user_id IN (SELECT value FROM json_each(?))',
    )
      .raw(true)
      .all(tenantId, JSON.stringify(userIds)) as [string, string][];
    return new Map(rows);
  }

  async pruneFamilyMetadata(tenantId: string, before: number): Promise<FamilyPruneResult> {
    if (this.writer) return this.writer.call('pruneFamilyMetadata', [tenantId, before]);
    return this.db
      .transaction(() => ({
        // A day is removed once all of it is older than `before`.
        contactPairs: this.q('DELETE FROM message_contacts WHERE tenant_id = ? AND last_at < ?').run(
          tenantId,
          Math.floor(before / DAY_MS) * DAY_MS,
        ).changes,
        warnings: this.q('DELETE FROM safety_warnings WHERE tenant_id = ? AND at < ?').run(tenantId, before).changes,
      }))
      .immediate();
  }
}

/** Counts the accepted messages of teens with a pending or active family link (one lookup per batch). */
export function addMessageContacts(s: SqliteConnection, tenantId: string, messages: LifeguardEvent[]): void {
  if (messages.length === 0) return;
  const all = contactIncrements(messages);
  const users = [...new Set(all.map((c) => c.userId))];
  const linked = new Set<string>();
  for (let i = 0; i < users.length; i += 500) {
    const chunk = users.slice(i, i + 500);
    const rows = s.db
      .prepare(
        `SELECT DISTINCT teen_id FROM family_links WHERE tenant_id = ? AND status IN ('pending', 'active') AND teen_id IN (${chunk.map(() => '?').join(',')})`,
      )
      .all(tenantId, ...chunk) as Row[];
    for (const r of rows) linked.add(String(r.teen_id));
  }
  const increments: ContactIncrement[] = all.filter((c) => linked.has(c.userId));
  if (increments.length === 0) return;
  for (const [k, list] of bySlot(increments)) {
    // A newer day takes the slot over; the same day adds; an older one (8+ days back) is ignored.
    const upsert =
      s.q(`INSERT INTO message_contacts (tenant_id, user_id, other_id, last_at, d${k}, c${k}) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (tenant_id, user_id, other_id) DO UPDATE SET
        c${k} = CASE WHEN excluded.d${k} > d${k} THEN excluded.c${k} WHEN excluded.d${k} = d${k} THEN c${k} + excluded.c${k} ELSE c${k} END,
        d${k} = max(d${k}, excluded.d${k}), last_at = max(last_at, excluded.last_at)`);
    for (const c of list) upsert.run(tenantId, c.userId, c.otherId, c.lastAt, c.day, c.messages);
  }
}
