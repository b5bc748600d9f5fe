// Conversions shared by both stores: events to rows and back, graph effects of events, ids.
import { randomBytes } from 'node:crypto';
import { toMillis, type LifeguardEvent } from '@lifeguard/core';
import type {
  AccountBanRecord,
  HashBankRecord,
  AccountRecord,
  ApiKeyRecord,
  ApiScope,
  CaseHistoryEntry,
  CaseRecord,
  CaseStatus,
  StoredEvent,
  WebhookDelivery,
  WebhookEndpoint,
  DeliveryStatus,
  HashKind,
  BankHashRecord,
} from './types.ts';

/** A random id with a readable prefix, e.g. `case_3kT9...`; 96 bits of randomness. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

export interface EventRow {
  id: string;
  type: string;
  timeMs: number;
  conversationId: string | null;
  body: string;
  text: string | null;
}

/** Splits the message text from the rest so retention can remove it without touching the event. */
export function eventToRow(event: LifeguardEvent): EventRow {
  const timeMs = toMillis(event.time);
  if (event.type === 'message') {
    const { text, ...rest } = event;
    return {
      id: event.id,
      type: event.type,
      timeMs,
      conversationId: event.conversationId,
      body: JSON.stringify(rest),
      text,
    };
  }
  const conversationId = event.type === 'contact' ? (event.conversationId ?? null) : null;
  return { id: event.id, type: event.type, timeMs, conversationId, body: JSON.stringify(event), text: null };
}

export function rowToEvent(row: {
  seq: number;
  type: string;
  body: string;
  text: string | null;
  received_at: number;
  text_purged_at: number | null;
}): StoredEvent {
  const parsed = JSON.parse(row.body) as LifeguardEvent;
  const event = row.type === 'message' ? ({ ...parsed, text: row.text ?? '' } as LifeguardEvent) : parsed;
  return { seq: Number(row.seq), event, receivedAt: Number(row.received_at), textPurged: row.text_purged_at != null };
}

/** What an accepted event changes in the account table or the connection graph. */
export type GraphEffect =
  | {
      kind: 'account';
      userId: string;
      age: number | null;
      ageBand: string | null;
      country: string | null;
      locale: string | null;
      createdAt: number | null;
      at: number;
    }
  | { kind: 'connection'; a: string; b: string; connected: boolean; at: number }
  | { kind: 'block'; blocker: string; blocked: string; at: number };

export function graphEffects(event: LifeguardEvent): GraphEffect[] {
  const at = toMillis(event.time);
  if (event.type === 'account') {
    return [
      {
        kind: 'account',
        userId: event.userId,
        age: event.age ?? null,
        ageBand: event.ageBand ?? null,
        country: event.country ? event.country.toUpperCase() : null,
        locale: event.locale ?? null,
        createdAt: event.createdAt !== undefined ? toMillis(event.createdAt) : at,
        at,
      },
    ];
  }
  if (event.type !== 'contact' || event.actorId === event.targetId) return [];
  const [a, b] = orderedPair(event.actorId, event.targetId);
  switch (event.action) {
    case 'friend_accept':
      return [{ kind: 'connection', a, b, connected: true, at }];
    case 'unfriend':
      return [{ kind: 'connection', a, b, connected: false, at }];
    case 'block':
      return [
        { kind: 'connection', a, b, connected: false, at },
        { kind: 'block', blocker: event.actorId, blocked: event.targetId, at },
      ];
    default:
      return [];
  }
}

export function orderedPair(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}

export function webhookSubscribed(events: string[], type: string): boolean {
  return events.some(
    (pattern) =>
      pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

// Row mappers. Column names are the same in both dialects; numbers may arrive as strings from pg.
type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function mapApiKey(r: Row): ApiKeyRecord {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    name: String(r.name),
    prefix: String(r.prefix),
    scopes: JSON.parse(String(r.scopes)) as ApiScope[],
    createdAt: num(r.created_at),
    revokedAt: numOrNull(r.revoked_at),
  };
}

export function mapAccount(r: Row): AccountRecord {
  return {
    userId: String(r.user_id),
    age: numOrNull(r.age),
    ageBand: strOrNull(r.age_band),
    country: strOrNull(r.country),
    locale: strOrNull(r.locale),
    createdAt: numOrNull(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function mapCase(r: Row): CaseRecord {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    accusedId: String(r.accused_id),
    status: String(r.status) as CaseStatus,
    level: String(r.level),
    score: num(r.score),
    conversationIds: JSON.parse(String(r.conversation_ids)) as string[],
    evidence: JSON.parse(String(r.evidence)) as unknown,
    openedAt: num(r.opened_at),
    updatedAt: num(r.updated_at),
    version: num(r.version),
    ...(r.evidence_purged_at == null ? {} : { evidencePurgedAt: num(r.evidence_purged_at) }),
  };
}

export function mapHistory(r: Row): CaseHistoryEntry {
  return {
    caseId: String(r.case_id),
    at: num(r.at),
    actor: String(r.actor),
    action: String(r.action) as CaseHistoryEntry['action'],
    fromStatus: strOrNull(r.from_status) as CaseStatus | null,
    toStatus: strOrNull(r.to_status) as CaseStatus | null,
    note: strOrNull(r.note),
  };
}

export function mapWebhook(r: Row): WebhookEndpoint {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    url: String(r.url),
    secret: String(r.secret),
    events: JSON.parse(String(r.events)) as string[],
    enabled: Boolean(r.enabled),
    createdAt: num(r.created_at),
  };
}

export function mapDelivery(r: Row): WebhookDelivery {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    endpointId: String(r.endpoint_id),
    eventType: String(r.event_type),
    payload: JSON.parse(String(r.payload)) as unknown,
    status: String(r.status) as DeliveryStatus,
    attempts: num(r.attempts),
    nextAttemptAt: numOrNull(r.next_attempt_at),
    lastError: strOrNull(r.last_error),
    lastStatusCode: numOrNull(r.last_status_code),
    createdAt: num(r.created_at),
    deliveredAt: numOrNull(r.delivered_at),
  };
}

export function mapBankHash(r: Row): BankHashRecord {
  return {
    bank: String(r.bank),
    kind: String(r.kind) as HashKind,
    hash: String(r.hash),
    metadata: r.metadata == null ? null : (JSON.parse(String(r.metadata)) as Record<string, unknown>),
  };
}

/** Keeps the caller's order of ids; the first occurrence of an id in the input wins. */
export function firstOccurrences(events: LifeguardEvent[]): boolean[] {
  const seen = new Set<string>();
  return events.map((e) => {
    if (seen.has(e.id)) return false;
    seen.add(e.id);
    return true;
  });
}

export function mapBank(r: Row): HashBankRecord {
  return {
    tenantId: String(r.tenant_id),
    name: String(r.name),
    enabled: Boolean(r.enabled),
    source: strOrNull(r.source),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at ?? r.created_at),
  };
}

// Ban evasion -------------------------------------------------------------
export function mapAccountBan(r: Row): AccountBanRecord {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    reason: String(r.reason),
    caseId: strOrNull(r.case_id),
    actor: String(r.actor),
    at: num(r.at),
    liftedAt: r.lifted_at == null ? null : num(r.lifted_at),
    liftedBy: strOrNull(r.lifted_by),
    liftNote: strOrNull(r.lift_note),
  };
}
// End of ban evasion -----------------------------------------------------------------------------
