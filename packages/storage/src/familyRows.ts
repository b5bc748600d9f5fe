// Family Centre rows (migration 9): what an accepted message adds to message_contacts, and row mappers.
// Only ids, counts and times are derived from a message; its text is never read here.
import { toMillis, type LifeguardEvent } from '@lifeguard/core';
import type { FamilyLink, FamilyLinkBasis, FamilyLinkStatus, MessageContact, SafetyWarningRecord } from './types.ts';

type Row = Record<string, unknown>;

export const DAY_MS = 86_400_000;

export interface ContactIncrement {
  userId: string;
  otherId: string;
  day: number;
  messages: number;
  firstAt: number;
  lastAt: number;
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
      if (at < found.firstAt) found.firstAt = at;
      if (at > found.lastAt) found.lastAt = at;
    } else out.set(key, { userId, otherId, day, messages: 1, firstAt: at, lastAt: at });
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

export function mapMessageContact(r: Row): MessageContact {
  return { userId: String(r.other_id), messages: Number(r.messages), firstAt: Number(r.first_at), lastAt: Number(r.last_at) };
}

export function mapWarning(r: Row): SafetyWarningRecord {
  return { userId: String(r.user_id), kind: String(r.kind), counterpartId: r.counterpart_id == null ? null : String(r.counterpart_id), at: Number(r.at) };
}

/** acceptedAt / endedAt / endedBy for a transition to `status`. */
export function transitionColumns(status: FamilyLinkStatus, at: number, by: string): { acceptedAt: number | null; endedAt: number | null; endedBy: string | null } {
  if (status === 'active') return { acceptedAt: at, endedAt: null, endedBy: null };
  if (status === 'ended' || status === 'declined') return { acceptedAt: null, endedAt: at, endedBy: by };
  return { acceptedAt: null, endedAt: null, endedBy: null };
}
