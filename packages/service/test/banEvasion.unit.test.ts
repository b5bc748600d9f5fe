// Normalisation and username similarity for ban evasion, without a store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareUsernames,
  editDistance,
  IdentifierError,
  normaliseEmail,
  normaliseOpaque,
  normalisePhone,
  usernameForms,
  usernameKeys,
} from '../src/banEvasion/normalize.ts';
import { banEvasionSchema, DEFAULT_POLICY, parsePolicy } from '../src/policy/policy.ts';
import { DEFAULT_ENFORCEMENT } from '../src/console/ladder.ts';

const rule = DEFAULT_POLICY.banEvasion.username;
const link = (a: string, b: string) => compareUsernames(usernameForms(a), usernameForms(b), rule);

describe('ban evasion: email normalisation', () => {
  it('reads case, surrounding space, +tags, Gmail dots and googlemail.com as the same mailbox', () => {
    const same = [
      'j.smith@gmail.com',
      ' J.Smith@GMAIL.com ',
      'jsmith+new@gmail.com',
      'j.s.m.i.t.h@googlemail.com',
      'JSmith+a.b@googlemail.com',
    ];
    for (const e of same) assert.equal(normaliseEmail(e), 'jsmith@gmail.com', e);
  });

  it('keeps dots outside Gmail and keeps different people apart', () => {
    assert.equal(normaliseEmail('j.smith+x@outlook.com'), 'j.smith@outlook.com');
    assert.notEqual(normaliseEmail('j.smith@outlook.com'), normaliseEmail('jsmith@outlook.com'));
    assert.notEqual(
      normaliseEmail('alex.jones@gmail.com'),
      normaliseEmail('alex.brown@gmail.com'),
      'a shared first name is not the same mailbox',
    );
  });

  it('refuses values that are not addresses', () => {
    for (const bad of ['', 'no-at-sign', '@gmail.com', 'someone@', 'some one@gmail.com', 'x@localhost']) {
      assert.throws(() => normaliseEmail(bad), IdentifierError, bad);
    }
  });
});

describe('ban evasion: phone normalisation', () => {
  it('reads international, 00-prefixed and national forms of one number alike with a default calling code', () => {
    for (const p of ['+44 7700 900123', '+44 (0)7700 900123', '0044 7700-900123', '07700 900123', '(07700) 900.123']) {
      assert.equal(normalisePhone(p, '44'), '+447700900123', p);
    }
  });

  it('leaves national numbers national without a default calling code, and keeps other countries apart', () => {
    assert.equal(normalisePhone('07700 900123', null), '07700900123');
    assert.equal(normalisePhone('+1 415 555 0100', '44'), '+14155550100');
    assert.notEqual(normalisePhone('+1 415 555 0100', '44'), normalisePhone('+44 415 555 0100', '44'));
  });

  it('refuses letters and implausible lengths', () => {
    for (const bad of ['call me', '12345', '+1234567890123456', 'tel:+447700900123'])
      assert.throws(() => normalisePhone(bad, '44'), IdentifierError, bad);
  });
});

describe('ban evasion: opaque identifiers', () => {
  it('trims, lower-cases hex and UUIDs, and keeps other values exact', () => {
    assert.equal(normaliseOpaque(' 6F9619FF-8B86-D011-B42D-00C04FC964FF '), '6f9619ff-8b86-d011-b42d-00c04fc964ff');
    assert.equal(normaliseOpaque('Ab+/Cd=='), 'Ab+/Cd==');
    assert.throws(() => normaliseOpaque('   '), IdentifierError);
  });
});

describe('ban evasion: username skeletons', () => {
  it('folds case, digits and separators at the ends, leetspeak, look-alike letters and repeated letters', () => {
    const cases: [string, string][] = [
      ['gr00mer_99', 'gromer'],
      ['GROOMER2024', 'gromer'],
      ['2009_alex', 'alex'],
      ['4l3x', 'alex'],
      ['j.e.s.s.i.c.a', 'jesica'],
      ['Jеssica', 'jesica'], // Cyrillic е
      ['ｓｈａｄｏｗ', 'shadow'], // fullwidth
      ['Zoë__', 'zoe'],
      ['sh\u200badow', 'shadow'], // zero-width space
    ];
    for (const [raw, skeleton] of cases) assert.equal(usernameForms(raw).skeleton, skeleton, raw);
  });

  it('keeps digits in the full form, so short names are told apart by them', () => {
    assert.equal(usernameForms('Alex_2').full, 'alex2');
    assert.equal(usernameForms('alex').full, 'alex');
  });

  it('does not link common short names that differ only by digits ("alex" and "alex2")', () => {
    assert.equal(link('alex', 'alex2'), null);
    assert.equal(link('alex2009', 'alex_2010'), null);
    assert.equal(link('sam', 'sam_x'), null);
  });

  it('links the same name, and the same long skeleton written differently', () => {
    assert.deepEqual(link('Alex_2', 'alex2'), { how: 'same_name', similarity: 1 });
    assert.deepEqual(link('gr00mer_99', 'GROOMER2024'), { how: 'same_skeleton', similarity: 1 });
  });

  it('links long skeletons one edit apart and keeps shorter or more different names apart', () => {
    const near = link('shadowhunter', 'shadowhuntr');
    assert.equal(near?.how, 'similar');
    assert.ok(near!.similarity > 0.9, 'the near name is very similar');
    assert.equal(link('shadowhunter', 'shadowdancer'), null, 'three edits in twelve letters');
    assert.equal(link('daniel', 'daniela'), null, 'six letters are too short for a fuzzy link');
    assert.equal(link('marcus', 'markus'), null);
  });

  it('finds every skeleton one edit away through shared deletion keys', () => {
    const base = 'shadowhunter';
    const variants = ['shadowhuntr', 'shadowhunters', 'shadowhunler', 'shadowhuntre', 'xshadowhunter'];
    const keys = new Set(usernameKeys(base));
    for (const v of variants) {
      assert.equal(editDistance(base, v), 1, v);
      assert.ok(
        usernameKeys(v).some((k) => keys.has(k)),
        `${v} shares a key`,
      );
    }
    assert.ok(!usernameKeys('moonlight').some((k) => keys.has(k)), 'an unrelated name shares none');
    assert.deepEqual(usernameKeys('abc'), [], 'too short for keys');
    assert.ok(usernameKeys('a'.repeat(10) + 'b'.repeat(100)).length <= 33, 'long names have bounded keys');
  });

  it('counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('shadow', 'shdaow'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });
});

describe('ban evasion: policy section', () => {
  it('defaults to blocking on exact identifiers and flagging on IP, username and photo links', () => {
    assert.deepEqual(DEFAULT_POLICY.banEvasion.links, {
      device_id: 'block',
      email: 'block',
      phone: 'block',
      payment_fingerprint: 'block',
      ip_fingerprint: 'flag',
      username: 'flag',
      photo: 'flag',
    });
    assert.equal(DEFAULT_POLICY.banEvasion.photoMaxDistance, 31);
  });

  it('counts every child-safety reason the console can disable an account for, and not harassment', () => {
    const disable = DEFAULT_ENFORCEMENT.steps.find((step) => step.action === 'disable')!;
    for (const reason of disable.reasons.filter((r) => r !== 'harassment'))
      assert.ok(DEFAULT_POLICY.banEvasion.childSafetyReasons.includes(reason), reason);
    assert.ok(
      !DEFAULT_POLICY.banEvasion.childSafetyReasons.includes('harassment'),
      'harassment is not a child-safety reason',
    );
  });

  it('fills a partial section from the defaults and names a bad field with its line', () => {
    const parsed = banEvasionSchema.parse({ links: { ip_fingerprint: 'block' }, username: { minLength: 6 } });
    assert.equal(parsed.links.ip_fingerprint, 'block');
    assert.equal(parsed.links.email, 'block');
    assert.equal(parsed.username.minLength, 6);
    assert.equal(parsed.username.fuzzyMinLength, rule.fuzzyMinLength);
    const base = { version: 1, defaultProfile: 'uk', countries: {}, profiles: { uk: DEFAULT_POLICY.profiles.uk } };
    const text = JSON.stringify({ ...base, banEvasion: { links: { phone: 'maybe' } } }, null, 2);
    assert.throws(() => parsePolicy(text, 'p.json'), /p\.json:\d+: banEvasion\.links\.phone: /);
  });
});
