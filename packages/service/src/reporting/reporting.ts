// The report workflow on a case: a specialist prepares one report, Lifeguard works out which
// authorities it goes to (de-duplicated), checks each document before anything is stored or sent,
// freezes the evidence, and queues the reports for the worker. Retry, retraction and the NCA
// reference are the specialist's too. Nothing here runs from a score: every report starts with a person.
import { createHash } from 'node:crypto';
import { DEFAULT_MODEL, type RiskModel } from '@lifeguard/core';
import {
  newId,
  type AuditActor,
  type Authority,
  type AuthorityReportRecord,
  type CaseRecord,
  type StaffUser,
  type Storage,
} from '@lifeguard/storage';
import { ApiError, parseOr400 } from '../http/errors.ts';
import type { CaseEvidence, EvidenceMessage } from '../cases/caseManager.ts';
import { DEFAULT_JURISDICTIONS, DEFAULT_PRIORITY_TARGET_HOURS, type ReportingConfig } from './config.ts';
import { reportDraftSchema, type ReportDraft } from './draft.ts';
import { EvidenceVault } from './evidenceVault.ts';
import { buildNcaReport, ncaTransport } from './nca.ts';
import { NcmecClient } from './ncmec/client.ts';
import { fileHashes, NcmecFiler, type NcmecBody } from './ncmec/filer.ts';
import { validateCyberTiplineXml } from './ncmec/schema.ts';
import { buildReportXml, type FlaggedSpan } from './ncmec/xml.ts';
import { ReportWorker } from './reportWorker.ts';
import { EvidenceSigner } from './signingKey.ts';
import { ThreatNotifier } from './dsa/notifier.ts';
import { PoliceTransports } from './dsa/transport.ts';
import type { ThreatNotification } from './dsa/notification.ts';

const HOUR_MS = 3_600_000;
/** Reports in these statuses stand: a second one to the same authority for the same case is refused. */
const STANDING = new Set(['queued', 'in_progress', 'exported', 'filed', 'covered']);

type Log = {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

/** The detector's spans per message (what it flagged and where), carried into the report with the message. */
function flaggedSpans(evidence: Partial<CaseEvidence>): Map<string, FlaggedSpan[]> {
  const out = new Map<string, FlaggedSpan[]>();
  for (const conv of Object.values(evidence.conversations ?? {}))
    for (const e of conv.report?.evidence ?? []) {
      const list = out.get(e.messageId) ?? [];
      list.push({ signal: e.kind, start: e.start, end: e.end });
      out.set(e.messageId, list);
    }
  return out;
}

/** How a report's recipient is named in reasons and hold texts. */
export function authorityName(r: AuthorityReportRecord): string {
  if (r.authority === 'police') return `the police (${(r.body as ThreatNotification).recipient.target}, DSA Art. 18)`;
  return r.authority === 'nca' ? 'the NCA' : 'NCMEC';
}

const actorOf = (u: StaffUser): AuditActor & { id: string } => ({ id: u.id, name: u.name, role: u.role });

interface MediaMatch {
  bank?: string;
  kind?: string;
  matchedHash?: string;
  upload?: { sha256?: string | null; md5?: string | null; pdq?: string | null };
}

export class Reporting {
  readonly vault: EvidenceVault;
  readonly worker: ReportWorker;
  /** DSA Art. 18 notifications to the police (dsa/notifier.ts). */
  readonly threats: ThreatNotifier;
  private readonly filer: NcmecFiler | null;

  constructor(
    private readonly storage: Storage,
    readonly config: ReportingConfig,
    engine: { software: string; model?: RiskModel },
    private readonly log: Log = console,
  ) {
    const signer = config.evidenceKey ? new EvidenceSigner(config.evidenceKey) : EvidenceSigner.generate();
    if (!config.evidenceKey)
      log.warn(
        {},
        'no evidence key configured: using a key that lasts only as long as this process (set one for production)',
      );
    this.vault = new EvidenceVault(storage, signer, {
      software: engine.software,
      model: engine.model ?? DEFAULT_MODEL,
    });
    this.filer = config.ncmec ? new NcmecFiler(new NcmecClient(config.ncmec)) : null;
    const nca = config.nca ? ncaTransport(config.nca.transport) : null;
    this.worker = new ReportWorker(
      storage,
      { ncmec: this.filer, nca, police: config.dsa ? new PoliceTransports(config.dsa.recipients) : null },
      (r) => this.afterFiled(r),
      config.worker ?? {},
      log,
    );
    this.threats = new ThreatNotifier(storage, config.dsa, this.vault, () => this.worker.nudge());
  }

  private async afterFiled(r: AuthorityReportRecord): Promise<void> {
    await this.vault.freeze(r.tenantId, r.caseId, `report ${r.id} filed with ${authorityName(r)} (${r.externalId})`, {
      system: 'reporting',
    });
  }

  /** Freezes a newly opened case (CaseManager.onOpened). */
  async caseOpened(tenantId: string, c: CaseRecord): Promise<void> {
    await this.vault.freeze(tenantId, c.id, 'case opened', { system: 'lifeguard' });
  }

  /** The authorities a report goes to, and which of them another's report covers. */
  plan(draft: ReportDraft, c: CaseRecord): { jurisdictions: string[]; send: Authority[]; covered: Authority[] } {
    const evidence = (c.evidence ?? {}) as Partial<CaseEvidence>;
    const involved = new Set([draft.reportedUser.userId, ...draft.children.map((k) => k.userId)]);
    const countries = (evidence.participants ?? [])
      .filter((p) => involved.has(p.userId) && p.country)
      .map((p) => p.country!.toUpperCase());
    const jurisdictions =
      draft.jurisdictions ?? [...new Set([...(this.config.platformCountries ?? ['US']), ...countries])].sort();
    const table = this.config.jurisdictions ?? DEFAULT_JURISDICTIONS;
    const all = [...new Set(jurisdictions.flatMap((j) => table[j] ?? []))];
    const covered: Authority[] = [];
    // OSA s.70(5): content already reported to NCMEC is not "unreported".
    if (
      all.includes('ncmec') &&
      all.includes('nca') &&
      draft.priority !== 1 &&
      this.config.ncaWhenReportedToNcmec !== 'file'
    )
      covered.push('nca');
    return { jurisdictions, send: all.filter((a) => !covered.includes(a)), covered };
  }

  async prepare(
    tenantId: string,
    caseId: string,
    input: unknown,
    user: StaffUser,
    now = Date.now(),
  ): Promise<{ reports: AuthorityReportRecord[]; jurisdictions: string[] }> {
    const draft = parseOr400(reportDraftSchema, input, 'report');
    const c = await this.storage.getCase(tenantId, caseId);
    if (!c) throw new ApiError(404, 'not_found', `no case ${caseId}`);
    if (c.status === 'dismissed')
      throw new ApiError(409, 'conflict', `case ${caseId} was dismissed; reopen it before reporting it`);
    const evidence = (c.evidence ?? {}) as Partial<CaseEvidence> & { media?: MediaMatch[] };

    // Everything below is checked before anything is stored or sent.
    const problems: string[] = [];
    const people = new Set([c.accusedId, ...(evidence.participants ?? []).map((p) => p.userId)]);
    if (!people.has(draft.reportedUser.userId))
      problems.push(`reportedUser.userId: ${draft.reportedUser.userId} is not a participant of case ${caseId}`);
    for (const [i, k] of draft.children.entries())
      if (!people.has(k.userId))
        problems.push(`children[${i}].userId: ${k.userId} is not a participant of case ${caseId}`);
    const byId = new Map<string, EvidenceMessage>();
    for (const conv of Object.values(evidence.conversations ?? {})) for (const m of conv.messages) byId.set(m.id, m);
    const flagged = flaggedSpans(evidence);
    const messages = draft.evidence.messageIds
      .map((id, i) => {
        const m = byId.get(id);
        if (!m) problems.push(`evidence.messageIds[${i}]: no message ${id} in case ${caseId}`);
        return m;
      })
      .filter((m): m is EvidenceMessage => m !== undefined)
      .sort((a, b) => a.time - b.time);
    const media = draft.evidence.mediaIds
      .map((id, i) => {
        const n = /^match-(\d+)$/.exec(id);
        const found = n ? evidence.media?.[Number(n[1])] : undefined;
        if (!found)
          problems.push(
            `evidence.mediaIds[${i}]: no media ${id} in case ${caseId} (known-image matches are match-0, match-1, ...)`,
          );
        const hash = found?.upload?.sha256 ?? found?.upload?.md5 ?? found?.upload?.pdq ?? found?.matchedHash ?? '';
        return { id, kind: found?.kind ?? 'unknown', hash };
      })
      .filter((m) => m.hash !== '');
    if (problems.length) throw new ApiError(400, 'invalid_request', 'invalid report', problems);

    const plan = this.plan(draft, c);
    if (plan.send.length === 0)
      throw new ApiError(400, 'invalid_request', 'invalid report', [
        `jurisdictions: no authority is configured for ${plan.jurisdictions.join(', ')}`,
      ]);
    const missing: string[] = [];
    if (plan.send.includes('ncmec') && (!this.config.ncmec || !this.config.reporter))
      missing.push(
        "reporting.ncmec and reporting.reporter: NCMEC credentials and the reporter's details are not configured",
      );
    if ((plan.send.includes('nca') || plan.covered.includes('nca')) && !this.config.nca)
      missing.push(
        'reporting.nca: the NCA registration is not configured (SI 2026/268 reg 4: register before the first report)',
      );
    if (missing.length)
      throw new ApiError(409, 'conflict', "reporting is not configured for this case's authorities", missing);

    const existing = await this.storage.listAuthorityReports(tenantId, { caseId, limit: 100 });
    for (const a of [...plan.send, ...plan.covered]) {
      const standing = existing.find((r) => r.authority === a && STANDING.has(r.status));
      if (standing)
        throw new ApiError(
          409,
          'conflict',
          `case ${caseId} already has a ${a.toUpperCase()} report (${standing.id}, ${standing.status}); retry or retract that one`,
        );
    }

    const detectedBy =
      `Lifeguard's detector opened the case at ${c.level} risk (score ${c.score.toFixed(2)}) on ${new Date(c.openedAt).toISOString()}; ` +
      `reviewed and reported by a child-safety specialist (${user.name}).`;
    const targets = this.config.priorityTargetHours ?? DEFAULT_PRIORITY_TARGET_HOURS;
    const base = {
      tenantId,
      caseId,
      subjectId: draft.reportedUser.userId,
      priority: draft.priority,
      progress: {},
      externalId: null,
      attempts: 0,
      lastError: null,
      createdBy: user.id,
      createdAt: now,
      dueAt: now + targets[draft.priority] * HOUR_MS,
      filedAt: null,
      keepReferenceUntil: null,
      updatedAt: now,
    };
    const records: AuthorityReportRecord[] = [];

    if (plan.send.includes('ncmec')) {
      const prior = (
        await this.storage.listAuthorityReports(tenantId, {
          subjectId: draft.reportedUser.userId,
          authority: 'ncmec',
          limit: 50,
        })
      )
        .filter((r) => r.status === 'filed' && r.externalId)
        .map((r) => r.externalId!);
      const xml = buildReportXml({
        draft,
        reporter: this.config.reporter!,
        priorReportIds: prior,
        messages: messages.map((m) => ({
          id: m.id,
          time: m.time,
          senderId: m.senderId,
          text: m.textPurged ? '(text removed by retention)' : m.text,
          flagged: flagged.get(m.id) ?? [],
        })),
        mediaHashes: media,
        caseId,
        detectedBy,
      });
      const checked = await validateCyberTiplineXml(xml);
      if (!checked.valid)
        throw new ApiError(
          400,
          'invalid_request',
          'the report does not pass the CyberTipline schema; nothing was sent',
          checked.errors,
        );
      const body: NcmecBody = {
        xml,
        files: draft.files.map((f) => {
          const bytes = Buffer.from(f.contentBase64, 'base64');
          return {
            fileName: f.fileName,
            contentBase64: f.contentBase64,
            fileViewedByEsp: f.fileViewedByEsp,
            publiclyAvailable: f.publiclyAvailable,
            industryClassification: f.industryClassification,
            ...fileHashes(bytes),
          };
        }),
      };
      records.push({ ...base, id: newId('rpt'), authority: 'ncmec', status: 'queued', body, nextAttemptAt: now });
    }
    for (const a of ['nca'] as const) {
      if (!plan.send.includes(a) && !plan.covered.includes(a)) continue;
      const earlier = (
        await this.storage.listAuthorityReports(tenantId, {
          subjectId: draft.reportedUser.userId,
          authority: 'nca',
          limit: 50,
        })
      )
        .filter((r) => r.status === 'filed' && r.externalId)
        .map((r) => r.externalId!);
      const body = buildNcaReport({
        draft,
        config: this.config.nca!,
        caseId,
        detectedBy,
        earlierReferences: earlier,
        declaredBy: { name: user.name, role: user.role },
        declaredAt: now,
        ncmecReference: null,
        messages: messages.map((m) => ({
          id: m.id,
          time: m.time,
          senderId: m.senderId,
          text: m.textPurged ? '' : m.text,
          attachments: (m.attachments ?? []).map((x) => ({ kind: x.kind })),
          flagged: flagged.get(m.id) ?? [],
        })),
        media,
      });
      const covered = plan.covered.includes(a);
      records.push({
        ...base,
        id: newId('rpt'),
        authority: a,
        status: covered ? 'covered' : 'queued',
        body,
        nextAttemptAt: covered ? null : now,
        lastError: covered ? 'covered by the NCMEC report (Online Safety Act 2023 s.70(5))' : null,
      });
    }

    for (const r of records) {
      await this.storage.createAuthorityReport(tenantId, r, {
        at: now,
        actor: actorOf(user),
        action: 'report.prepare',
        caseId,
        targetId: r.id,
        details: {
          authority: r.authority,
          priority: r.priority,
          status: r.status,
          incidentType: draft.incidentType,
          jurisdictions: plan.jurisdictions,
          declaration: true,
        },
      });
    }
    await this.vault.freeze(
      tenantId,
      caseId,
      `report prepared (${records.map((r) => r.authority).join(', ')})`,
      actorOf(user),
      now,
    );
    this.worker.nudge();
    return { reports: records, jurisdictions: plan.jurisdictions };
  }

  private async reportOr404(tenantId: string, reportId: string): Promise<AuthorityReportRecord> {
    const r = await this.storage.getAuthorityReport(tenantId, reportId);
    if (!r) throw new ApiError(404, 'not_found', `no report ${reportId}`);
    return r;
  }

  /** A refused or expired report goes back in the queue (after, say, NCMEC fixed its side or the credentials were corrected). */
  async retry(tenantId: string, reportId: string, user: StaffUser): Promise<AuthorityReportRecord> {
    const r = await this.reportOr404(tenantId, reportId);
    if (r.status !== 'rejected' && r.status !== 'expired')
      throw new ApiError(
        409,
        'conflict',
        `report ${reportId} is ${r.status}; only a rejected or expired report can be retried`,
      );
    const now = Date.now();
    const updated = await this.storage.updateAuthorityReport(tenantId, reportId, {
      // A fresh 30 days of retries starts now.
      patch: { status: r.progress.reportId ? 'in_progress' : 'queued', nextAttemptAt: now, updatedAt: now },
      fromStatuses: ['rejected', 'expired'],
      audit: {
        at: now,
        actor: actorOf(user),
        action: 'report.retry',
        caseId: r.caseId,
        targetId: reportId,
        details: { authority: r.authority, lastError: r.lastError },
      },
    });
    this.worker.nudge();
    return updated;
  }

  /** Withdraws a report that is not filed yet (NCMEC /retract when NCMEC already has it). */
  async retract(tenantId: string, reportId: string, user: StaffUser, reason: string): Promise<AuthorityReportRecord> {
    const r = await this.reportOr404(tenantId, reportId);
    if (!['queued', 'in_progress', 'rejected', 'expired', 'exported'].includes(r.status))
      throw new ApiError(409, 'conflict', `report ${reportId} is ${r.status} and cannot be retracted`);
    const ncmecId = typeof r.progress.reportId === 'string' ? r.progress.reportId : null;
    if (r.authority === 'ncmec' && ncmecId) {
      if (!this.filer) throw new ApiError(409, 'conflict', 'NCMEC credentials are not configured (reporting.ncmec)');
      const res = await this.filer.retract(ncmecId);
      if (!res.ok) throw new ApiError(502, 'unavailable', `NCMEC did not retract report ${ncmecId}: ${res.error}`);
    }
    const now = Date.now();
    return this.storage.updateAuthorityReport(tenantId, reportId, {
      patch: { status: 'retracted', nextAttemptAt: null, updatedAt: now },
      fromStatuses: ['queued', 'in_progress', 'rejected', 'expired', 'exported'],
      audit: {
        at: now,
        actor: actorOf(user),
        action: 'report.retract',
        caseId: r.caseId,
        targetId: reportId,
        details: { authority: r.authority, ncmecReportId: ncmecId, reason },
      },
    });
  }

  /**
   * The reference for a report sent as an export file (the NCA's portal, or a police notification sent
   * through the channel the police gave): the report is then filed (NCA reference kept 5 years, others 1).
   */
  async enterReference(
    tenantId: string,
    reportId: string,
    reference: string,
    user: StaffUser,
  ): Promise<AuthorityReportRecord> {
    const r = await this.reportOr404(tenantId, reportId);
    if (r.authority === 'ncmec' || r.status !== 'exported')
      throw new ApiError(
        409,
        'conflict',
        `report ${reportId} is a ${r.authority.toUpperCase()} report that is ${r.status}; a reference is entered for an exported NCA report or police notification`,
      );
    const now = Date.now();
    const filed = await this.storage.updateAuthorityReport(tenantId, reportId, {
      patch: {
        status: 'filed',
        externalId: reference,
        filedAt: now,
        keepReferenceUntil: now + (r.authority === 'nca' ? 5 * 365 : 365) * 24 * HOUR_MS,
        updatedAt: now,
      },
      fromStatuses: ['exported'],
      audit: {
        at: now,
        actor: actorOf(user),
        action: 'report.filed',
        caseId: r.caseId,
        targetId: reportId,
        details: { authority: r.authority, externalId: reference },
      },
      hold: {
        caseId: r.caseId,
        reason: `report ${reportId} filed with ${authorityName(r)} (${reference})`,
        placedBy: user.id,
        placedAt: now,
        until: now + 365 * 24 * HOUR_MS,
      },
    });
    await this.afterFiled(filed).catch((err) => this.log.error({ err, reportId }, 'after-filing step failed'));
    return filed;
  }

  /** A report as the console shows it: no file bytes, no XML. */
  static view(r: AuthorityReportRecord) {
    const files =
      r.authority === 'ncmec'
        ? (r.body as NcmecBody).files.map((f) => ({
            fileName: f.fileName,
            md5: f.md5,
            sha256: f.sha256,
            fileViewedByEsp: f.fileViewedByEsp,
          }))
        : [];
    return {
      id: r.id,
      caseId: r.caseId,
      authority: r.authority,
      subjectId: r.subjectId,
      priority: r.priority,
      status: r.status,
      externalId: r.externalId,
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt,
      lastError: r.lastError,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      dueAt: r.dueAt,
      filedAt: r.filedAt,
      keepReferenceUntil: r.keepReferenceUntil,
      files,
      recipient: r.authority === 'police' ? (r.body as ThreatNotification).recipient : null,
      exportedTo: typeof r.progress.exportedTo === 'string' ? r.progress.exportedTo : null,
      documentSha256: createHash('sha256')
        .update(r.authority === 'ncmec' ? (r.body as NcmecBody).xml : JSON.stringify(r.body))
        .digest('hex'),
    };
  }
}
