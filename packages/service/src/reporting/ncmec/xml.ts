// The CyberTipline documents: the report sent to /submit and the file details sent to /fileinfo, built
// in the element order of the schema (cybertipline.xsd), and the service's XML answers read back.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { ReportDraft } from '../draft.ts';

export interface ReporterConfig {
  companyName: string;
  email: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  termsOfServiceUrl?: string;
  legalUrl?: string;
  /** The platform's name as NCMEC should show it (incidentSummary.platform, espService). */
  service: string;
}

export interface ReportXmlInput {
  draft: ReportDraft;
  reporter: ReporterConfig;
  /** Earlier CyberTipline report ids on the same person (priorCTReports). */
  priorReportIds: string[];
  /** The chosen messages, as the case holds them. */
  messages: { id: string; time: number; senderId: string; text: string; flagged?: FlaggedSpan[] }[];
  /** Media chosen by hash only (no bytes to upload). */
  mediaHashes: { id: string; kind: string; hash: string }[];
  caseId: string;
  detectedBy: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function maybe(parent: XMLBuilder, name: string, value: string | number | boolean | undefined | null): void {
  if (value === undefined || value === null || value === '') return;
  parent.ele(name).txt(String(value));
}

function ipEvents(parent: XMLBuilder, events: ReportDraft['reportedUser']['ipEvents']): void {
  for (const e of events) {
    const el = parent.ele('ipCaptureEvent');
    el.ele('ipAddress').txt(e.ip);
    el.ele('eventName').txt(e.event);
    maybe(el, 'dateTime', e.at);
    maybe(el, 'port', e.port);
  }
}

/** What the detector flagged in a message: the signal and its offsets (UTF-16) in the text. */
export interface FlaggedSpan {
  signal: string;
  start: number;
  end: number;
}

/**
 * The chat lines go into chatImIncident.content: ids, times, sender and text, one per line, then the
 * spans the detector flagged in it ("flagged: secrecy 0-20"), so the reader sees why a line was chosen.
 */
function transcript(messages: ReportXmlInput['messages']): string {
  return messages
    .map((m) => {
      const spans = (m.flagged ?? []).map((f) => `${f.signal} ${f.start}-${f.end}`).join(', ');
      return `[${iso(m.time)}] ${m.senderId} (message ${m.id}): ${m.text}${spans ? ` [flagged: ${spans}]` : ''}`;
    })
    .join('\n');
}

export function buildReportXml(input: ReportXmlInput): string {
  const { draft, reporter } = input;
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const report = doc.ele('report');

  const summary = report.ele('incidentSummary');
  summary.ele('incidentType').txt(draft.incidentType);
  summary.ele('platform').txt(reporter.service);
  if (draft.priority === 1)
    summary
      .ele('escalateToHighPriority')
      .txt(`Immediate threat to a child (priority 1): ${draft.summary.slice(0, 500)}`);
  if (draft.annotations.length) {
    const a = summary.ele('reportAnnotations');
    // Schema order, whatever order the specialist ticked them in.
    for (const name of [
      'sextortion',
      'csamSolicitation',
      'minorToMinorInteraction',
      'spam',
      'sadisticOnlineExploitation',
    ] as const)
      if (draft.annotations.includes(name)) a.ele(name);
  }
  summary.ele('incidentDateTime').txt(draft.incidentDateTime);

  if (input.messages.length) {
    const chat = report.ele('internetDetails').ele('chatImIncident');
    chat.ele('chatClient').txt(reporter.service);
    chat.ele('content').txt(transcript(input.messages));
  }

  const rep = report.ele('reporter');
  const person = rep.ele('reportingPerson');
  maybe(person, 'firstName', reporter.firstName);
  maybe(person, 'lastName', reporter.lastName);
  maybe(person, 'phone', reporter.phone);
  person.ele('email').txt(reporter.email);
  rep.ele('companyTemplate').txt(reporter.companyName);
  maybe(rep, 'termsOfService', reporter.termsOfServiceUrl);
  maybe(rep, 'legalURL', reporter.legalUrl);

  const u = draft.reportedUser;
  const reported = report.ele('personOrUserReported');
  if (u.emails.length || u.phones.length) {
    const p = reported.ele('personOrUserReportedPerson');
    for (const phone of u.phones) p.ele('phone').txt(phone);
    for (const email of u.emails) p.ele('email').txt(email);
  }
  reported.ele('espIdentifier').txt(u.userId);
  reported.ele('espService').txt(reporter.service);
  maybe(reported, 'screenName', u.screenName);
  maybe(reported, 'displayName', u.displayName);
  maybe(reported, 'profileUrl', u.profileUrl);
  ipEvents(reported, u.ipEvents);
  for (const d of u.deviceIds) reported.ele('deviceId').ele('idValue').txt(d);
  const prior = input.priorReportIds.filter((r) => /^[1-9][0-9]*$/.test(r));
  if (prior.length) {
    const p = reported.ele('priorCTReports');
    for (const r of prior) p.ele('reportId').txt(r);
  }
  if (u.accountDisabled === 'temporarily') reported.ele('accountTemporarilyDisabled').txt('true');
  if (u.accountDisabled === 'permanently') reported.ele('accountPermanentlyDisabled').txt('true');

  for (const role of ['intendedRecipient', 'victim'] as const) {
    for (const child of draft.children.filter((c) => c.role === role)) {
      const el = report.ele(role);
      if (child.age !== undefined)
        el.ele(role === 'victim' ? 'victimPerson' : 'intendedRecipientPerson')
          .ele('age')
          .txt(String(child.age));
      el.ele('espIdentifier').txt(child.userId);
      el.ele('espService').txt(reporter.service);
      maybe(el, 'screenName', child.screenName);
    }
  }

  const extra = [
    draft.summary,
    `How it was detected: ${input.detectedBy}`,
    `Lifeguard case ${input.caseId}.`,
    ...input.mediaHashes.map((m) => `Media ${m.id} (${m.kind}) hash: ${m.hash}`),
  ];
  report.ele('additionalInfo').txt(extra.join('\n'));
  return doc.end({ prettyPrint: true });
}

export interface FileDetailsInput {
  reportId: string;
  fileId: string;
  fileName: string;
  fileViewedByEsp: boolean;
  publiclyAvailable: boolean;
  industryClassification?: string | undefined;
  md5: string;
  sha256: string;
}

export function buildFileDetailsXml(f: FileDetailsInput): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const d = doc.ele('fileDetails');
  d.ele('reportId').txt(f.reportId);
  d.ele('fileId').txt(f.fileId);
  d.ele('originalFileName').txt(f.fileName);
  d.ele('fileViewedByEsp').txt(String(f.fileViewedByEsp));
  d.ele('publiclyAvailable').txt(String(f.publiclyAvailable));
  maybe(d, 'industryClassification', f.industryClassification);
  d.ele('originalFileHash', { hashType: 'MD5' }).txt(f.md5);
  d.ele('originalFileHash', { hashType: 'SHA256' }).txt(f.sha256);
  return doc.end({ prettyPrint: true });
}

export interface NcmecAnswer {
  responseCode: number;
  description: string;
  reportId: string | null;
  fileId: string | null;
  hash: string | null;
}

/** Reads a reportResponse or reportDoneResponse; null when the text is not one. */
export function parseAnswer(xml: string): NcmecAnswer | null {
  let obj: Record<string, unknown>;
  try {
    obj = create(xml).end({ format: 'object' }) as Record<string, unknown>;
  } catch {
    return null;
  }
  const root = (obj.reportResponse ?? obj.reportDoneResponse) as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') return null;
  const code = Number(root.responseCode);
  if (!Number.isInteger(code)) return null;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    responseCode: code,
    description: str(root.responseDescription) ?? '',
    reportId: str(root.reportId),
    fileId: str(root.fileId),
    hash: str(root.hash),
  };
}
