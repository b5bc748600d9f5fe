// Message catalogues: every locale has every key with the same variables, plurals cover each
// language's categories, locales fall back and say so, and the policy file's overrides are checked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntlMessageFormat } from 'intl-messageformat';
import {
  CATALOGUES,
  chooseLocale,
  DEFAULT_LOCALE,
  LOCALES,
  messageArguments,
  Messages,
  MESSAGE_KEYS,
} from '../src/i18n/catalogue.ts';
import { COUNTRY_HELP, helpResourcesFor } from '../src/i18n/helplines.ts';
import { DEFAULT_POLICY, parsePolicy, PolicyError } from '../src/policy/policy.ts';

/** Plural nodes (type 6) anywhere in a message, with the option keys they define. */
function pluralOptions(text: string, locale: string): string[][] {
  const out: string[][] = [];
  const walk = (nodes: unknown[]) => {
    for (const n of nodes as { type: number; options?: Record<string, { value: unknown[] }> }[]) {
      if (n.type === 6 && n.options) out.push(Object.keys(n.options));
      if (n.options) for (const o of Object.values(n.options)) walk(o.value);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as unknown[]);
  return out;
}

describe('message catalogues', () => {
  it('ship the nine locales', () => {
    assert.deepEqual([...LOCALES], ['en-GB', 'en-US', 'de', 'fr', 'es', 'pt-BR', 'it', 'nl', 'pl']);
    assert.ok(MESSAGE_KEYS.length >= 90, `en-GB has ${MESSAGE_KEYS.length} messages`);
  });

  for (const locale of LOCALES) {
    it(`${locale}: has exactly the reference keys, each parsing with the reference variables and this language's plural forms`, () => {
      const cat = CATALOGUES[locale];
      const missing = MESSAGE_KEYS.filter((k) => !(k in cat));
      const extra = Object.keys(cat).filter((k) => !MESSAGE_KEYS.includes(k));
      assert.deepEqual(missing, [], `${locale} misses keys`);
      assert.deepEqual(extra, [], `${locale} has keys en-GB does not`);
      // The forms counts up to 1,000 need (French and Spanish "many" only starts at a million).
      const rules = new Intl.PluralRules(locale);
      const categories = [...new Set(Array.from({ length: 1001 }, (_, n) => rules.select(n)))];
      for (const key of MESSAGE_KEYS) {
        const expected = [...messageArguments(CATALOGUES[DEFAULT_LOCALE][key]!, DEFAULT_LOCALE)].sort();
        const actual = [...messageArguments(cat[key]!, locale)].sort();
        assert.deepEqual(actual, expected, `${locale} ${key}: variables`);
        for (const options of pluralOptions(cat[key]!, locale)) {
          const lacking = categories.filter((c) => !options.includes(c));
          assert.ok(options.includes('other'), `${locale} ${key}: a plural needs an "other" form`);
          assert.deepEqual(lacking, [], `${locale} ${key}: plural forms for ${categories.join(', ')}`);
        }
      }
    });
  }

  it('are translated, not copies of English', () => {
    for (const locale of ['de', 'fr', 'es', 'pt-BR', 'it', 'nl', 'pl'] as const) {
      const same = MESSAGE_KEYS.filter(
        (k) =>
          CATALOGUES[locale][k] === CATALOGUES['en-GB'][k] && !/^\{[^}]*\}( \{[^}]*\})*$/.test(CATALOGUES['en-GB'][k]!),
      );
      assert.ok(same.length <= 1, `${locale} copies English for: ${same.join(', ')}`);
    }
  });

  it('format plurals per language (Polish few and many)', () => {
    const m = new Messages();
    assert.equal(m.format('t', 'pl', 'family.messages', { count: 3, last: 0 }).split(',')[0], '3 wiadomości', 'few');
    assert.equal(
      m.format('t', 'en-GB', 'nudge.recipient.not_connected', { count: 1 }),
      'You are not connected with this person (1 friend in common).',
      'one',
    );
    assert.match(
      m.format('t', 'de', 'nudge.recipient.not_connected', { count: 2 }),
      /2 gemeinsame Freunde/,
      'German other',
    );
  });
});

describe('locale choice', () => {
  const cases: [string | null, string | null, string, string][] = [
    ['de', 'DE', 'de', 'none'],
    ['pt-br', 'BR', 'pt-BR', 'none'],
    ['de-AT', 'AT', 'de', 'language'],
    ['pt-PT', 'PT', 'pt-BR', 'language'],
    ['en-AU', 'AU', 'en-GB', 'language'],
    ['en', 'US', 'en-US', 'language'],
    ['sw', 'PL', 'pl', 'country'],
    ['sw', 'KE', 'en-GB', 'default'],
    ['not a tag!', 'FR', 'fr', 'country'],
    [null, 'IT', 'it', 'country'],
    [null, null, 'en-GB', 'default'],
  ];
  for (const [requested, country, used, fallback] of cases) {
    it(`${requested ?? '(none)'} in ${country ?? '(no country)'} -> ${used} (${fallback})`, () => {
      const choice = chooseLocale(requested, country);
      assert.equal(choice.used, used, choice.reason);
      assert.equal(choice.fallback, fallback, choice.reason);
      assert.equal(choice.requested, requested, 'the request is echoed');
      assert.ok(choice.reason.length > 5, 'says why');
    });
  }
});

describe('per-tenant message overrides', () => {
  const policyWith = (messages: unknown) => JSON.stringify({ ...DEFAULT_POLICY, messages });

  it('apply to the named tenant (or every tenant with "*") and nowhere else', () => {
    const policy = parsePolicy(
      policyWith({
        acme: { 'en-GB': { 'family.title': 'Acme Family Hub' } },
        '*': { de: { 'family.title': 'Familie' } },
      }),
      'policy.json',
    );
    const m = new Messages(policy.messages);
    assert.equal(m.format('acme', 'en-GB', 'family.title'), 'Acme Family Hub', 'the tenant override');
    assert.equal(m.format('globex', 'en-GB', 'family.title'), 'Family Centre', 'other tenants keep the catalogue');
    assert.equal(m.format('globex', 'de', 'family.title'), 'Familie', 'the "*" override');
  });

  it('are refused when the key is unknown, the syntax is bad or a variable is not given', () => {
    try {
      parsePolicy(
        policyWith({
          acme: {
            'en-GB': { 'family.titel': 'x', 'family.invite': '{parent wants', 'family.view.parent': 'Hi {name}' },
          },
        }),
        'policy.json',
      );
      assert.fail('expected a PolicyError');
    } catch (err) {
      assert.ok(err instanceof PolicyError, 'a PolicyError');
      const text = err.problems.join('\n');
      assert.match(text, /messages\.acme\.en-GB\["family\.titel"\]: no message "family\.titel"/, 'unknown key named');
      assert.match(text, /\["family\.invite"\]: not a valid ICU message/, 'bad syntax named');
      assert.match(
        text,
        /\["family\.view\.parent"\]: uses \{name\}, which "family\.view\.parent" is not given \(it has: \{teen\}\)/,
        'unknown variable named',
      );
    }
  });
});

describe('helplines per country', () => {
  it('offer Childline and Report Remove in the UK, 116 111 in Germany and Poland, Take It Down everywhere', () => {
    const uk = helpResourcesFor(DEFAULT_POLICY, DEFAULT_POLICY.profiles.uk!, 'GB');
    assert.ok(
      uk.some((r) => r.name === 'Childline' && r.phone === '0800 1111'),
      'Childline 0800 1111',
    );
    assert.ok(
      uk.some((r) => r.id === 'report-remove'),
      'Report Remove',
    );
    for (const c of ['DE', 'PL'])
      assert.ok(
        helpResourcesFor(DEFAULT_POLICY, DEFAULT_POLICY.profiles.eu!, c).some((r) => r.phone === '116 111'),
        `116 111 in ${c}`,
      );
    for (const [c, list] of Object.entries(COUNTRY_HELP))
      assert.ok(
        list.some((r) => r.id === 'take-it-down'),
        `Take It Down in ${c}`,
      );
    const be = helpResourcesFor(DEFAULT_POLICY, DEFAULT_POLICY.profiles.eu!, 'BE');
    assert.ok(
      be.some((r) => r.phone === '116 111'),
      "an EU country without its own entry gets the EU profile's 116 111",
    );
    assert.equal(new Set(uk.map((r) => r.id)).size, uk.length, 'each service once');
  });
});
