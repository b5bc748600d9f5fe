// Shared by the storage contract suites (one per role, this folder): the fixture type and event and case builders.
import type { LifeguardEvent } from '@lifeguard/core';
import { newId, type CaseRecord, type Storage } from '../../src/index.ts';

export interface StoreFixture {
  storage: Storage;
  cleanup(): Promise<void>;
}

export const T0 = Date.UTC(2025, 0, 1);

export function message(
  id: string,
  conversationId: string,
  senderId: string,
  recipientId: string,
  text: string,
  time = T0,
): LifeguardEvent {
  return { type: 'message', id, time, conversationId, senderId, recipientIds: [recipientId], text };
}
export function contact(
  id: string,
  action: 'friend_request' | 'friend_accept' | 'unfriend' | 'block' | 'report',
  actorId: string,
  targetId: string,
  time = T0,
): LifeguardEvent {
  return { type: 'contact', id, time, action, actorId, targetId };
}
export function account(
  id: string,
  userId: string,
  fields: { age?: number; ageBand?: 'under13' | '13-15' | '16-17' | 'adult' | 'unknown'; country?: string },
  time = T0,
): LifeguardEvent {
  return { type: 'account', id, time, userId, ...fields };
}

export function newCase(tenantId: string, accusedId: string, conversationIds: string[], at = T0): CaseRecord {
  return {
    id: newId('case'),
    tenantId,
    accusedId,
    status: 'open',
    level: 'high',
    score: 0.7,
    conversationIds,
    evidence: { messages: [{ id: 'm1', text: 'how old are you' }] },
    openedAt: at,
    updatedAt: at,
    version: 1,
  };
}
