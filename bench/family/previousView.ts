// The Family Centre view as it was computed before migration 15, kept so the benchmark can measure the
// speed-up as a ratio in one run: the same storage, data and load, requests alternating. It reads the
// two large lists with the earlier SQL (an object per row; connections found through the key and
// connections_b, then sorted), copies every contact with a spread, and writes the audit entry after the
// reads. Everything else is the same calls the view makes. Not used by the service.
import { PostgresStorage, SqliteStorage, type AccountRecord, type Storage } from '@lifeguard/storage';
import { ageFacts } from '../../packages/service/src/family/ages.ts';
import { chooseLocale } from '../../packages/service/src/i18n/catalogue.ts';
import { helpResourcesFor } from '../../packages/service/src/i18n/helplines.ts';
import { DEFAULT_POLICY, SAFETY_DEFAULTS } from '../../packages/service/src/policy/policy.ts';

const WINDOW_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;
const MAX_CONNECTIONS = 5_000;

type Row = Record<string, unknown>;
const windowSum = (day: string) =>
  Array.from({ length: 8 }, (_, k) => `(CASE WHEN d${k} >= ${day} THEN c${k} ELSE 0 END)`).join(' + ');

async function contacts(storage: Storage, tenantId: string, userId: string, since: number) {
  const day = Math.floor(since / DAY_MS);
  let rows: Row[];
  if (storage instanceof SqliteStorage) {
    rows = storage.db
      .prepare(`SELECT other_id, last_at, ${windowSum('@day')} AS messages FROM message_contacts
      WHERE tenant_id = @tenantId AND user_id = @userId AND last_at >= @from ORDER BY last_at DESC, other_id`)
      .all({ tenantId, userId, day, from: day * DAY_MS }) as Row[];
  } else if (storage instanceof PostgresStorage) {
    rows = (
      await storage.pool.query({
        name: 'previous_family_message_contacts',
        text: `SELECT other_id, last_at, ${windowSum('$3::int')} AS messages FROM message_contacts
      WHERE tenant_id = $1 AND user_id = $2 AND last_at >= $4 ORDER BY last_at DESC, other_id`,
        values: [tenantId, userId, day, day * DAY_MS],
      })
    ).rows as Row[];
  } else throw new Error('unknown store');
  return rows.map((r) => ({ userId: String(r.other_id), messages: Number(r.messages), lastAt: Number(r.last_at) }));
}

async function connections(storage: Storage, tenantId: string, userId: string, limit: number) {
  let rows: Row[];
  if (storage instanceof SqliteStorage) {
    rows = storage.db
      .prepare(`SELECT user_b AS other, changed_at FROM connections INDEXED BY sqlite_autoindex_connections_1 WHERE tenant_id = ? AND user_a = ? AND connected = 1
      UNION ALL SELECT user_a AS other, changed_at FROM connections INDEXED BY connections_b WHERE tenant_id = ? AND user_b = ? AND connected = 1
      ORDER BY changed_at DESC, other LIMIT ?`)
      .all(tenantId, userId, tenantId, userId, limit) as Row[];
  } else if (storage instanceof PostgresStorage) {
    // The SQL text is unchanged here, so the planner may use migration 15's indexes for it too: on
    // PostgreSQL the ratio credits the other changes only.
    rows = (
      await storage.pool.query({
        name: 'previous_family_connections_since',
        text: `SELECT user_b AS other, changed_at FROM connections WHERE tenant_id = $1 AND user_a = $2 AND connected
      UNION ALL SELECT user_a AS other, changed_at FROM connections WHERE tenant_id = $1 AND user_b = $2 AND connected
      ORDER BY changed_at DESC, other LIMIT $3`,
        values: [tenantId, userId, limit],
      })
    ).rows as Row[];
  } else throw new Error('unknown store');
  return rows.map((r) => ({ userId: String(r.other), since: Number(r.changed_at) }));
}

export async function previousView(storage: Storage, tenantId: string, linkId: string, viewerId: string, now: number) {
  const link = await storage.getFamilyLink(tenantId, linkId);
  if (!link) throw new Error(`no link ${linkId}`);
  const role = viewerId === link.parentId ? 'parent' : 'teen';
  const since = now - WINDOW_MS;
  const [recent, conns, warnings, settings, accounts] = await Promise.all([
    contacts(storage, tenantId, link.teenId, since),
    connections(storage, tenantId, link.teenId, MAX_CONNECTIONS + 1),
    storage.safetyWarnings(tenantId, link.teenId, since, 200),
    storage.accountSettings(tenantId, link.teenId),
    storage.getAccounts(tenantId, [link.parentId, link.teenId]),
  ]);
  const connected = new Set(conns.map((c) => c.userId));
  const fresh = conns.filter((c) => c.since >= since);
  const freshAccounts = fresh.length
    ? await storage.getAccounts(
        tenantId,
        fresh.map((c) => c.userId),
      )
    : new Map<string, AccountRecord>();
  const items = SAFETY_DEFAULTS.map((setting) => ({
    setting,
    on: typeof settings?.settings[setting] === 'boolean' ? (settings.settings[setting] as boolean) : null,
  }));
  const data = {
    linkId: link.id,
    parentId: link.parentId,
    teenId: link.teenId,
    since,
    connections: { total: conns.length, accounts: conns.slice(0, MAX_CONNECTIONS) },
    recentContacts: recent.map((c) => ({ ...c, connected: connected.has(c.userId) })),
    newConnections: fresh.map((c) => ({
      userId: c.userId,
      since: c.since,
      age: ageFacts(DEFAULT_POLICY, freshAccounts.get(c.userId)).cls,
    })),
    settings: {
      state: items.some((i) => i.on === false) ? 'changed' : items.every((i) => i.on === true) ? 'on' : 'unknown',
      updatedAt: settings?.updatedAt ?? null,
      items,
    },
    warnings: warnings.map((w) => ({ kind: w.kind, at: w.at, accountId: w.counterpartId })),
  };
  await storage.appendAudit(tenantId, {
    at: now,
    actor: { id: viewerId, name: viewerId, role },
    action: 'family.view',
    caseId: null,
    targetId: link.teenId,
    details: { linkId: link.id, role },
  });
  const viewer = accounts.get(viewerId);
  const teen = accounts.get(link.teenId);
  const locale = chooseLocale(viewer?.locale, viewer?.country);
  const facts = ageFacts(DEFAULT_POLICY, teen);
  const help = helpResourcesFor(DEFAULT_POLICY, facts.resolved.profile, teen?.country).map((r) =>
    r.phone ? { name: r.name, url: r.url, phone: r.phone } : { name: r.name, url: r.url },
  );
  return { viewer: { userId: viewerId, role }, locale, data, help };
}
