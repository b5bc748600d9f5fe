// Safety-by-design policy: what the service enforces for child accounts, per jurisdiction.
// Loaded from a JSON file, validated at start; any error names the file, line and field, and the
// service refuses to start. With no file, DEFAULT_POLICY applies (the same as examples/policies/default.json).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { problemPath, zodProblems } from '@lifeguard/core';
import { JsonSyntaxError, type LocatedJson, locate, parseJsonWithPositions } from './jsonSource.ts';
import { DEFAULT_ENFORCEMENT, enforcementSchema } from '../console/ladder.ts'; // moderator console
import { CATALOGUES, DEFAULT_LOCALE, LOCALES, messageArguments, type Locale } from '../i18n/catalogue.ts'; // Family Centre

const score = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const helpResourceSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'must be lower-case letters, digits, - or _ (at most 40)'),
  name: z.string().min(1).max(100),
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
  phone: z.string().max(40).optional(),
  /** When to offer it: general support, images (requests or threats to share them), reporting a crime. */
  topics: z.array(z.enum(['general', 'images', 'report'])).min(1),
});
export type HelpResource = z.infer<typeof helpResourceSchema>;

export const contactRuleSchema = z.enum(['block', 'hold', 'warn', 'allow']);
export type ContactRule = z.infer<typeof contactRuleSchema>;

// Family Centre and safety-by-design defaults ----------------------------
/** The defaults a child account starts with (Ofcom ICU F1; EU Article 28 guidelines). */
export const SAFETY_DEFAULTS = [
  'profile_private',
  'not_discoverable',
  'connection_list_hidden',
  'precise_location_off',
  'location_not_offered_to_strangers',
  'stranger_messages_off',
] as const;
export type SafetyDefault = (typeof SAFETY_DEFAULTS)[number];
const ruleSource = z.string().min(1).max(300);
export const childDefaultsSchema = z.partialRecord(
  z.enum(SAFETY_DEFAULTS),
  z.strictObject({
    /** Whether the jurisdiction's rules set this default on for child accounts. */
    on: z.boolean(),
    /** Where the rule comes from, shown with the answer, e.g. "Ofcom ICU F1". */
    source: ruleSource,
  }),
);
export const familyPolicySchema = z.strictObject({
  /** Children under this age may be linked by the platform under its own age rules, without the child accepting (0: never). */
  platformLinksUnder: z.number().int().min(0).max(16),
  /** A teen of this age or older may end a link alone; null: only the parent can end it. */
  teenMayEndAloneFrom: z.number().int().min(13).max(21).nullable(),
});
export const DEFAULT_FAMILY_POLICY = { platformLinksUnder: 13, teenMayEndAloneFrom: 16 } as const;
// End of Family Centre --------------------------------------------------------------------------

export const profileSchema = z
  .strictObject({
    /** Shown in decisions' reasons, e.g. "UK: Ofcom illegal content codes ICU F1/F2". */
    label: z.string().min(1).max(200),
    /** Accounts younger than this are child accounts. */
    childUnder: z.number().int().min(13).max(21),
    /** How to treat an account whose age is unknown. 'child' is the cautious default. */
    unknownAge: z.enum(['child', 'adult']),
    /** Child accounts are not suggested as friends to accounts they are not connected to. */
    hideChildrenFromSuggestions: z.boolean(),
    /** Child accounts do not appear in other accounts' connection lists to viewers not connected to them. */
    hideChildrenFromConnectionLists: z.boolean(),
    /** Direct messages to a child account from an account it is not connected to. */
    strangerMessagesToChildren: contactRuleSchema,
    /** Friend requests to a child account from an account it is not connected to. */
    strangerRequestsToChildren: contactRuleSchema,
    /** Supportive prompts to the child when a stranger makes contact or a message carries risk. */
    supportivePrompts: z.boolean(),
    /** Stricter rules when the detector already holds risk on the sender (actor score, 0..1). */
    riskySender: z.strictObject({ warnAt: score, holdAt: score, blockAt: score }),
    /** Messages to a child in a conversation at or above this risk score are held for review. */
    conversationHoldAt: score,
    helpResources: z.array(helpResourceSchema).max(20),
    /** Child-account defaults and the rule each comes from (family-centre); unlisted ones fall back to the profile label. */
    childDefaults: childDefaultsSchema.optional(),
    /** Family Centre links. */
    family: familyPolicySchema.default({ ...DEFAULT_FAMILY_POLICY }),
  })
  .superRefine((p, ctx) => {
    const { warnAt, holdAt, blockAt } = p.riskySender;
    if (!(warnAt <= holdAt && holdAt <= blockAt)) {
      ctx.addIssue({
        code: 'custom',
        path: ['riskySender'],
        message: `thresholds must satisfy warnAt <= holdAt <= blockAt (got ${warnAt}, ${holdAt}, ${blockAt})`,
      });
    }
    const ids = new Set<string>();
    p.helpResources.forEach((r, i) => {
      if (ids.has(r.id))
        ctx.addIssue({
          code: 'custom',
          path: ['helpResources', i, 'id'],
          message: `duplicate help resource id "${r.id}"`,
        });
      ids.add(r.id);
    });
  });
export type PolicyProfile = z.infer<typeof profileSchema>;

// Ban evasion -------------------------------------------------------------
/** What a link between a new account and a banned one does to the sign-up decision. */
export const linkActionSchema = z.enum(['block', 'flag', 'ignore']);
export const BAN_LINK_KINDS = [
  'device_id',
  'email',
  'phone',
  'payment_fingerprint',
  'ip_fingerprint',
  'username',
  'photo',
] as const;
export type BanLinkKind = (typeof BAN_LINK_KINDS)[number];
const banReason = z.string().regex(/^[a-z0-9_]{1,40}$/, 'reasons are lower-case letters, digits or _ (at most 40)');

export const DEFAULT_BAN_EVASION = {
  /** Only bans for these reasons link new accounts; a ban for spam does not. */
  childSafetyReasons: [
    'grooming',
    'sextortion',
    'known_image',
    'child_sexualisation',
    'csam',
    'child_exploitation',
    'age_misrepresentation',
  ],
  /** Exact identifiers block; shared networks (schools, households) and look-alike names or photos only flag. */
  links: {
    device_id: 'block',
    email: 'block',
    phone: 'block',
    payment_fingerprint: 'block',
    ip_fingerprint: 'flag',
    username: 'flag',
    photo: 'flag',
  },
  /** PDQ Hamming distance (of 256 bits) at or below which two profile photos count as the same picture. */
  photoMaxDistance: 31,
  username: { minLength: 5, fuzzyMinLength: 7, minSimilarity: 0.85, commonAt: 25 },
  /** Calling code added to phone numbers given in national form ("07700 900123"); null keeps them national. */
  defaultCallingCode: '44',
} as const satisfies Record<string, unknown>;

export const banEvasionSchema = z.strictObject({
  childSafetyReasons: z
    .array(banReason)
    .min(1)
    .max(50)
    .default([...DEFAULT_BAN_EVASION.childSafetyReasons]),
  links: z
    .strictObject({
      device_id: linkActionSchema,
      email: linkActionSchema,
      phone: linkActionSchema,
      payment_fingerprint: linkActionSchema,
      ip_fingerprint: linkActionSchema,
      username: linkActionSchema,
      photo: linkActionSchema,
    })
    .partial()
    .transform((l) => ({ ...DEFAULT_BAN_EVASION.links, ...l }))
    .default({ ...DEFAULT_BAN_EVASION.links }),
  photoMaxDistance: z.number().int().min(0).max(64).default(DEFAULT_BAN_EVASION.photoMaxDistance),
  username: z
    .strictObject({
      /** Names whose skeleton is shorter link only when the whole name is the same ("alex" never links "alex2"). */
      minLength: z.number().int().min(3).max(20),
      /** Similar (not identical) skeletons link only from this length. */
      fuzzyMinLength: z.number().int().min(5).max(32),
      /** 1 - edit distance / length of the longer skeleton. */
      minSimilarity: z.number().min(0.5, 'must be between 0.5 and 1').max(1, 'must be between 0.5 and 1'),
      /** A skeleton held by this many accounts is too common to be evidence (e.g. a popular first name). */
      commonAt: z.number().int().min(2).max(100_000),
    })
    .partial()
    .transform((u) => ({ ...DEFAULT_BAN_EVASION.username, ...u }))
    .default({ ...DEFAULT_BAN_EVASION.username }),
  defaultCallingCode: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, 'must be a country calling code without + (e.g. "44")')
    .nullable()
    .default(DEFAULT_BAN_EVASION.defaultCallingCode),
});
export type BanEvasionPolicy = z.output<typeof banEvasionSchema>;
// End of ban evasion ------------------------------------------------------------------------------

const profileName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'profile names are lower-case letters, digits, - or _');

export const policySchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, 'must be 1 (the only policy format so far)'),
    /** Profile for accounts whose country is unknown or not listed. */
    defaultProfile: profileName,
    /** ISO 3166-1 alpha-2 country code -> profile name. */
    countries: z.record(
      z.string().regex(/^[A-Z]{2}$/, 'country codes are two upper-case letters (ISO 3166-1 alpha-2)'),
      profileName,
    ),
    profiles: z.record(profileName, profileSchema),
    /** Sign-up checks against accounts banned for child safety (every field optional; defaults above). */
    banEvasion: banEvasionSchema.default(banEvasionSchema.parse({})),
    /** Moderator console (console-server): the enforcement ladder, console/ladder.ts; DEFAULT_ENFORCEMENT when omitted. */
    enforcement: enforcementSchema.default(DEFAULT_ENFORCEMENT),
    /** Help resources per country (family-centre), offered before the profile's own; replaces the built-in list for that country. */
    countryHelpResources: z
      .record(
        z.string().regex(/^[A-Z]{2}$/, 'country codes are two upper-case letters (ISO 3166-1 alpha-2)'),
        z.array(helpResourceSchema).max(20),
      )
      .default({}),
    /** Per-tenant message overrides (family-centre): tenant id (or "*" for all) -> locale -> catalogue key -> ICU message. */
    messages: z
      .record(z.string().min(1).max(256), z.partialRecord(z.enum(LOCALES), z.record(z.string(), z.string().max(2000))))
      .default({}),
  })
  .superRefine((p, ctx) => {
    if (!(p.defaultProfile in p.profiles)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultProfile'],
        message: `no profile named "${p.defaultProfile}" (profiles: ${Object.keys(p.profiles).join(', ') || 'none'})`,
      });
    }
    for (const [country, profile] of Object.entries(p.countries)) {
      if (!(profile in p.profiles))
        ctx.addIssue({ code: 'custom', path: ['countries', country], message: `no profile named "${profile}"` });
    }
    // An override must name a real message, parse, and use only the variables the message is given.
    for (const [tenant, locales] of Object.entries(p.messages)) {
      for (const [locale, messages] of Object.entries(locales ?? {})) {
        for (const [key, text] of Object.entries(messages ?? {})) {
          const path = ['messages', tenant, locale, key];
          const base = CATALOGUES[DEFAULT_LOCALE][key];
          if (base === undefined) {
            ctx.addIssue({ code: 'custom', path, message: `no message "${key}" in the catalogues` });
            continue;
          }
          try {
            const allowed = messageArguments(base, DEFAULT_LOCALE);
            const extra = [...messageArguments(text, locale as Locale)].filter((a) => !allowed.has(a));
            if (extra.length)
              ctx.addIssue({
                code: 'custom',
                path,
                message: `uses {${extra.join('}, {')}}, which "${key}" is not given (it has: ${[...allowed].map((a) => `{${a}}`).join(', ') || 'none'})`,
              });
          } catch (err) {
            ctx.addIssue({ code: 'custom', path, message: `not a valid ICU message: ${(err as Error).message}` });
          }
        }
      }
    }
  });
export type Policy = z.infer<typeof policySchema>;

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    /** Each problem as `file:line: path: reason`. */
    readonly problems: string[],
  ) {
    super(`invalid policy file ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'PolicyError';
  }
}

/** Parses and validates policy text; `file` is used in error messages only. */
export function parsePolicy(text: string, file: string): Policy {
  let doc: LocatedJson;
  try {
    doc = parseJsonWithPositions(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError)
      throw new PolicyError(file, [
        `${file}:${err.position.line}:${err.position.column}: not valid JSON: ${err.reason}`,
      ]);
    throw err;
  }
  const found: { line: number; text: string }[] = doc.duplicateKeys.map((d) => ({
    line: d.position.line,
    text: `${problemPath(d.path)}: appears twice`,
  }));
  const result = policySchema.safeParse(doc.value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      // One line per unknown key, each at its own place in the file.
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
      zodProblems([issue]).forEach((text, i) => {
        found.push({ line: locate(doc, paths[i] ?? issue.path).line, text });
      });
    }
  }
  if (found.length > 0)
    throw new PolicyError(
      file,
      found.sort((a, b) => a.line - b.line).map((p) => `${file}:${p.line}: ${p.text}`),
    );
  return result.data!;
}

export function loadPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(file, [
      `${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    ]);
  }
  return parsePolicy(text, file);
}

export interface ResolvedProfile {
  name: string;
  profile: PolicyProfile;
}

/** The profile for a country (ISO alpha-2, any case), or the default profile. */
export function profileFor(policy: Policy, country: string | null | undefined): ResolvedProfile {
  const mapped = country ? policy.countries[country.toUpperCase()] : undefined;
  const name = mapped ?? policy.defaultProfile;
  return { name, profile: policy.profiles[name]! };
}

// Real, long-standing help services only. Childline and CEOP are UK services; Take It Down (NCMEC)
// works worldwide; 116 111 is the harmonised European number for child helplines.
const CHILDLINE: HelpResource = {
  id: 'childline',
  name: 'Childline',
  url: 'https://www.childline.org.uk',
  phone: '0800 1111',
  topics: ['general', 'images'],
};
const CEOP: HelpResource = {
  id: 'ceop',
  name: 'CEOP Safety Centre (National Crime Agency)',
  url: 'https://www.ceop.police.uk',
  topics: ['report'],
};
const TAKE_IT_DOWN: HelpResource = {
  id: 'take-it-down',
  name: 'Take It Down (NCMEC)',
  url: 'https://takeitdown.ncmec.org',
  topics: ['images'],
};
const EU_HELPLINE: HelpResource = {
  id: 'helpline-116111',
  name: 'Child helpline 116 111',
  url: 'https://childhelplineinternational.org',
  phone: '116 111',
  topics: ['general', 'images'],
};

// Where each child default comes from. Ofcom's ICU F1 sets the connection, visibility, location and
// messaging defaults for child users; the Commission's Article 28 guidelines ask for private-by-default
// accounts with the same protections. Named in words, not section numbers, so they stay true between editions.
const UK_F1 = 'Ofcom Illegal Content Codes of Practice (user-to-user), measure ICU F1: safety defaults for child users';
const EU_ART28 =
  'European Commission guidelines on the protection of minors under Article 28 DSA: private and safe default settings for minors';
function defaultsFrom(source: string): Partial<Record<SafetyDefault, { on: boolean; source: string }>> {
  return Object.fromEntries(SAFETY_DEFAULTS.map((d) => [d, { on: true, source }]));
}

const strict = {
  childUnder: 18,
  unknownAge: 'child',
  hideChildrenFromSuggestions: true,
  hideChildrenFromConnectionLists: true,
  strangerMessagesToChildren: 'block',
  strangerRequestsToChildren: 'warn',
  supportivePrompts: true,
  riskySender: { warnAt: 0.3, holdAt: 0.5, blockAt: 0.75 },
  conversationHoldAt: 0.7,
} as const;

/** The built-in policy: UK profile by default, EU profile for EU/EEA countries. */
export const DEFAULT_POLICY: Policy = {
  version: 1,
  defaultProfile: 'uk',
  countries: Object.fromEntries([
    ['GB', 'uk'],
    ...[
      'AT',
      'BE',
      'BG',
      'HR',
      'CY',
      'CZ',
      'DK',
      'EE',
      'FI',
      'FR',
      'DE',
      'GR',
      'HU',
      'IE',
      'IT',
      'LV',
      'LT',
      'LU',
      'MT',
      'NL',
      'PL',
      'PT',
      'RO',
      'SK',
      'SI',
      'ES',
      'SE',
      'IS',
      'LI',
      'NO',
    ].map((c) => [c, 'eu']),
  ]),
  profiles: {
    uk: {
      label:
        'UK: Ofcom illegal content codes ICU F1 (safety defaults for child users) and F2 (support for child users)',
      ...strict,
      helpResources: [CHILDLINE, TAKE_IT_DOWN, CEOP],
      childDefaults: defaultsFrom(UK_F1),
      family: { ...DEFAULT_FAMILY_POLICY },
    },
    eu: {
      label: 'EU: Commission guidelines on the protection of minors under DSA Article 28',
      ...strict,
      helpResources: [EU_HELPLINE, TAKE_IT_DOWN],
      childDefaults: defaultsFrom(EU_ART28),
      family: { ...DEFAULT_FAMILY_POLICY },
    },
  },
  countryHelpResources: {},
  messages: {},
  banEvasion: banEvasionSchema.parse({}),
  enforcement: DEFAULT_ENFORCEMENT, // moderator console
};
