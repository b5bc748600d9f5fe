// Message catalogues: every text Lifeguard shows to people (nudges, reasons, defaults, Family Centre)
// is an ICU MessageFormat message in messages/<locale>.json, formatted with intl-messageformat so
// plurals, selects and dates follow each language's rules. The policy file may override any message
// per tenant (see overrides below); en-GB is the reference every catalogue must match key for key.
import { readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';

export const LOCALES = ['en-GB', 'en-US', 'de', 'fr', 'es', 'pt-BR', 'it', 'nl', 'pl'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en-GB';

export type MessageParams = Record<string, string | number | Date>;
/** Formats one catalogue message in a fixed locale (and tenant). */
export type Translate = (key: string, params?: MessageParams) => string;

function load(locale: Locale): Record<string, string> {
  return JSON.parse(readFileSync(new URL(`./messages/${locale}.json`, import.meta.url), 'utf8')) as Record<
    string,
    string
  >;
}

export const CATALOGUES: Readonly<Record<Locale, Readonly<Record<string, string>>>> = Object.fromEntries(
  LOCALES.map((l) => [l, load(l)]),
) as Record<Locale, Record<string, string>>;
export const MESSAGE_KEYS: readonly string[] = Object.keys(CATALOGUES[DEFAULT_LOCALE]);

/** The argument names a message uses (plural/select/date arguments included), e.g. {count, teen}. Throws on bad syntax. */
export function messageArguments(text: string, locale: string): Set<string> {
  const out = new Set<string>();
  const walk = (nodes: unknown[]): void => {
    for (const node of nodes as {
      type: number;
      value?: string;
      options?: Record<string, { value: unknown[] }>;
      children?: unknown[];
    }[]) {
      // Types 1..6 are argument, number, date, time, select and plural (the parser's TYPE enum).
      if (node.type >= 1 && node.type <= 6 && typeof node.value === 'string') out.add(node.value);
      if (node.options) for (const option of Object.values(node.options)) walk(option.value);
      if (node.children) walk(node.children);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as unknown[]);
  return out;
}

export type MessageOverrides = Record<string, Partial<Record<Locale, Record<string, string>>>>;

const COUNTRY_LOCALE: Record<string, Locale> = {
  GB: 'en-GB',
  IE: 'en-GB',
  US: 'en-US',
  DE: 'de',
  AT: 'de',
  LI: 'de',
  FR: 'fr',
  LU: 'fr',
  ES: 'es',
  BR: 'pt-BR',
  PT: 'pt-BR',
  IT: 'it',
  NL: 'nl',
  PL: 'pl',
};

export interface LocaleChoice {
  /** What the account event (or the request) asked for; null when nothing was sent. */
  requested: string | null;
  used: Locale;
  /** 'none': the requested locale is shipped; otherwise which fallback chose `used`. */
  fallback: 'none' | 'language' | 'country' | 'default';
  /** One sentence saying why (for logs and support, always English). */
  reason: string;
}

/**
 * The account's locale when shipped; else the same language (de-AT -> de, pt-PT -> pt-BR, en-AU -> en-GB);
 * else the country's language; else en-GB. The choice always says which fallback applied.
 */
export function chooseLocale(requested: string | null | undefined, country: string | null | undefined): LocaleChoice {
  const byCountry = country ? COUNTRY_LOCALE[country.toUpperCase()] : undefined;
  const fromCountry = (why: string): LocaleChoice =>
    byCountry
      ? {
          requested: requested ?? null,
          used: byCountry,
          fallback: 'country',
          reason: `${why}; using ${byCountry}, the language of the account's country (${country!.toUpperCase()})`,
        }
      : {
          requested: requested ?? null,
          used: DEFAULT_LOCALE,
          fallback: 'default',
          reason: `${why}; using the default ${DEFAULT_LOCALE}`,
        };
  if (!requested) return fromCountry('no locale was sent for this account');
  let tag: string;
  try {
    tag = Intl.getCanonicalLocales(requested)[0]!;
  } catch {
    return fromCountry(`"${requested}" is not a valid language tag`);
  }
  const exact = LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return { requested, used: exact, fallback: 'none', reason: `${exact} is shipped` };
  const [language, ...rest] = tag.split('-');
  const region = rest.find((p) => /^[A-Z]{2}$/.test(p));
  let same: Locale | undefined;
  if (language === 'en') same = region === 'US' || (!region && country?.toUpperCase() === 'US') ? 'en-US' : 'en-GB';
  else same = LOCALES.find((l) => l.split('-')[0] === language);
  if (same)
    return {
      requested,
      used: same,
      fallback: 'language',
      reason: `${tag} is not shipped; using ${same}, the same language`,
    };
  return fromCountry(`${tag} is not shipped`);
}

/** Compiled messages per tenant and locale, with the policy's per-tenant overrides ('*' for every tenant). */
export class Messages {
  private readonly compiled = new Map<string, IntlMessageFormat>();

  constructor(private readonly overrides: MessageOverrides = {}) {}

  text(tenantId: string, locale: Locale, key: string): string {
    const found =
      this.overrides[tenantId]?.[locale]?.[key] ??
      this.overrides['*']?.[locale]?.[key] ??
      CATALOGUES[locale][key] ??
      CATALOGUES[DEFAULT_LOCALE][key];
    if (found === undefined) throw new Error(`no message "${key}" in the catalogues`);
    return found;
  }

  format(tenantId: string, locale: Locale, key: string, params: MessageParams = {}): string {
    const id = `${tenantId}\u0000${locale}\u0000${key}`;
    let fmt = this.compiled.get(id);
    if (!fmt) {
      fmt = new IntlMessageFormat(this.text(tenantId, locale, key), locale);
      this.compiled.set(id, fmt);
    }
    return String(fmt.format(params));
  }

  translator(tenantId: string, locale: Locale): Translate {
    return (key, params) => this.format(tenantId, locale, key, params);
  }
}

/** en-GB without overrides: the default for the pure decision rules and their tests. */
export const ENGLISH: Translate = new Messages().translator('*', DEFAULT_LOCALE);
