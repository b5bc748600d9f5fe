import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEXICON } from '../src/lexicon.ts';
import type { SignalKind } from '../src/reports.ts';
import { normalize, tokenize } from '../src/normalize.ts';
import { compileLexicon, detectSignals } from '../src/signals.ts';

const kinds = (text: string) => detectSignals(text).map((s) => s.kind);
const has = (text: string, kind: SignalKind) => kinds(text).includes(kind);

describe('signal lexicon', () => {
  it('compiles with its static checks', () => {
    const compiled = compileLexicon(LEXICON);
    assert.ok(compiled.patternCount > 1000, 'the lexicon compiles to more than 1,000 patterns');
  });

  it('rejects patterns that could match anything or are malformed', () => {
    assert.throws(
      () => compileLexicon([{ kind: 'secrecy', stage: 'isolation', patterns: ['~ secret'] }]),
      /must not start/,
    );
    assert.throws(() => compileLexicon([{ kind: 'secrecy', stage: 'isolation', patterns: ['(a|b'] }]), /missing '\)'/);
    assert.throws(
      () => compileLexicon([{ kind: 'secrecy', stage: 'isolation', patterns: ['(a)?'] }]),
      /can match nothing/,
    );
    assert.throws(
      () => compileLexicon([{ kind: 'secrecy', stage: 'isolation', patterns: ['#bogus'] }]),
      /unknown pattern token/,
    );
  });
});

describe('age signals', () => {
  it('reads age disclosures in many shapes and captures the age', () => {
    for (const text of ['im 13', "I'm 13 lol", '13/f/cali', '13 f', 'i just turned 14', '15 years old', 'age 12']) {
      const s = detectSignals(text).find((x) => x.kind === 'age_disclosure_minor');
      assert.ok(s, `no disclosure in "${text}"`);
      assert.ok(s.age !== undefined && s.age >= 12 && s.age <= 15, `age for "${text}"`);
    }
  });
  it('classifies adult ages as adult disclosures', () => {
    assert.ok(has('im 34 m', 'age_disclosure_adult'), 'an adult age disclosure');
    assert.ok(!has('im 34 m', 'age_disclosure_minor'), 'not a minor age disclosure');
  });
  it('does not read durations, distances or money as ages', () => {
    for (const text of ['im 10 minutes away', 'im 15 miles from there', 'im 12 dollars short', 'im 14 points behind']) {
      assert.ok(!has(text, 'age_disclosure_minor'), text);
    }
  });
  it('detects age probing, also in leetspeak', () => {
    for (const text of ['how old are you?', 'h0w 0ld r u', 'asl', 'what grade are you in'])
      assert.ok(has(text, 'age_probe'), text);
  });
});

describe('contact and platform signals', () => {
  it('detects moving to another app, with evasions', () => {
    for (const text of [
      'add me on snap',
      'add me on s.n.a.p',
      'hmu on insta',
      'whats ur kik',
      'lets talk on telegram',
      'my 👻 is coolguy',
      'join t.me/something',
    ]) {
      assert.ok(has(text, 'platform_move'), text);
    }
  });
  it('detects phone numbers and personal information requests', () => {
    assert.ok(has('text me 07700 900123 ok', 'phone_number'), 'a phone number');
    assert.ok(has('what school do you go to', 'personal_info'), 'a request for personal information');
  });
});

describe('secrecy and isolation', () => {
  it('detects requests for secrecy and deletion', () => {
    for (const text of [
      "don't tell your mom",
      'this is our little secret',
      'delete these messages after',
      'keep it between us',
    ]) {
      assert.ok(has(text, 'secrecy'), text);
    }
  });
  it('does not treat a surprise-party secret as grooming secrecy', () => {
    assert.ok(!has("don't tell dad about the birthday surprise!", 'secrecy'), 'a surprise for dad is not secrecy');
    assert.ok(!has('keep it a secret, the party is on saturday', 'secrecy'), 'a party secret is not secrecy');
  });
  it('detects checks on whether the child is alone', () => {
    for (const text of ['are your parents home?', 'r u alone', 'do your parents check your phone'])
      assert.ok(has(text, 'isolation'), text);
  });
});

describe('trust, images, meeting, sexualisation', () => {
  it('detects flattery, relationship talk, gifts and money', () => {
    assert.ok(has('ur so mature for your age', 'flattery'), 'flattery');
    assert.ok(has('age is just a number', 'relationship'), 'relationship talk');
    assert.ok(has('ill buy u robux', 'gift'), 'a gift offer (robux)');
    assert.ok(has('free vbucks if you want', 'gift'), 'a gift offer (vbucks)');
  });
  it('detects image requests and meeting proposals', () => {
    assert.ok(has('send me a pic', 'image_request'), 'an image request');
    assert.ok(has('turn on ur cam', 'image_request'), 'a camera request');
    assert.ok(has('lets meet up this weekend', 'meeting'), 'a meeting proposal');
    assert.ok(has('i can pick you up after school', 'meeting'), 'an offer to pick up after school');
  });
  it('detects non-explicit sexualisation cues', () => {
    assert.ok(has('what are you wearing', 'sexualisation'), 'a sexualisation cue (clothing)');
    assert.ok(has('have you ever been kissed', 'sexualisation'), 'a sexualisation cue (kissing)');
  });
});

describe('sextortion script', () => {
  it('detects leverage, threat, payment and deadline', () => {
    const found = kinds('i have your pics. pay $200 or i send them to all your friends. you have 10 minutes');
    for (const k of ['sextortion_leverage', 'sextortion_threat', 'sextortion_payment', 'sextortion_deadline'] as const)
      assert.ok(found.includes(k), k);
  });
  it('reads a threat to send everything to "all of them"', () => {
    assert.ok(has('pay or i send everything to all of them', 'sextortion_threat'), 'a sextortion threat');
  });
  it('does not treat paying back a friend as a payment demand', () => {
    assert.ok(
      !has('pay me back the £20 when you can', 'sextortion_payment'),
      'paying back a friend is not a payment demand',
    );
    assert.ok(!has('you owe me 20 dollars lol', 'sextortion_payment'), 'a small debt is not a payment demand');
  });
  it('detects the child in distress', () => {
    assert.ok(has('please dont im scared', 'distress'), 'distress');
  });
});

describe('negation', () => {
  it('reads advice not to do something as advice, not a request', () => {
    assert.ok(
      !has('you shouldnt send pics to people online', 'image_request'),
      'advice not to send pictures is not an image request',
    );
    assert.ok(
      !has('never meet up with someone from a game', 'meeting'),
      'advice not to meet is not a meeting proposal',
    );
    assert.ok(
      !has("don't add me on snap, i never use it", 'platform_move'),
      'refusing to add on snap is not a platform move',
    );
  });
  it('still reads "why dont you send me a pic" as a request', () => {
    assert.ok(
      has('why dont you send me a pic', 'image_request'),
      'a question that asks for a picture is an image request',
    );
  });
  it('does not treat "dont tell" as negated secrecy', () => {
    assert.ok(has('dont tell anyone', 'secrecy'), '"dont tell anyone" is secrecy');
  });
});

describe('typos', () => {
  it('reads words with two swapped letters', () => {
    assert.ok(has('dont tlel anyone ok', 'secrecy'), 'a swapped "tell" still reads as secrecy');
    assert.ok(has('its our little secert', 'secrecy'), 'a swapped "secret" still reads as secrecy');
  });
  it('does not turn real words into lexicon words', () => {
    // "asked" is one letter from "naked", "quite" is "quiet" swapped: neither is a typo.
    assert.deepEqual(kinds('i asked him and he was quite sure'), []);
  });
  it('tells the child-safety moderation-evasion move apart from ordinary talk', () => {
    assert.ok(
      has('lets talk on signal, the chat here is watched by mods', 'platform_move'),
      'moving to avoid moderators is a platform move',
    );
    assert.ok(has('lets talk on signal, the chat here is watched by mods', 'secrecy'), 'and secrecy');
    assert.ok(!has('the signal is weak here', 'platform_move'), 'a weak phone signal is not a platform move');
  });
});

describe('spans', () => {
  it('points at the original characters, including evasions', () => {
    const text = 'ok so... add me on S.N.A.P!!';
    const s = detectSignals(text).find((x) => x.kind === 'platform_move');
    assert.ok(s, 'the platform move is found');
    assert.equal(text.slice(s.start, s.end), s.excerpt);
    assert.equal(s.excerpt, 'add me on S.N.A.P');
  });
  it('finds nothing in ordinary chat', () => {
    for (const text of [
      'did you see the match last night',
      'try restarting the network manager',
      'what time is the meeting tomorrow',
    ]) {
      assert.deepEqual(kinds(text), [], text);
    }
  });
});

describe('per-word memo', () => {
  const messages = [
    'how old r u?',
    'im 13 f',
    'dont tlel anyone ok',
    'its our little secert',
    'add me on S.N.A.P!!',
    'add me on snap its cool_kid12',
    'are your parents home rn',
    'delete this after u read it',
    'u r so mature for ur age',
    'i can get u robux or a gift card',
    'send me a pic',
    'lets meet at the park saturday',
    'i have ur pics. pay $200 in gift cards by tonight or i send them to all ur friends',
    'pay me back the 20 quid',
    'call me 07700 900461',
    'did you see the match last night',
    'try restarting the network manager',
    'never send pics to strangers',
    'why dont you send me a pic',
    'we should keep the birthday surprise secret from dad',
  ];
  const plain = (text: string, lexicon?: ReturnType<typeof compileLexicon>) =>
    detectSignals(text, normalize(text), lexicon);

  it('gives the same signals from the memo, warm or cold, as from plain tokens', () => {
    for (let round = 0; round < 3; round++) {
      for (const text of messages) {
        assert.deepEqual(detectSignals(text, tokenize(text)), plain(text), `${text} (round ${round})`);
        assert.deepEqual(detectSignals(text), plain(text), text);
      }
    }
  });

  it('keeps a memo per lexicon, so two lexicons side by side do not mix', () => {
    const secrecyOnly = compileLexicon(LEXICON.filter((r) => r.kind === 'secrecy'));
    for (const text of messages) {
      const custom = detectSignals(text, tokenize(text), secrecyOnly);
      assert.deepEqual(custom, plain(text, secrecyOnly), text);
      assert.ok(
        custom.every((x) => x.kind === 'secrecy'),
        text,
      );
      assert.deepEqual(detectSignals(text, tokenize(text)), plain(text), text);
    }
    assert.ok(
      detectSignals('send me a pic', tokenize('send me a pic')).length > 0,
      'the default lexicon still finds the image request',
    );
    assert.equal(detectSignals('send me a pic', tokenize('send me a pic'), secrecyOnly).length, 0);
  });

  it('forgets what it knew when the word table is reset', () => {
    for (const text of messages) detectSignals(text);
    const epoch = tokenize('x').epoch;
    // More new words than the table holds: it is reset at least once, and entries are reused.
    for (let n = 0; n < 70_000; n += 50) {
      const batch: string[] = [];
      for (let k = n; k < n + 50; k++) {
        // Distinct words with no doubled letter (squeezing would merge some): "w" + "az" + "bz"...
        let w = 'w';
        for (let v = k + 1; v > 0; v = Math.floor(v / 24)) w += `${String.fromCharCode(97 + (v % 24))}z`;
        batch.push(w);
      }
      detectSignals(batch.join(' '));
    }
    assert.ok(tokenize('x').epoch > epoch, 'the table was reset');
    for (const text of messages) assert.deepEqual(detectSignals(text), plain(text), text);
  });
});
