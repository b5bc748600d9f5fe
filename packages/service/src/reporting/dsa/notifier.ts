// Preparing a DSA Art. 18 notification on a case: a specialist's suspicion of a threat to a person's
// life or safety, sent to the police of each Member State concerned (or, when none can be identified,
// the provider's own Member State and Europol). Separate from reports to NCMEC and the NCA: another law,
// other recipients, its own clock ("promptly"); the same record, evidence freezing and legal hold.
import { newId, type AuditActor, type AuthorityReportRecord, type StaffUser, type Storage } from '@lifeguard/storage';
import { zodProblems } from '@lifeguard/core';
import { ApiError, parseOr400 } from '../../http/errors.ts';
import type { CaseEvidence, EvidenceMessage } from '../../cases/caseManager.ts';
import type { DsaConfig } from '../config.ts';
import type { EvidenceVault } from '../evidenceVault.ts';
import {
  DSA_DECLARATION_TEXT,
  policeTargets,
  threatDraftSchema,
  threatNotificationSchema,
  type ThreatNotification,
} from './notification.ts';

const MINUTE_MS = 60_000;
export const DEFAULT_DSA_TARGET_MINUTES = { imminent: 0, other: 60 };
/** A notification in one of these statuses stands: a second one to the same recipient for the same case is refused. */
const STANDING = new Set(['queued', 'in_progress', 'exported', 'filed']);
export const LEGAL_BASIS =
  'Regulation (EU) 2022/2065 (Digital Services Act), Article 18: notification of suspicions of criminal offences';

const actorOf = (u: StaffUser): AuditActor & { id: string } => ({ id: u.id, name: u.name, role: u.role });

export class ThreatNotifier {
  constructor(
    private readonly storage: Storage,
    private readonly config: DsaConfig | undefined,
    private readonly vault: EvidenceVault,
    private readonly nudge: () => void,
  ) {}

  async notify(
    tenantId: string,
    caseId: string,
    input: unknown,
    user: StaffUser,
    now = Date.now(),
  ): Promise<{ reports: AuthorityReportRecord[]; memberStatesConcerned: string[] }> {
    const draft = parseOr400(threatDraftSchema, input, 'notification');
    const c = await this.storage.getCase(tenantId, caseId);
    if (!c) throw new ApiError(404, 'not_found', `no case ${caseId}`);
    const evidence = (c.evidence ?? {}) as Partial<CaseEvidence>;

    // Everything below is checked before anything is stored or sent.
    const problems: string[] = [];
    const participants = new Map((evidence.participants ?? []).map((p) => [p.userId, p]));
    if (draft.suspect.userId !== c.accusedId && !participants.has(draft.suspect.userId))
      problems.push(`suspect.userId: ${draft.suspect.userId} is not a participant of case ${caseId}`);
    for (const [i, p] of draft.personsAtRisk.entries())
      if (p.userId !== undefined && !participants.has(p.userId) && p.userId !== c.accusedId)
        problems.push(`personsAtRisk[${i}].userId: ${p.userId} is not a participant of case ${caseId}`);
    const byId = new Map<string, EvidenceMessage>();
    for (const conv of Object.values(evidence.conversations ?? {})) for (const m of conv.messages) byId.set(m.id, m);
    const messages = draft.evidence.messageIds
      .map((id, i) => {
        const m = byId.get(id);
        if (!m) problems.push(`evidence.messageIds[${i}]: no message ${id} in case ${caseId}`);
        return m;
      })
      .filter((m): m is EvidenceMessage => m !== undefined)
      .sort((a, b) => a.time - b.time);
    if (problems.length) throw new ApiError(400, 'invalid_request', 'invalid notification', problems);
    if (!this.config)
      throw new ApiError(409, 'conflict', 'DSA Art. 18 notifications are not configured', [
        "reporting.dsa: the provider's details and the police recipients are not configured",
      ]);
    const dsa = this.config;

    const countryOf = (userId: string | undefined) =>
      userId ? (participants.get(userId)?.country?.toUpperCase() ?? null) : null;
    const suspectCountry = draft.suspect.country ?? countryOf(draft.suspect.userId);
    const countries = [suspectCountry, ...draft.personsAtRisk.map((p) => p.country ?? countryOf(p.userId))].filter(
      (x): x is string => Boolean(x),
    );
    const plan = policeTargets({
      chosen: draft.memberStates,
      countries,
      establishedIn: dsa.provider.establishedIn,
      legalRepresentativeIn: dsa.provider.legalRepresentativeIn,
      europolConfigured: dsa.recipients.EUROPOL !== undefined,
    });
    const missing = plan.targets
      .filter((t) => !dsa.recipients[t.target])
      .map((t) => `reporting.dsa.recipients.${t.target}: no police recipient is configured for ${t.target}`);
    if (missing.length)
      throw new ApiError(409, 'conflict', 'no police recipient is configured for this notification', missing);

    const existing = await this.storage.listAuthorityReports(tenantId, { caseId, authority: 'police', limit: 100 });
    for (const t of plan.targets) {
      const standing = existing.find(
        (r) => (r.body as ThreatNotification).recipient?.target === t.target && STANDING.has(r.status),
      );
      if (standing)
        throw new ApiError(
          409,
          'conflict',
          `case ${caseId} already has a notification to ${t.target} (${standing.id}, ${standing.status}); retry or retract that one`,
        );
    }

    const minutes = dsa.targetMinutes ?? DEFAULT_DSA_TARGET_MINUTES;
    const dueAt = now + (draft.threat.imminent ? minutes.imminent : minutes.other) * MINUTE_MS;
    const s = draft.suspect;
    const records: AuthorityReportRecord[] = plan.targets.map((t) => {
      const id = newId('rpt');
      const body: ThreatNotification = {
        format: 'lifeguard-dsa18-notification/1',
        legalBasis: LEGAL_BASIS,
        notificationId: id,
        recipient: { target: t.target, name: dsa.recipients[t.target]!.name, basis: t.basis },
        provider: {
          name: dsa.provider.name,
          service: dsa.provider.service,
          establishedIn: dsa.provider.establishedIn,
          legalRepresentativeIn: dsa.provider.legalRepresentativeIn ?? null,
          contactName: dsa.provider.contactName,
          contactEmail: dsa.provider.contactEmail,
          contactPhone: dsa.provider.contactPhone ?? null,
        },
        suspicion: {
          threatTo: draft.threat.to,
          offence: draft.threat.offence,
          imminent: draft.threat.imminent,
          summary: draft.threat.summary,
          location: draft.threat.location ?? null,
          memberStatesConcerned: plan.concerned,
        },
        suspect: {
          userId: s.userId,
          username: s.screenName ?? null,
          displayName: s.displayName ?? null,
          emails: s.emails,
          phones: s.phones,
          profileUrl: s.profileUrl ?? null,
          country: suspectCountry,
          ipAddresses: s.ipEvents.map((e) => ({ ip: e.ip, event: e.event, at: e.at ?? null, port: e.port ?? null })),
          deviceIds: s.deviceIds,
        },
        personsAtRisk: draft.personsAtRisk.map((p) => ({
          userId: p.userId ?? null,
          description: p.description ?? null,
          age: p.age ?? participants.get(p.userId ?? '')?.age ?? null,
          country: p.country ?? countryOf(p.userId),
        })),
        content: messages.map((m) => ({
          messageId: m.id,
          sentAt: new Date(m.time).toISOString(),
          senderId: m.senderId,
          text: m.textPurged ? null : m.text,
          flagged: (evidence.conversations ? Object.values(evidence.conversations) : [])
            .flatMap((conv) => conv.report?.evidence ?? [])
            .filter((e) => e.messageId === m.id)
            .map((e) => ({ signal: e.kind, start: e.start, end: e.end })),
        })),
        lifeguardCase: caseId,
        declaration: { text: DSA_DECLARATION_TEXT, by: user.name, role: user.role, at: new Date(now).toISOString() },
      };
      // The document must be what the recipients' schema says, or nothing is stored.
      const checked = threatNotificationSchema.safeParse(body);
      if (!checked.success)
        throw new ApiError(
          400,
          'invalid_request',
          'the notification does not pass its schema; nothing was sent',
          zodProblems(checked.error.issues),
        );
      return {
        id,
        tenantId,
        caseId,
        authority: 'police',
        subjectId: s.userId,
        priority: draft.threat.imminent ? 1 : 2,
        status: 'queued',
        body,
        progress: {},
        externalId: null,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdBy: user.id,
        createdAt: now,
        dueAt,
        filedAt: null,
        keepReferenceUntil: null,
        updatedAt: now,
      };
    });

    for (const r of records)
      await this.storage.createAuthorityReport(tenantId, r, {
        at: now,
        actor: actorOf(user),
        action: 'report.prepare',
        caseId,
        targetId: r.id,
        details: {
          authority: 'police',
          legalBasis: 'DSA Art. 18',
          recipient: (r.body as ThreatNotification).recipient.target,
          basis: (r.body as ThreatNotification).recipient.basis,
          threatTo: draft.threat.to,
          imminent: draft.threat.imminent,
          priority: r.priority,
          declaration: true,
        },
      });
    await this.vault.freeze(
      tenantId,
      caseId,
      `DSA Art. 18 notification prepared (${plan.targets.map((t) => t.target).join(', ')})`,
      actorOf(user),
      now,
    );
    this.nudge();
    return { reports: records, memberStatesConcerned: plan.concerned };
  }
}
