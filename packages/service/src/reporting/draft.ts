// What a child-safety specialist prepares to report a case: one zod schema, the single validation path
// for the console and the CLI. Only what the specialist chose goes out; media bytes only when the
// platform supplies them for upload.
import { z } from 'zod';

/** NCMEC's incident types (CyberTipline Reporting API documentation). */
export const INCIDENT_TYPES = [
  'Child Pornography (possession, manufacture, and distribution)',
  'Child Sex Trafficking',
  'Child Sex Tourism',
  'Child Sexual Molestation',
  'Misleading Domain Name',
  'Misleading Words or Digital Images on the Internet',
  'Online Enticement of Children for Sexual Acts',
  'Unsolicited Obscene Material Sent to a Child',
] as const;

export const REPORT_ANNOTATIONS = [
  'sextortion',
  'csamSolicitation',
  'minorToMinorInteraction',
  'spam',
  'sadisticOnlineExploitation',
] as const;
export const IP_EVENTS = ['Login', 'Registration', 'Purchase', 'Upload', 'Other', 'Unknown'] as const;

/** The declaration the specialist makes (SI 2026/268 Schedule 1; shown in the console above the button). */
export const DECLARATION_TEXT =
  'I have reviewed this case myself. To the best of my knowledge the information in this report is true and complete, ' +
  'and I am reporting it because it appears to show child sexual exploitation or abuse.';

const isoTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date and time, e.g. 2026-05-01T14:30:00Z',
});
const id = z.string().trim().min(1).max(200);

const ipEvent = z.strictObject({
  ip: z.union([z.ipv4(), z.ipv6()], { message: 'must be an IPv4 or IPv6 address' }),
  event: z.enum(IP_EVENTS).default('Unknown'),
  at: isoTime.optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

export const reportDraftSchema = z.strictObject({
  incidentType: z.enum(INCIDENT_TYPES),
  /** 1: immediate threat to a child's life or of serious harm; 2: as soon as reasonably practicable; 3: without undue delay. */
  priority: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'must be 1, 2 or 3' }),
  incidentDateTime: isoTime,
  annotations: z.array(z.enum(REPORT_ANNOTATIONS)).max(REPORT_ANNOTATIONS.length).default([]),
  /** The specialist's account of what happened and why it is reported; no explicit description is needed or wanted. */
  summary: z.string().trim().min(20, 'say in at least 20 characters what happened and why it is reported').max(4000),
  reportedUser: z.strictObject({
    userId: id,
    screenName: z.string().trim().min(1).max(200).optional(),
    displayName: z.string().trim().min(1).max(200).optional(),
    emails: z.array(z.email().max(320)).max(20).default([]),
    phones: z
      .array(
        z
          .string()
          .trim()
          .regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number'),
      )
      .max(20)
      .default([]),
    profileUrl: z.url().max(2000).optional(),
    billing: z.string().trim().min(1).max(1000).optional(),
    ipEvents: z.array(ipEvent).max(100).default([]),
    deviceIds: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
    accountDisabled: z.enum(['temporarily', 'permanently']).optional(),
  }),
  /** The child, where known: the victim, or the intended recipient of the contact. */
  children: z
    .array(
      z.strictObject({
        role: z.enum(['victim', 'intendedRecipient']),
        userId: id,
        screenName: z.string().trim().min(1).max(200).optional(),
        age: z.number().int().min(0).max(17).optional(),
      }),
    )
    .max(10)
    .default([]),
  /** Chosen from the case: messages (with their spans) and media (hashes and metadata). */
  evidence: z
    .strictObject({
      messageIds: z.array(id).max(500).default([]),
      mediaIds: z.array(id).max(50).default([]),
    })
    .default({ messageIds: [], mediaIds: [] }),
  /** Files the platform supplies for upload (NCMEC /upload); never fetched by Lifeguard itself. */
  files: z
    .array(
      z.strictObject({
        fileName: z.string().trim().min(1).max(255),
        contentBase64: z.base64().max(8_000_000, 'a file may be at most 6 MB'),
        fileViewedByEsp: z.boolean(),
        publiclyAvailable: z.boolean(),
        industryClassification: z.enum(['A1', 'A2', 'B1', 'B2']).optional(),
      }),
    )
    .max(5)
    .default([]),
  /** ISO country codes whose authorities apply; default: the platform's countries and the participants'. */
  jurisdictions: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166 country code'))
    .min(1)
    .max(10)
    .optional(),
  earlierNcaReference: z.string().trim().min(1).max(100).optional(),
  declaration: z.strictObject({ accepted: z.literal(true, { message: 'the declaration must be accepted' }) }),
});

export type ReportDraft = z.output<typeof reportDraftSchema>;
