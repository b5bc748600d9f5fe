// Shared set-up for the reporting tests: a tenant with a specialist and one case whose evidence holds a
// short, non-explicit grooming exchange (age questions, a request for secrecy, a move to another app).
import { newId, type CaseRecord, type StaffUser, type Storage } from '@lifeguard/storage';
import type { ReportingConfig } from '../src/reporting/config.ts';

export const T0 = Date.UTC(2026, 4, 1, 14, 0, 0);

export function caseEvidence(accusedId: string, childId: string, conversationId: string) {
  const messages = [
    {
      id: `${conversationId}-m1`,
      time: T0,
      senderId: accusedId,
      recipientIds: [childId],
      text: 'how old are you?',
      textPurged: false,
    },
    {
      id: `${conversationId}-m2`,
      time: T0 + 60_000,
      senderId: childId,
      recipientIds: [accusedId],
      text: 'i am 12',
      textPurged: false,
    },
    {
      id: `${conversationId}-m3`,
      time: T0 + 120_000,
      senderId: accusedId,
      recipientIds: [childId],
      text: 'keep this between us and add me on the other app',
      textPurged: false,
      attachments: [{ kind: 'image', ref: 'media://42' }],
    },
  ];
  return {
    alerts: [
      {
        kind: 'conversation',
        subjectId: conversationId,
        level: 'high',
        score: 0.82,
        time: T0 + 120_000,
        eventId: `${conversationId}-m3`,
        messagesRead: 3,
      },
    ],
    actor: null,
    conversations: {
      [conversationId]: {
        report: {
          conversationId,
          score: 0.82,
          level: 'high',
          reasons: ['asked for secrecy', 'moved to another platform'],
          evidence: [
            { kind: 'secrecy', start: 0, end: 20, messageId: `${conversationId}-m3`, excerpt: 'keep this between us' },
          ],
        },
        messages,
      },
    },
    participants: [
      {
        userId: accusedId,
        age: 34,
        ageSource: 'declared',
        isMinor: false,
        declaredAge: 34,
        declaredAgeBand: null,
        country: 'US',
      },
      {
        userId: childId,
        age: 12,
        ageSource: 'declared',
        isMinor: true,
        declaredAge: 12,
        declaredAgeBand: null,
        country: 'GB',
      },
    ],
    media: [
      {
        at: T0,
        bank: 'known',
        kind: 'md5',
        matchedHash: 'a'.repeat(32),
        distance: 0,
        metadata: null,
        upload: { pdq: null, quality: null, md5: 'a'.repeat(32), sha256: 'b'.repeat(64), hashedBy: 'client' },
        userId: accusedId,
        conversationId,
        messageId: `${conversationId}-m3`,
      },
    ],
  };
}

export async function openCase(
  storage: Storage,
  tenantId: string,
  accusedId = 'adult-1',
  childId = 'kid-1',
  status: CaseRecord['status'] = 'escalated',
): Promise<CaseRecord> {
  const conversationId = newId('conv');
  const c: CaseRecord = {
    id: newId('case'),
    tenantId,
    accusedId,
    status,
    level: 'high',
    score: 0.82,
    conversationIds: [conversationId],
    evidence: caseEvidence(accusedId, childId, conversationId),
    openedAt: T0,
    updatedAt: T0,
    version: 1,
  };
  await storage.saveCase(tenantId, {
    caseRecord: c,
    history: { at: T0, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: status, note: null },
  });
  return c;
}

export async function specialistUser(
  storage: Storage,
  tenantId: string,
  email = `spec-${newId('u')}@example.org`,
): Promise<StaffUser> {
  return storage.createStaffUser({
    tenantId,
    email,
    name: 'Sam Specialist',
    role: 'specialist',
    passwordHash: 'x',
    at: T0,
  });
}

/** A draft a specialist might send, for the case made by openCase. */
export function draftFor(c: CaseRecord, overrides: Record<string, unknown> = {}) {
  const conversationId = c.conversationIds[0]!;
  return {
    incidentType: 'Online Enticement of Children for Sexual Acts',
    priority: 2,
    incidentDateTime: new Date(T0 + 120_000).toISOString(),
    annotations: [],
    summary: 'An adult asked a 12-year-old her age, asked her to keep the chat secret and to move to another app.',
    reportedUser: {
      userId: c.accusedId,
      screenName: 'friendly_gamer',
      emails: ['adult1@example.org'],
      ipEvents: [{ ip: '203.0.113.7', event: 'Login', at: new Date(T0).toISOString() }],
    },
    children: [{ role: 'victim', userId: 'kid-1', age: 12 }],
    evidence: { messageIds: [`${conversationId}-m1`, `${conversationId}-m3`], mediaIds: ['match-0'] },
    jurisdictions: ['US'],
    declaration: { accepted: true },
    ...overrides,
  };
}

/** Reporting for tests: NCMEC at `url` (a LocalNcmec), the worker run by hand. */
export function reportingConfig(url: string, extra: Partial<ReportingConfig> = {}): ReportingConfig {
  return {
    reporter: {
      companyName: 'Acme Social',
      email: 'safety@acme.example',
      firstName: 'Trust',
      lastName: 'Safety',
      service: 'Acme Chat',
      legalUrl: 'https://acme.example/legal',
    },
    ncmec: {
      environment: 'test',
      baseUrl: url,
      username: 'lifeguard-test',
      password: 'test-password',
      timeoutMs: 5_000,
    },
    platformCountries: ['US'],
    worker: { intervalMs: 0, baseBackoffMs: 60_000, leaseMs: 60_000 },
    ...extra,
  };
}
