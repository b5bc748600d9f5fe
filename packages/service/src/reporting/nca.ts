// The UK NCA report (Online Safety Act 2023 s.66; SI 2026/268): the Schedule 1 information as one
// structured document, and the transports that carry it: an export file for the NCA's portal, whose
// reference the specialist enters once the portal gives it, or, when configured, the document posted
// as JSON over HTTPS (the NCA's API is not public: point it at an adapter that speaks that API).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorityReportRecord } from '@lifeguard/storage';
import type { ReportDraft } from './draft.ts';
import { DECLARATION_TEXT } from './draft.ts';
import { postJson, type HttpsJsonConfig, type JsonPostOutcome } from './httpsJson.ts';

export interface NcaConfig {
  /** The registration the NCA gave the platform (reg 4: register before the first report). */
  registrationId: string;
  organisation: string;
  contactName: string;
  contactEmail: string;
  contactPhone?: string;
  serviceName: string;
  serviceUrl: string;
  transport: { kind: 'portal-export'; dir: string } | HttpsJsonConfig;
}

export const PRIORITY_MEANING: Record<1 | 2 | 3, string> = {
  1: 'Priority 1: an immediate threat to the life of a child or of serious harm to a child; send immediately (reg 6).',
  2: 'Priority 2: send as soon as reasonably practicable (reg 6).',
  3: 'Priority 3: send without undue delay (reg 6).',
};

export interface NcaReportInput {
  draft: ReportDraft;
  config: NcaConfig;
  caseId: string;
  detectedBy: string;
  messages: {
    id: string;
    time: number;
    senderId: string;
    text: string;
    attachments: { kind: string }[];
    /** What the detector flagged in the message and where (UTF-16 offsets). */
    flagged?: { signal: string; start: number; end: number }[];
  }[];
  media: { id: string; kind: string; hash: string }[];
  earlierReferences: string[];
  declaredBy: { name: string; role: string };
  declaredAt: number;
  /** A NCMEC report on the same case, when there is one. */
  ncmecReference: string | null;
}

/** Schedule 1, one field per item; empty where the platform does not hold it. */
export function buildNcaReport(i: NcaReportInput) {
  const u = i.draft.reportedUser;
  return {
    format: 'lifeguard-nca-report/1',
    priority: i.draft.priority,
    priorityMeaning: PRIORITY_MEANING[i.draft.priority],
    reporter: {
      registrationId: i.config.registrationId,
      organisation: i.config.organisation,
      contactName: i.config.contactName,
      contactEmail: i.config.contactEmail,
      contactPhone: i.config.contactPhone ?? null,
    },
    service: { name: i.config.serviceName, url: i.config.serviceUrl },
    earlierNcaReferences: [
      ...new Set([...(i.draft.earlierNcaReference ? [i.draft.earlierNcaReference] : []), ...i.earlierReferences]),
    ],
    alsoReportedToNcmec: i.ncmecReference,
    incident: {
      type: i.draft.incidentType,
      at: i.draft.incidentDateTime,
      annotations: i.draft.annotations,
      summary: i.draft.summary,
    },
    content: {
      howDetected: i.detectedBy,
      items: [
        ...i.messages.map((m) => ({
          kind: 'message',
          id: m.id,
          uploadedAt: new Date(m.time).toISOString(),
          sender: m.senderId,
          text: m.text,
          attachments: m.attachments.map((a) => a.kind),
          flagged: m.flagged ?? [],
          url: null,
          hash: null,
          exif: null,
        })),
        ...i.media.map((m) => ({
          kind: m.kind,
          id: m.id,
          uploadedAt: null,
          sender: null,
          text: null,
          attachments: [],
          flagged: [],
          url: null,
          hash: m.hash,
          exif: null,
        })),
      ],
    },
    user: {
      userId: u.userId,
      username: u.screenName ?? null,
      displayName: u.displayName ?? null,
      emails: u.emails,
      phones: u.phones,
      billing: u.billing ?? null,
      profileUrl: u.profileUrl ?? null,
      ipAddresses: u.ipEvents.map((e) => ({ ip: e.ip, event: e.event, at: e.at ?? null, port: e.port ?? null })),
      loginIps: u.ipEvents.filter((e) => e.event === 'Login').map((e) => e.ip),
      deviceIds: u.deviceIds,
    },
    children: i.draft.children,
    lifeguardCase: i.caseId,
    declaration: {
      text: DECLARATION_TEXT,
      by: i.declaredBy.name,
      role: i.declaredBy.role,
      at: new Date(i.declaredAt).toISOString(),
    },
  };
}

export type NcaReport = ReturnType<typeof buildNcaReport>;

export type NcaSendOutcome = JsonPostOutcome | { kind: 'exported'; location: string };

export interface NcaTransport {
  /** 'exported': the file waits for upload and the reference; 'filed': the NCA answered with one; 'retry' / 'rejected' as for NCMEC. */
  send(report: AuthorityReportRecord): Promise<NcaSendOutcome>;
}

/** The transport the configuration names. */
export function ncaTransport(t: NcaConfig['transport']): NcaTransport {
  return t.kind === 'portal-export' ? new PortalExportTransport(t.dir) : new HttpsNcaTransport(t);
}

/** Writes the report for the NCA's portal, readable only by the service's user. */
export class PortalExportTransport implements NcaTransport {
  constructor(private readonly dir: string) {}

  async send(report: AuthorityReportRecord): Promise<{ kind: 'exported'; location: string }> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const location = join(this.dir, `nca-${report.id}.json`);
    writeFileSync(location, `${JSON.stringify(report.body, null, 2)}\n`, { mode: 0o600 });
    chmodSync(location, 0o600);
    return { kind: 'exported', location };
  }
}

/** Posts the Schedule 1 document to the configured API endpoint; its answer's reference files the report. */
export class HttpsNcaTransport implements NcaTransport {
  constructor(private readonly config: HttpsJsonConfig) {}

  send(report: AuthorityReportRecord): Promise<JsonPostOutcome> {
    return postJson(this.config, report.id, report.body);
  }
}
