// Shared by the storage contract suites (one per role, this folder): the fixture type, the setup they
// share (a fresh store with two tenants; two staff) and event and case builders.
import { after, before } from 'node:test';
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

/** What a suite gets from openWithTwoTenants: the store, the tenant under test and the other one. */
export interface TwoTenants {
  storage: Storage;
  /** 'acme': the tenant the suite writes to. */
  tenant: string;
  /** 'globex': a second tenant, which must see none of the first one's data. */
  other: string;
}

/**
 * The setup every suite shares: before its tests, opens a fresh store and creates the two tenants,
 * then hands them to `ready`; after them, closes the store. Call it inside the suite's describe.
 */
export function openWithTwoTenants(open: () => Promise<StoreFixture>, ready: (t: TwoTenants) => void): void {
  let fixture: StoreFixture | undefined;
  before(async () => {
    fixture = await open();
    const storage = fixture.storage;
    const tenant = (await storage.createTenant('acme', 'Acme Social')).id;
    const other = (await storage.createTenant('globex', 'Globex Chat')).id;
    ready({ storage, tenant, other });
  });
  after(async () => {
    await fixture?.cleanup();
  });
}

/** Two console staff of one tenant: Mo, a moderator, and Ola, a specialist. Returns their ids. */
export async function createModeratorAndSpecialist(
  s: Storage,
  tenantId: string,
  at: number,
): Promise<{ mod: string; other: string }> {
  const mod = await s.createStaffUser({
    tenantId,
    email: 'Mo@Example.org',
    name: 'Mo',
    role: 'moderator',
    passwordHash: 'h1',
    at,
  });
  const other = await s.createStaffUser({
    tenantId,
    email: 'ola@example.org',
    name: 'Ola',
    role: 'specialist',
    passwordHash: 'h2',
    at,
  });
  return { mod: mod.id, other: other.id };
}
