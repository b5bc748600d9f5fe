// EU Digital Services Act (Regulation (EU) 2022/2065) Art. 18: a hosting provider that suspects a
// criminal offence involving a threat to the life or safety of a person promptly informs the police of
// the Member State(s) concerned, or, when it cannot identify one, those of its own Member State and/or
// Europol (Art. 18(2)). This file holds what the specialist prepares, the document sent (one zod schema,
// also used by the test receiver), and which recipients a notification goes to.
import { z } from 'zod';
import { reportDraftSchema } from '../draft.ts';

/** The 27 Member States (ISO 3166; Greece as GR, not the EU's EL). */
export const EU_MEMBER_STATES = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;
export type MemberState = (typeof EU_MEMBER_STATES)[number];
/** A recipient: a Member State's police, or Europol (Art. 18(2)). */
export type PoliceTarget = MemberState | 'EUROPOL';

export const DSA_DECLARATION_TEXT =
  'I have reviewed this case myself. I suspect a criminal offence involving a threat to the life or safety of a person, ' +
  'and to the best of my knowledge the information in this notification is true and is all the relevant information we hold.';

const memberState = z.enum(EU_MEMBER_STATES, {
  message: 'must be an EU Member State code (ISO 3166, e.g. DE, IE, GR)',
});
const id = z.string().trim().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time' });

export const threatDraftSchema = z.strictObject({
  threat: z.strictObject({
    /** What is threatened (Art. 18(1)): a person's life, or their safety. */
    to: z.enum(['life', 'safety']),
    /** Art. 18(1): the offence has taken place, is taking place or is likely to take place. */
    offence: z.enum(['has_taken_place', 'is_taking_place', 'is_likely_to_take_place']),
    /** Imminent: police should act now (priority 1, clock starts at zero). */
    imminent: z.boolean(),
    summary: z
      .string()
      .trim()
      .min(20, 'say in at least 20 characters what the threat is and why you suspect it')
      .max(4000),
    /** Where the person at risk or the meeting is, as far as the platform knows. */
    location: z.string().trim().min(1).max(500).optional(),
  }),
  /** The suspected offender: the same identifiers a report to NCMEC or the NCA carries. */
  suspect: reportDraftSchema.shape.reportedUser.extend({
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
  }),
  personsAtRisk: z
    .array(
      z
        .strictObject({
          userId: id.optional(),
          description: z.string().trim().min(1).max(500).optional(),
          age: z.number().int().min(0).max(120).optional(),
          country: z
            .string()
            .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166 country code')
            .optional(),
        })
        .refine((p) => p.userId !== undefined || p.description !== undefined, {
          message: 'name the person by userId or describe them',
        }),
    )
    .min(1, 'name at least one person at risk')
    .max(10),
  evidence: z.strictObject({ messageIds: z.array(id).max(500).default([]) }).default({ messageIds: [] }),
  /** The Member States concerned, when the specialist knows them; otherwise worked out from the participants. */
  memberStates: z.array(memberState).min(1).max(27).optional(),
  declaration: z.strictObject({ accepted: z.literal(true, { message: 'the declaration must be accepted' }) }),
});
export type ThreatDraft = z.output<typeof threatDraftSchema>;

/** The document a police recipient receives (format lifeguard-dsa18-notification/1). */
export const threatNotificationSchema = z.strictObject({
  format: z.literal('lifeguard-dsa18-notification/1'),
  legalBasis: z.string().min(1),
  notificationId: z.string().min(1),
  recipient: z.strictObject({
    target: z.union([memberState, z.literal('EUROPOL')]),
    name: z.string().min(1),
    basis: z.enum(['member_state_concerned', 'provider_establishment', 'europol']),
  }),
  provider: z.strictObject({
    name: z.string().min(1),
    service: z.string().min(1),
    establishedIn: memberState,
    legalRepresentativeIn: memberState.nullable(),
    contactName: z.string().min(1),
    contactEmail: z.email(),
    contactPhone: z.string().nullable(),
  }),
  suspicion: z.strictObject({
    threatTo: z.enum(['life', 'safety']),
    offence: z.enum(['has_taken_place', 'is_taking_place', 'is_likely_to_take_place']),
    imminent: z.boolean(),
    summary: z.string().min(20),
    location: z.string().nullable(),
    memberStatesConcerned: z.array(memberState),
  }),
  suspect: z.strictObject({
    userId: z.string().min(1),
    username: z.string().nullable(),
    displayName: z.string().nullable(),
    emails: z.array(z.string()),
    phones: z.array(z.string()),
    profileUrl: z.string().nullable(),
    country: z.string().nullable(),
    ipAddresses: z.array(
      z.strictObject({ ip: z.string(), event: z.string(), at: z.string().nullable(), port: z.number().nullable() }),
    ),
    deviceIds: z.array(z.string()),
  }),
  personsAtRisk: z
    .array(
      z.strictObject({
        userId: z.string().nullable(),
        description: z.string().nullable(),
        age: z.number().nullable(),
        country: z.string().nullable(),
      }),
    )
    .min(1),
  content: z.array(
    z.strictObject({
      messageId: z.string(),
      sentAt: isoTime,
      senderId: z.string(),
      text: z.string().nullable(),
      /** What the detector flagged in the message and where (UTF-16 offsets). */
      flagged: z.array(z.strictObject({ signal: z.string(), start: z.number().int(), end: z.number().int() })),
    }),
  ),
  lifeguardCase: z.string().min(1),
  declaration: z.strictObject({ text: z.string().min(1), by: z.string().min(1), role: z.string(), at: isoTime }),
});
export type ThreatNotification = z.output<typeof threatNotificationSchema>;

/** Who the notification goes to, and why (Art. 18(1) and (2)). */
export function policeTargets(input: {
  chosen: MemberState[] | undefined;
  /** Countries of the suspect and the persons at risk, as far as known. */
  countries: string[];
  establishedIn: MemberState;
  legalRepresentativeIn?: MemberState | undefined;
  europolConfigured: boolean;
}): { concerned: MemberState[]; targets: { target: PoliceTarget; basis: ThreatNotification['recipient']['basis'] }[] } {
  const eu = new Set<string>(EU_MEMBER_STATES);
  const concerned = input.chosen ?? ([...new Set(input.countries.filter((c) => eu.has(c)))].sort() as MemberState[]);
  if (concerned.length > 0)
    return { concerned, targets: concerned.map((target) => ({ target, basis: 'member_state_concerned' })) };
  // Art. 18(2): no Member State identified with reasonable certainty.
  const home = input.legalRepresentativeIn ?? input.establishedIn;
  return {
    concerned,
    targets: [
      { target: home, basis: 'provider_establishment' },
      ...(input.europolConfigured ? [{ target: 'EUROPOL' as const, basis: 'europol' as const }] : []),
    ],
  };
}
