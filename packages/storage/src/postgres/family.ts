// PostgreSQL store, Family Centre (migrations 8, 11 and 15): links, message contacts, safety prompts, settings and display names. The
// contract is FamilyStore in ../types.ts; the contract tests are test/contract/.
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
  mapFamilyLink,
  contactFromArray,
  connectionFromArray,
  mapWarning,
  transitionColumns,
  windowSum,
  DAY_MS,
  type ContactIncrement,
} from '../familyRows.ts';
import type pg from 'pg';
import { PostgresRole, type PostgresConnection } from './connection.ts';

export class PostgresFamilyStore extends PostgresRole implements FamilyStore {
  async createFamilyLink(tenantId: string, link: Omit<FamilyLink, 'id'>): Promise<FamilyLink> {
    const record: FamilyLink = { id: newId('link'), ...link };
    try {
      await this.pool.query(
        `INSERT INTO family_links (tenant_id, id, parent_id, teen_id, status, basis, created_at, accepted_at, ended_at, ended_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
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
        ],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new ConflictError(`a pending or active link between ${link.parentId} and ${link.teenId} already exists`);
      throw err;
    }
    return record;
  }

  async getFamilyLink(tenantId: string, linkId: string): Promise<FamilyLink | null> {
    const r = await this.one('SELECT * FROM family_links WHERE tenant_id = $1 AND id = $2', [tenantId, linkId]);
    return r ? mapFamilyLink(r) : null;
  }

  async listFamilyLinks(tenantId: string, userId: string): Promise<FamilyLink[]> {
    return (
      await this.rows(
        `SELECT * FROM family_links WHERE tenant_id = $1 AND (parent_id = $2 OR teen_id = $2) ORDER BY created_at DESC, id DESC`,
        [tenantId, userId],
      )
    ).map(mapFamilyLink);
  }

  async activeLinksForTeens(tenantId: string, teenIds: string[]): Promise<FamilyLink[]> {
    if (teenIds.length === 0) return [];
    return (
      await this.rows(
        `SELECT * FROM family_links WHERE tenant_id = $1 AND status = 'active' AND teen_id = ANY($2::text[])`,
        [tenantId, teenIds],
      )
    ).map(mapFamilyLink);
  }

  async transitionFamilyLink(
    tenantId: string,
    linkId: string,
    from: readonly FamilyLinkStatus[],
    patch: { status: FamilyLinkStatus; at: number; by: string },
  ): Promise<FamilyLink | null> {
    const c = transitionColumns(patch.status, patch.at, patch.by);
    const r = await this.one(
      `UPDATE family_links SET status = $1, accepted_at = coalesce($2, accepted_at), ended_at = coalesce($3, ended_at), ended_by = coalesce($4, ended_by)
      WHERE tenant_id = $5 AND id = $6 AND status = ANY($7::text[]) RETURNING *`,
      [patch.status, c.acceptedAt, c.endedAt, c.endedBy, tenantId, linkId, [...from]],
    );
    return r ? mapFamilyLink(r) : null;
  }

  async messageContacts(tenantId: string, userId: string, since: number): Promise<MessageContact[]> {
    const day = Math.floor(since / DAY_MS);
    // Rows as arrays: the view reads thousands of them, and an object per row is most of the client's cost.
    return (
      await arraysNamed(
        this.pool,
        'family_message_contacts',
        `SELECT other_id, last_at, ${windowSum('$3::int')} AS messages FROM message_contacts
      WHERE tenant_id = $1 AND user_id = $2 AND last_at >= $4 ORDER BY last_at DESC, other_id`,
        [tenantId, userId, day, day * DAY_MS],
      )
    ).map(contactFromArray);
  }

  async messageContactsWith(tenantId: string, otherId: string, since: number): Promise<string[]> {
    return (
      await this.rows(
        'SELECT user_id FROM message_contacts WHERE tenant_id = $1 AND other_id = $2 AND last_at >= $3 ORDER BY user_id',
        [tenantId, otherId, Math.floor(since / DAY_MS) * DAY_MS],
      )
    ).map((r) => String(r.user_id));
  }

  async connectionsSince(tenantId: string, userId: string, limit: number): Promise<ConnectionSince[]> {
    return (
      await arraysNamed(
        this.pool,
        'family_connections_since',
        `SELECT user_b AS other, changed_at FROM connections WHERE tenant_id = $1 AND user_a = $2 AND connected
      UNION ALL SELECT user_a AS other, changed_at FROM connections WHERE tenant_id = $1 AND user_b = $2 AND connected
      ORDER BY changed_at DESC, other DESC LIMIT $3`,
        [tenantId, userId, limit],
      )
    ).map(connectionFromArray);
  }

  async recordSafetyWarnings(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void> {
    if (warnings.length === 0) return;
    await this.pool.query(
      `INSERT INTO safety_warnings (tenant_id, user_id, at, kind, counterpart_id) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[])`,
      [
        tenantId,
        warnings.map((w) => w.userId),
        warnings.map((w) => w.at),
        warnings.map((w) => w.kind),
        warnings.map((w) => w.counterpartId),
      ],
    );
  }

  async safetyWarnings(tenantId: string, userId: string, since: number, limit: number): Promise<SafetyWarningRecord[]> {
    return (
      await this.rows(
        'SELECT * FROM safety_warnings WHERE tenant_id = $1 AND user_id = $2 AND at >= $3 ORDER BY at DESC LIMIT $4',
        [tenantId, userId, since, limit],
      )
    ).map(mapWarning);
  }

  async putAccountSettings(
    tenantId: string,
    userId: string,
    settings: Record<string, unknown>,
    at: number,
  ): Promise<Record<string, unknown> | null> {
    return this.tx(async (client) => {
      // Lock the row (or the key, for a first write) so two changes report each other's previous state.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`settings:${tenantId}:${userId}`]);
      const previous = await this.one(
        'SELECT settings FROM account_settings WHERE tenant_id = $1 AND user_id = $2',
        [tenantId, userId],
        client,
      );
      await client.query(
        `INSERT INTO account_settings (tenant_id, user_id, settings, updated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
        [tenantId, userId, JSON.stringify(settings), at],
      );
      return previous ? (JSON.parse(String(previous.settings)) as Record<string, unknown>) : null;
    });
  }

  async accountSettings(
    tenantId: string,
    userId: string,
  ): Promise<{ settings: Record<string, unknown>; updatedAt: number } | null> {
    const r = await this.one(
      'SELECT settings, updated_at FROM account_settings WHERE tenant_id = $1 AND user_id = $2',
      [tenantId, userId],
    );
    return r
      ? { settings: JSON.parse(String(r.settings)) as Record<string, unknown>, updatedAt: Number(r.updated_at) }
      : null;
  }

  async putDisplayNames(tenantId: string, names: readonly DisplayNameUpdate[], at: number): Promise<void> {
    // The last update of an account wins (one upsert statement must not touch a row twice).
    const last = [...new Map(names.map((n) => [n.userId, n])).values()];
    const put = last.filter((n) => n.name !== null);
    const removed = last.filter((n) => n.name === null).map((n) => n.userId);
    await this.tx(async (client) => {
      if (put.length)
        await client.query(
          `INSERT INTO display_names (tenant_id, user_id, name, updated_at) SELECT $1, u, n, $4::bigint FROM unnest($2::text[], $3::text[]) AS x(u, n)
          ON CONFLICT (tenant_id, user_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
          [tenantId, put.map((n) => n.userId), put.map((n) => n.name), at],
        );
      if (removed.length)
        await client.query('DELETE FROM display_names WHERE tenant_id = $1 AND user_id = ANY($2::text[])', [
          tenantId,
          removed,
        ]);
    });
  }

  async displayNames(tenantId: string, userIds: readonly string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await arraysNamed(
      this.pool,
      'family_display_names',
      'SELECT user_id, name FROM display_names WHERE tenant_id = $1 AND user_id = ANY($2::text[])',
      [tenantId, userIds],
    );
    return new Map(rows.map((r) => [String(r[0]), String(r[1])]));
  }

  async pruneFamilyMetadata(tenantId: string, before: number): Promise<FamilyPruneResult> {
    return this.tx(async (client) => ({
      contactPairs:
        (
          await client.query('DELETE FROM message_contacts WHERE tenant_id = $1 AND last_at < $2', [
            tenantId,
            Math.floor(before / DAY_MS) * DAY_MS,
          ])
        ).rowCount ?? 0,
      warnings:
        (await client.query('DELETE FROM safety_warnings WHERE tenant_id = $1 AND at < $2', [tenantId, before]))
          .rowCount ?? 0,
    }));
  }
}

/** One statement per batch (the increments are already summed per user, other and day). */
export async function addMessageContacts(
  s: PostgresConnection,
  client: pg.PoolClient,
  tenantId: string,
  all: ContactIncrement[],
): Promise<void> {
  if (all.length === 0) return;
  // Only teens with a pending or active family link are counted (one lookup per batch).
  const users = [...new Set(all.map((c) => c.userId))];
  const linked = new Set(
    (
      await s.rowsNamed(
        'family_linked_teens',
        `SELECT DISTINCT teen_id FROM family_links WHERE tenant_id = $1 AND status IN ('pending', 'active') AND teen_id = ANY($2::text[])`,
        [tenantId, users],
        client,
      )
    ).map((r) => String(r.teen_id)),
  );
  const increments = all.filter((c) => linked.has(c.userId));
  if (increments.length === 0) return;
  for (const [k, list] of bySlot(increments)) {
    // Sorted so concurrent batches take the row locks in the same order (no deadlocks).
    const sorted = [...list].sort(
      (a, b) =>
        (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) ||
        (a.otherId < b.otherId ? -1 : a.otherId > b.otherId ? 1 : 0),
    );
    // A newer day takes the slot over; the same day adds; an older one (8+ days back) is ignored.
    await s.rowsNamed(
      `family_add_contacts_${k}`,
      `INSERT INTO message_contacts AS m (tenant_id, user_id, other_id, last_at, d${k}, c${k})
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[])
      ON CONFLICT (tenant_id, user_id, other_id) DO UPDATE SET
        c${k} = CASE WHEN excluded.d${k} > m.d${k} THEN excluded.c${k} WHEN excluded.d${k} = m.d${k} THEN m.c${k} + excluded.c${k} ELSE m.c${k} END,
        d${k} = greatest(m.d${k}, excluded.d${k}), last_at = greatest(m.last_at, excluded.last_at)`,
      [
        tenantId,
        sorted.map((c) => c.userId),
        sorted.map((c) => c.otherId),
        sorted.map((c) => c.lastAt),
        sorted.map((c) => c.day),
        sorted.map((c) => c.messages),
      ],
      client,
    );
  }
}

/** Rows as arrays of column values (no object per row), for reads of thousands of rows. */
async function arraysNamed(pool: pg.Pool, name: string, text: string, values: unknown[]): Promise<unknown[][]> {
  return (await pool.query({ name, text, values, rowMode: 'array' })).rows as unknown[][];
}
