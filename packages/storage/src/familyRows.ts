// Family Centre rows (migrations 8, 11 and 15): what an accepted message adds to message_contacts, and row mappers.
// Only ids, counts and times are derived from a message; its text is never read here.
import { toMillis, type LifeguardEvent } from '@lifeguard/core';
import type {
  ConnectionSince,
  FamilyLink,
  FamilyLinkBasis,
  FamilyLinkStatus,
  MessageContact,
  SafetyWarningRecord,
} from './types.ts';

type Row = Record<string, unknown>;

export const DAY_MS = 86_400_000;

export interface ContactIncrement {
  userId: string;
  otherId: string;
  day: number;
  messages: number;
  lastAt: number;
}

/** Day slots per pair (see migration 11): eight, one more than the 7-day view. */
export const SLOTS = 8;

/**
 * The increments per day slot, with at most one per pair in each slot (a batch spanning eight days or
 * more keeps the newest day of a slot, as the stored row would), so one upsert statement per slot never
 * touches a row twice.
 */
export function bySlot(increments: readonly ContactIncrement[]): Map<number, ContactIncrement[]> {
  const slots = new Map<number, Map<string, ContactIncrement>>();
  for (const c of increments) {
    const slot = c.day % SLOTS;
    let pairs = slots.get(slot);
    if (!pairs) {
      pairs = new Map();
      slots.set(slot, pairs);
    }
    const key = `${c.userId}\u0000${c.otherId}`;
    const found = pairs.get(key);
    if (!found || c.day > found.day) pairs.set(key, found ? { ...c, lastAt: Math.max(c.lastAt, found.lastAt) } : c);
    else if (c.day < found.day) found.lastAt = Math.max(found.lastAt, c.lastAt);
  }
  return new Map([...slots].map(([slot, pairs]) => [slot, [...pairs.values()]]));
}

/** SQL summing the slots that fall in the window (days >= the first parameter's value, named by `day`). */
export function windowSum(day: string): string {
  return Array.from({ length: SLOTS }, (_, k) => `(CASE WHEN d${k} >= ${day} THEN c${k} ELSE 0 END)`).join(' + ');
}

/**
 * Both directions of every sender-recipient pair of the accepted messages, summed per (user, other, UTC
 * day), so a batch costs one upsert per pair and day rather than one per message.
 */
export function contactIncrements(events: readonly LifeguardEvent[]): ContactIncrement[] {
  const out = new Map<string, ContactIncrement>();
  const add = (userId: string, otherId: string, at: number) => {
    const day = Math.floor(at / DAY_MS);
    const key = `${day}\u0000${userId}\u0000${otherId}`;
    const found = out.get(key);
    if (found) {
      found.messages += 1;
      if (at > found.lastAt) found.lastAt = at;
    } else out.set(key, { userId, otherId, day, messages: 1, lastAt: at });
  };
  for (const e of events) {
    if (e.type !== 'message') continue;
    const at = toMillis(e.time);
    for (const r of new Set(e.recipientIds)) {
      if (r === e.senderId) continue;
      add(e.senderId, r, at);
      add(r, e.senderId, at);
    }
  }
  return [...out.values()];
}

export function mapFamilyLink(r: Row): FamilyLink {
  return {
    id: String(r.id),
    parentId: String(r.parent_id),
    teenId: String(r.teen_id),
    status: String(r.status) as FamilyLinkStatus,
    basis: String(r.basis) as FamilyLinkBasis,
    createdAt: Number(r.created_at),
    acceptedAt: r.accepted_at == null ? null : Number(r.accepted_at),
    endedAt: r.ended_at == null ? null : Number(r.ended_at),
    endedBy: r.ended_by == null ? null : String(r.ended_by),
  };
}

/** A message_contacts row read as an array: [other_id, last_at, messages in the window]. */
export function contactFromArray(r: readonly unknown[]): MessageContact {
  return { userId: String(r[0]), messages: Number(r[2]), lastAt: Number(r[1]) };
}

/** A connection read as an array: [the other account, changed_at]. */
export function connectionFromArray(r: readonly unknown[]): ConnectionSince {
  return { userId: String(r[0]), since: Number(r[1]) };
}

export function mapWarning(r: Row): SafetyWarningRecord {
  return {
    userId: String(r.user_id),
    kind: String(r.kind),
    counterpartId: r.counterpart_id == null ? null : String(r.counterpart_id),
    at: Number(r.at),
  };
}

/** acceptedAt / endedAt / endedBy for a transition to `status`. */
export function transitionColumns(
  status: FamilyLinkStatus,
  at: number,
  by: string,
): { acceptedAt: number | null; endedAt: number | null; endedBy: string | null } {
  if (status === 'active') return { acceptedAt: at, endedAt: null, endedBy: null };
  if (status === 'ended' || status === 'declined') return { acceptedAt: null, endedAt: at, endedBy: by };
  return { acceptedAt: null, endedAt: null, endedBy: null };
}
