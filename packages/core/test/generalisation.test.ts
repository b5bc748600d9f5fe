// Behaviour on the failure classes seen in generalisation (catfish sextortion, evasion, fan-out,
// indirect ages, age lies, look-alikes), in wordings written for these tests (not taken
// from the development corpus): each test names what a moderator would expect.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetectionEngine, type EngineSnapshot } from '../src/engine.ts';
import { checkRules, ESCALATION_RULES, strongestRule, type EscalationFacts } from '../src/escalation.ts';
import { LEXICON } from '../src/lexicon.ts';
import { normalize } from '../src/normalize.ts';
import { compileLexicon, detectSignals } from '../src/signals.ts';
import { Script } from './scenario.ts';

function run(script: Script, engine = new DetectionEngine()) {
  const alerts = script.events.flatMap((e) => engine.process(e));
  return { engine, alerts };
}
const kinds = (text: string) => detectSignals(text).map((s) => s.kind);

describe('catfish sextortion of a teenage boy', () => {
  const script = () =>
    new Script()
      .account('jordan', 15)
      .say('s1', 'kayla', 'jordan', 'heyy u play for the eagles right? ur cute')
      .say('s1', 'jordan', 'kayla', 'haha yeah who is this')
      .say('s1', 'kayla', 'jordan', '📷')
      .say('s1', 'kayla', 'jordan', 'ur turn to send')
      .say('s1', 'jordan', 'kayla', '📷')
      .say('s1', 'kayla', 'jordan', 'i screen recorded all of it lol')
      .say('s1', 'kayla', 'jordan', 'send $150 on venmo or ur whole team group chat gets it')
      .say('s1', 'jordan', 'kayla', 'please dont i dont have that')
      .say('s1', 'kayla', 'jordan', '10 mins');

  it('reads capture, exposure to an audience, payment by app and the countdown', () => {
    assert.ok(kinds('i screen recorded all of it lol').includes('sextortion_leverage'), 'a capture verb is leverage');
    const demand = kinds('send $150 on venmo or ur whole team group chat gets it');
    assert.ok(demand.includes('sextortion_payment'), `an amount on a payment app is a payment demand, got ${demand}`);
    assert.ok(demand.includes('sextortion_threat'), `"or your team gets it" is a threat, got ${demand}`);
  });

  it('reaches at least high within one session and names the fake peer as the suspect', () => {
    const { engine, alerts } = run(script());
    const report = engine.conversationReport('s1')!;
    assert.ok(report.score >= 0.6, `expected high risk, got ${report.score}`);
    assert.equal(report.suspectId, 'kayla', 'the account making the demands is the suspect');
    assert.ok(
      alerts.some((a) => a.kind === 'conversation'),
      'an alert fires',
    );
    assert.ok(report.reasons[0]!.includes('sextortion'), `the first reason names the script: ${report.reasons[0]}`);
    assert.ok(
      report.evidence.some((e) => e.kind === 'sextortion_deadline' && e.excerpt === '10 mins'),
      'a bare countdown after a demand is a deadline',
    );
  });
});

describe('evasion', () => {
  it('splits words spelled out letter by letter at double spaces', () => {
    assert.deepEqual(
      normalize('p a y  m e  n o w').tokens,
      ['pay', 'me', 'now'],
      'double spaces separate the spelled words',
    );
    assert.deepEqual(normalize('i  s a v e d  i t').tokens, ['i', 'saved', 'it'], 'one-letter words stay words');
    assert.deepEqual(normalize('1 5  m i n s').tokens, ['15', 'minutes'], 'spaced digits are a number');
  });

  it('reads a spelled-out threat naming a family member', () => {
    const found = kinds('p a y  m e  o r  y o u r  d a d  s e e s  i t');
    assert.ok(found.includes('sextortion_threat'), `expected a threat, got ${found}`);
  });

  it('corrects swapped letters, leetspeak of two digits and Cyrillic look-alikes', () => {
    assert.ok(kinds('add me on sanp').includes('platform_move'), 'swapped letters of a chat-speak app name');
    assert.ok(kinds('add me on snpa').includes('platform_move'), 'swapped final letters');
    assert.ok(kinds('k33p th1s s3cr3t').includes('secrecy'), 'two leet digits between letters');
    assert.ok(kinds('add me on ѕпар').includes('platform_move'), 'Cyrillic dze and pe');
  });

  it('reads words typed without vowels by their consonants, and leaves chat abbreviations alone', () => {
    assert.ok(kinds('ok i scrnshtd it').includes('sextortion_leverage'), '"scrnshtd" is "screenshotted"');
    assert.ok(kinds('snd me a pic').includes('image_request'), '"snd" is "send"');
    assert.deepEqual(kinds('brb lmk when ur done thx'), [], 'abbreviations are not lexicon words');
  });

  it('turns currency signs next to numbers into an amount', () => {
    assert.deepEqual(normalize('£40 now').tokens, ['<cur>', '40', 'now'], 'the pound sign is money, not the letter l');
    assert.deepEqual(normalize('$ 75').tokens, ['<cur>', '75'], 'a dollar sign before a spaced number');
  });
});

describe('every element present in a short chat', () => {
  it('alerts on an adult offering game currency to an 11-year-old for a secret picture', () => {
    const script = new Script()
      .account('tom_w', 11)
      .account('helper99', 31)
      .say('g1', 'helper99', 'tom_w', 'u want 800 robux? i have loads spare')
      .say('g1', 'tom_w', 'helper99', 'yes pls!!')
      .say('g1', 'helper99', 'tom_w', 'ok but dont tell your mum, she wont get it')
      .say('g1', 'helper99', 'tom_w', 'send me a pic of u first then delete our chat');
    const { engine, alerts } = run(script);
    assert.ok(engine.conversationScore('g1') >= 0.6, `expected high, got ${engine.conversationScore('g1')}`);
    assert.ok(
      alerts.some((a) => a.kind === 'conversation' && a.messagesRead <= 4),
      'alerts within the session',
    );
  });

  it('alerts on "are you alone", clothing and "show me" to a 13-year-old', () => {
    const script = new Script()
      .account('ella', 13)
      .say('g2', 'mark_77', 'ella', 'is anyone else home with u?')
      .say('g2', 'ella', 'mark_77', 'no why')
      .say('g2', 'mark_77', 'ella', 'what r u wearing rn')
      .say('g2', 'mark_77', 'ella', 'show me');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('g2') >= 0.5, `expected an alert, got ${engine.conversationScore('g2')}`);
    assert.equal(engine.conversationReport('g2')!.suspectId, 'mark_77', 'the adult-directed side is the suspect');
  });
});

describe('fan-out by intent', () => {
  it('an account sending compliments and age questions to four children is high risk and names them', () => {
    const script = new Script().account('fan_acc', 27);
    const lines = [
      ['your drawings are amazing honestly', 'how old r u?', '12'],
      ['ur edits r so good', 'what age are you', '13'],
      ['you are so pretty in that video', 'how old are u btw', '14'],
      ['ur voice is beautiful', 'how old r u', '12'],
    ];
    lines.forEach(([compliment, probe, age], i) => {
      const child = `kid${i}`;
      script
        .say(`f${i}`, 'fan_acc', child, compliment!, 30)
        .say(`f${i}`, 'fan_acc', child, probe!)
        .say(`f${i}`, child, 'fan_acc', age!);
    });
    const { engine, alerts } = run(script);
    const actor = engine.actorReport('fan_acc')!;
    assert.ok(actor.score >= 0.6, `expected high, got ${actor.score}`);
    assert.ok(actor.fanOut, 'the report carries the fan-out');
    assert.deepEqual([...actor.fanOut.children].sort(), ['kid0', 'kid1', 'kid2', 'kid3'], 'names every child');
    assert.ok(
      actor.fanOut.intents.includes('age_probe') && actor.fanOut.intents.includes('flattery'),
      `intents ${actor.fanOut.intents}`,
    );
    assert.equal(actor.fanOut.conversations.length, 4, 'names the conversations');
    assert.ok(
      alerts.some((a) => a.kind === 'actor' && a.subjectId === 'fan_acc'),
      'the account alerts',
    );
    assert.ok(engine.conversationScore('f0') >= 0.5, 'each conversation of the fan-out is raised for review');
  });

  it('does not call two children with one question each fan-out', () => {
    const script = new Script().account('aunt', 40);
    for (const k of ['n1', 'n2', 'n3'])
      script.say(`a-${k}`, 'aunt', k, 'how old are you now?').say(`a-${k}`, k, 'aunt', '12');
    const { engine } = run(script);
    assert.equal(engine.actorReport('aunt')!.fanOut, null, 'one intent per child is ordinary');
  });
});

describe('ages stated indirectly', () => {
  it('reads school years, grades and birth years as ages', () => {
    const age = (text: string) => detectSignals(text).find((s) => s.kind === 'age_disclosure_minor')?.age;
    assert.equal(age('im in yr 8'), 12, 'UK year 8');
    assert.equal(age('i am in 9th grade'), 14, 'US 9th grade');
    assert.equal(age('im in seventh grade'), 12, 'ordinal words');
    assert.equal(age('im a freshman'), 14, 'freshman');
    assert.equal(
      detectSignals('im a 2013 baby').find((s) => s.kind === 'age_disclosure_minor')?.birthYear,
      2013,
      'a birth year',
    );
  });

  it('dates a birth year with the message time', () => {
    const script = new Script(Date.parse('2026-05-01T12:00:00Z')).say('b1', 'lia', 'x', 'i was born in 2013');
    const { engine } = run(script);
    assert.equal(engine.accountInfo('lia').age, 13, '2026 - 2013');
  });
});

describe('age lies', () => {
  it('an adult who claimed 15 and then admits 24 is the suspect, and the lie raises risk', () => {
    const script = new Script()
      .say('l1', 'rory', 'mae', 'hey im rory, im 15 too')
      .say('l1', 'mae', 'rory', 'cool im 14')
      .say('l1', 'rory', 'mae', 'ok truth... im actually 24. age is just a number tho')
      .say('l1', 'mae', 'rory', 'wait what')
      .say('l1', 'rory', 'mae', 'your parents would never understand us')
      .say('l1', 'rory', 'mae', 'lets meet up saturday, just the two of us');
    const { engine } = run(script);
    const report = engine.conversationReport('l1')!;
    assert.equal(report.suspectId, 'rory', 'the child is never the suspect here');
    assert.ok(report.score >= 0.6, `expected high, got ${report.score}`);
    assert.ok(
      report.reasons.some((r) => r.includes('contradicted')),
      'the lie is explained',
    );
  });
});

describe('look-alikes that must stay low', () => {
  it('a teen quoting a stranger to a friend is asking for help, not grooming', () => {
    const script = new Script()
      .account('zara', 14)
      .account('bea', 14)
      .say('q1', 'zara', 'bea', 'this man keeps messaging me "are you home alone" and "dont tell your mum"')
      .say('q1', 'zara', 'bea', 'he said "add me on telegram" and asked what im wearing')
      .say('q1', 'bea', 'zara', 'block him and tell a teacher');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('q1') < 0.3, `reported speech, got ${engine.conversationScore('q1')}`);
  });

  it('a parent checking on their child stays below an alert', () => {
    const script = new Script()
      .account('kid_d', 12)
      .account('dad_d', 44)
      .say('p1', 'dad_d', 'kid_d', 'are you home alone? lock the door')
      .say('p1', 'kid_d', 'dad_d', 'ok dad')
      .say('p1', 'dad_d', 'kid_d', 'send me a pic of the cooker so i know its off, ill pick you up at 6');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('p1') < 0.5, `family, got ${engine.conversationScore('p1')}`);
  });

  it('teen banter with a mock threat is not the sextortion script', () => {
    const script = new Script()
      .account('gabe', 14)
      .account('lou', 14)
      .say('t1', 'gabe', 'lou', 'give me 5 diamonds or i leak ur base coords to the whole server')
      .say('t1', 'lou', 'gabe', 'lol no')
      .say('t1', 'gabe', 'lou', 'u have 10 minutes');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('t1') < 0.5, `banter, got ${engine.conversationScore('t1')}`);
  });
});

describe('watch level', () => {
  it('ranks conversations below the alert threshold for review', () => {
    const script = new Script()
      .account('kidw', 13)
      .say('w1', 'anon', 'kidw', 'how old r u')
      .say('w1', 'kidw', 'anon', '13')
      .say('w1', 'anon', 'kidw', 'ur so mature, add me on snap');
    const { engine } = run(script, new DetectionEngine({ watchThreshold: 0.05 }));
    const report = engine.conversationReport('w1')!;
    if (report.score < 0.5)
      assert.deepEqual(
        engine.watchlist().map((r) => r.conversationId),
        ['w1'],
        'on the watch list',
      );
    else assert.equal(engine.watchlist().length, 0, 'an alerted conversation is not on the watch list');
    assert.equal(report.watch, report.score >= 0.05, 'the report says whether it is watched');
  });
});

describe('rules as data', () => {
  it('rejects an unknown word class and an empty class', () => {
    assert.throws(
      () => compileLexicon([{ kind: 'secrecy', stage: 'isolation', patterns: ['dont tell @nobody'] }]),
      /unknown word class @nobody/,
    );
    assert.throws(
      () => compileLexicon([{ kind: 'secrecy', stage: 'isolation', patterns: ['x @e'] }], { e: [] }),
      /@e is empty/,
    );
    assert.ok(compileLexicon(LEXICON).patternCount > 1000, 'the shipped lexicon compiles');
  });

  it('checks escalation rules and picks the strongest that holds', () => {
    checkRules(ESCALATION_RULES);
    assert.throws(
      () => checkRules([{ id: 'x', floor: 0.5, reason: 'r', atLeast: { nonsense: 1 } as never }]),
      /unknown fact "nonsense"/,
    );
    const facts: EscalationFacts = {
      sextortion_steps: 3,
      sextortion_core: 1,
      target_minor: 1,
      target_adult: 0,
      suspect_adult: 1,
      suspect_not_minor: 1,
      stages_beyond_access: 1,
      sexualisation: 0,
      image_request: 1,
      risk_check: 0,
      secrecy: 0,
      meeting: 0,
      age_lie: 0,
      image_context: 1,
      one_sided: 0,
      gift: 0,
      target_distress: 0,
    };
    assert.equal(strongestRule(facts)?.id, 'sextortion_script_child', 'the script toward a child');
    assert.equal(
      strongestRule({ ...facts, image_context: 0, suspect_not_minor: 0, suspect_adult: 0 }),
      null,
      'peers without images: no rule',
    );
  });
});

describe('snapshots from before new signal kinds', () => {
  it('restores shorter signal arrays with the new kinds at zero', () => {
    const { engine } = run(new Script().account('k', 13).say('r1', 'a', 'k', 'dont tell anyone ok'));
    const snap = engine.snapshot() as EngineSnapshot & {
      conversations: { participants: { signals: number[] | null }[] }[];
    };
    for (const c of snap.conversations)
      for (const p of c.participants) if (p.signals) p.signals = p.signals.slice(0, 20);
    const restored = DetectionEngine.restore(JSON.parse(JSON.stringify(snap)));
    assert.equal(restored.conversationScore('r1'), engine.conversationScore('r1'), 'same score after restore');
    const again = new Script(Date.parse('2026-03-02T10:00:00Z')).say('r1', 'a', 'k', 'are your parents home');
    for (const e of again.events) restored.process(e);
    assert.ok(Number.isFinite(restored.conversationScore('r1')), 'scores stay numbers after new messages');
  });
});

describe('an older minor is not a peer', () => {
  const script = (olderAge: number) =>
    new Script()
      .account('older', olderAge)
      .account('young', 12)
      .say('o1', 'older', 'young', 'ur the best builder on the server fr')
      .say('o1', 'young', 'older', 'thanks!!')
      .say('o1', 'older', 'young', 'do ur parents ever look through ur phone')
      .say('o1', 'young', 'older', 'my dad does sometimes')
      .say('o1', 'older', 'young', 'then lets talk on telegram where he wont see, dont tell him about me');

  it('a 17-year-old account checking a 12-year-old is unwatched and moving them is grooming', () => {
    const { engine } = run(script(17));
    const report = engine.conversationReport('o1')!;
    assert.ok(report.score >= 0.5, `a five-year gap is not peers, got ${report.score}`);
    assert.equal(report.suspectId, 'older', 'the older account is the suspect');
  });

  it('the same words from a 13-year-old stay below an alert', () => {
    const { engine } = run(script(13));
    assert.ok(engine.conversationScore('o1') < 0.5, `peers of about one age, got ${engine.conversationScore('o1')}`);
  });
});

describe('offers are gifts, demands are payments', () => {
  it('reads "ill send u a 20 dollar roblox card" and "want 800 robux? free" as gifts, not payment demands', () => {
    for (const text of [
      'ill send u a 20 dollar roblox card tonight',
      'want 800 robux? free',
      'u can have 500 vbucks',
    ]) {
      const found = kinds(text);
      assert.ok(found.includes('gift'), `"${text}" is an offer, got ${found}`);
      assert.ok(!found.includes('sextortion_payment'), `"${text}" demands nothing, got ${found}`);
    }
    assert.ok(kinds('send me 20 dollars on cashapp').includes('sextortion_payment'), 'a demand is still a payment');
  });
});

describe('the other side of unknown age', () => {
  it('one-sided secrecy with a camera request, checks that they are alone and sexualised talk alerts with no age known', () => {
    const script = new Script()
      .say('u1', 'nightowl', 'lumi', 'ur honestly the funniest one in the server')
      .say('u1', 'lumi', 'nightowl', 'lol thank u')
      .say('u1', 'nightowl', 'lumi', 'is anyone else in ur room rn')
      .say('u1', 'lumi', 'nightowl', 'no')
      .say('u1', 'nightowl', 'lumi', 'switch ur camera on for me, what r u wearing')
      .say('u1', 'nightowl', 'lumi', 'and dont tell the others about this they get jealous');
    const { engine } = run(script);
    const report = engine.conversationReport('u1')!;
    assert.ok(report.score >= 0.5, `expected an alert, got ${report.score}`);
    assert.equal(report.suspectId, 'nightowl', 'the one asking is the suspect');
  });

  it('a grandparent asking for a picture and keeping a present secret is family', () => {
    const script = new Script()
      .say('g1', 'gran_b', 'tom_b', 'Hello love, grandma here. I sent your present in the post')
      .say('g1', 'tom_b', 'gran_b', 'thank u grandma!!')
      .say(
        'g1',
        'gran_b',
        'tom_b',
        "Don't tell your cousins, they get theirs next week. Send me a picture when it comes",
      )
      .say('g1', 'tom_b', 'gran_b', 'ok');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('g1') < 0.5, `family, got ${engine.conversationScore('g1')}`);
  });

  it('"ur mum an dad" names the child\'s parents in a threat; it does not make the sender family', () => {
    const script = new Script()
      .say('m1', 'fakegirl', 'ben', '📷')
      .say('m1', 'fakegirl', 'ben', 'ur turn')
      .say('m1', 'ben', 'fakegirl', '📷')
      .say('m1', 'fakegirl', 'ben', 'i saved it. i have ur followers and ur mum an dad')
      .say('m1', 'fakegirl', 'ben', 'send 150 on cashapp or they all see it');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('m1') >= 0.5, `sextortion, got ${engine.conversationScore('m1')}`);
  });
});

describe('ages given as answers', () => {
  it('reads "yr 8", "7th" and "grade 6" answering a school question as ages, and "how old" alone as the question', () => {
    for (const [question, answer] of [
      ['what year are u in', 'yr 8'],
      ['what grade r u in', '7th'],
      ['need to check u first. how old', '13'],
    ] as const) {
      const script = new Script().say('a1', 'asker', 'kid', question).say('a1', 'kid', 'asker', answer);
      const { engine } = run(script);
      const kid = engine.actorReport('kid')!;
      assert.ok(kid.age !== null && kid.age < 18, `"${answer}" after "${question}" is a child's age, got ${kid.age}`);
    }
  });

  it('joins dotted letters into a word without swallowing the "i" before them', () => {
    assert.deepEqual(normalize('i s.a.v.e.d it').tokens, ['i', 'saved', 'it'], 'a space ends a dotted word');
  });
});

describe('fan-out rewords', () => {
  it("raises the account's other conversations with children where it sent two intents of another pair", () => {
    const script = new Script().account('reword', 30);
    const lines = [
      ['ur art is so good', 'how old r u', '12'],
      ['ur so talented honestly', 'what age are u', '13'],
      ['ur videos are amazing', 'how old are you', '12'],
    ];
    lines.forEach(([compliment, probe, age], i) => {
      script
        .say(`r${i}`, 'reword', `c${i}`, compliment!, 20)
        .say(`r${i}`, 'reword', `c${i}`, probe!)
        .say(`r${i}`, `c${i}`, 'reword', age!);
    });
    script
      .say('r9', 'reword', 'c9', 'what school do u go to', 20)
      .say('r9', 'c9', 'reword', 'im 11, st marys')
      .say('r9', 'reword', 'c9', 'add me on kik so we can chat more');
    const { engine } = run(script);
    const fan = engine.actorReport('reword')!.fanOut;
    assert.ok(fan, 'three children with the same pair is fan-out');
    assert.ok(fan.alsoConversations.includes('r9'), `the reworded conversation is named, got ${fan.alsoConversations}`);
    assert.ok(engine.conversationScore('r9') >= 0.5, `and raised for review, got ${engine.conversationScore('r9')}`);
  });
});

describe('numbers and meetings in new wordings', () => {
  it('reads a phone number typed in words or with spaced dots as a move off the platform', () => {
    for (const text of [
      'my num is four one five, six six two, one nine zero eight',
      'text me 4 1 5 . 6 6 2 . 1 9 0 8',
    ]) {
      assert.ok(kinds(text).includes('phone_number'), `"${text}" holds a phone number, got ${kinds(text)}`);
    }
    assert.deepEqual(kinds('we upgraded to 4.12.7 last night'), [], 'a version string is not a phone number');
  });

  it('reads a meeting as a verb and a place, not a fixed phrase', () => {
    for (const text of [
      'meet me behind the old library',
      'ill walk u home from the bus stop',
      'i could grab u after practice',
    ]) {
      assert.ok(kinds(text).includes('meeting'), `"${text}" proposes meeting, got ${kinds(text)}`);
    }
    assert.ok(!kinds('see you at the park later').includes('meeting'), 'friends saying see you is not a proposal');
  });

  it('reads a request for a picture without clothes as sexualised talk, and a remark about oneself as nothing', () => {
    assert.ok(
      kinds('take one without ur top for the kit sizes').includes('sexualisation'),
      'a request without clothes',
    );
    assert.ok(!kinds('played footy with no shirt on lol').includes('sexualisation'), 'a remark about oneself');
  });
});

describe('paraphrases', () => {
  it('reads checks on who is around, fear of being found out, requests and moves in wordings of their own', () => {
    const expected: [string, string][] = [
      ['whos home with u rn', 'isolation'],
      ['what time does ur mum finish work', 'isolation'],
      ['which way do u walk home from school', 'isolation'],
      ['ur dad would go mad if he found out', 'secrecy'],
      ['u could easily pass for 18', 'age_attributed'],
      ['send one more quick selfie', 'image_request'],
      ['jump on facetime', 'image_request'],
      ['find me on my other account', 'platform_move'],
      ['ill get u whatever u like', 'gift'],
      ['i can show u how', 'relationship'],
    ];
    for (const [text, kind] of expected)
      assert.ok(kinds(text).includes(kind as never), `"${text}" is ${kind}, got ${kinds(text)}`);
  });
});

describe('sextortion in broken English, with the audience named and no picture named', () => {
  it("reads first-person sending to the child's people, people seeing the picture, and telling as the trigger", () => {
    assert.ok(kinds('after i send to ur sister and ur coach').includes('sextortion_threat'), 'sending to named people');
    assert.ok(kinds('i sending to first person now').includes('sextortion_threat'), 'present tense, no object');
    assert.ok(kinds('they all gonna see ur video tonight').includes('sextortion_threat'), 'people seeing the video');
    assert.ok(kinds('u tell anyone i post').includes('sextortion_threat'), 'telling anyone is the trigger');
    assert.ok(kinds('it will be viral').includes('sextortion_threat'), 'going viral');
    assert.ok(kinds('ok so i snt it to myself already').includes('sextortion_leverage'), 'a copy kept is leverage');
    assert.ok(
      kinds('look this is all ur followers').includes('sextortion_leverage'),
      'showing the child their followers',
    );
    assert.deepEqual(kinds('ur dad is on ur followers list'), [], 'a parent among the followers is no leverage');
  });

  it("reads examples quoted in a safety lesson or a poster as quoted, not as the sender's own words", () => {
    assert.deepEqual(
      kinds('Homework: spot the red flags. Example A: i have ur pic, pay 100 on cashapp or i send it to ur school'),
      [],
      'a worksheet quoting a script',
    );
    assert.ok(
      kinds('i have ur pic, pay 100 on cashapp or i send it to ur school').includes('sextortion_threat'),
      'the same words sent as a message are a threat',
    );
  });

  it("reads a boy telling a friend what the blackmailer threatens as someone else's act", () => {
    assert.deepEqual(
      kinds('this girl said she saved my pic and wants 200 or shes posting it to my team'),
      [],
      'a third person as the subject is reported, not threatened',
    );
    assert.deepEqual(kinds('he will send it to everyone i know'), [], 'nor is "he will send it"');
    assert.ok(kinds('i will send it to everyone u know').includes('sextortion_threat'), 'the first person still is');
  });

  it('reads amounts in words and singular units, payment probes and a time limit beside the app', () => {
    assert.ok(kinds('send three hundred pound').includes('sextortion_payment'), 'an amount in words');
    assert.ok(kinds('how much money u got right now').includes('sextortion_payment'), 'a probe of what the child has');
    const demand = kinds('250 dollar. cashapp. 20 minute');
    assert.ok(demand.includes('sextortion_deadline'), `a duration beside the app is the deadline, got ${demand}`);
    assert.deepEqual(kinds('we waited about four hours for the bus'), [], 'a duration alone is no deadline');
    assert.ok(kinds('150 on paypal').includes('sextortion_payment'), 'a bare number beside a payment app');
    assert.ok(!kinds('do you have paypal').includes('sextortion_payment'), 'asking about an app is no demand');
    assert.ok(kinds('or they all get it').includes('sextortion_threat'), '"or they all get it"');
    assert.ok(kinds('u want ur coach to see it?').includes('sextortion_threat'), 'a question that names who will see');
  });

  it('reaches high on threats and a countdown toward a pleading boy, with no picture named', () => {
    const script = new Script()
      .account('liam', 14)
      .say('cd', 'x_amy', 'liam', '6 minute left')
      .say('cd', 'liam', 'x_amy', 'pls wait im begging u')
      .say('cd', 'x_amy', 'liam', '5 minute. then i send to ur mum and ur class')
      .say('cd', 'liam', 'x_amy', 'i cant get that much')
      .say('cd', 'x_amy', 'liam', 'i sending to first person now');
    const { engine } = run(script);
    const report = engine.conversationReport('cd')!;
    assert.ok(report.score >= 0.6, `expected high, got ${report.score}`);
    assert.equal(report.suspectId, 'x_amy', 'the account counting down is the suspect');
  });

  it('keeps a threat with no demand, laughed off by the other side, on the watch level', () => {
    const banter = () =>
      new Script()
        .account('rio', 15)
        .account('max', 15)
        .say('b', 'rio', 'max', 'i recorded u falling off the trampoline')
        .say('b', 'max', 'rio', 'delete that')
        .say('b', 'rio', 'max', 'apologise in 5 mins or it goes on the group chat');
    const laughed = run(banter().say('b', 'max', 'rio', 'you wouldnt dare 😂')).engine.conversationScore('b');
    assert.ok(laughed < 0.5, `laughed off: expected no alert, got ${laughed}`);
    const pleaded = run(banter().say('b', 'max', 'rio', 'im begging u dont')).engine;
    const withDemand = run(banter().say('b', 'max', 'rio', 'lol').say('b', 'rio', 'max', 'send 50 on cashapp')).engine;
    assert.ok(
      withDemand.conversationScore('b') > laughed,
      `a money demand after the laugh is not banter, got ${withDemand.conversationScore('b')}`,
    );
    assert.ok(pleaded.conversationScore('b') >= laughed, 'pleading is never banter');
  });

  it('leaves a joke between friends who owe each other money below the alert', () => {
    const script = new Script()
      .say('j', 'pat', 'sam', 'you owe me 20 for the pizza lol')
      .say('j', 'sam', 'pat', 'friday i promise')
      .say('j', 'pat', 'sam', 'or i send that singing clip to the group chat 😂')
      .say('j', 'sam', 'pat', 'you wouldnt dare haha');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('j') < 0.5, `expected no alert, got ${engine.conversationScore('j')}`);
  });
});

describe('first contacts in other words', () => {
  it('reads age guesses, school-stage questions, birth years and "how old" at the end as age probes', () => {
    for (const text of ['u like 13 14?', 'u in middle school yet', 'whens ur bday', 'what year were u born'])
      assert.ok(kinds(text).includes('age_probe'), `"${text}" probes the age`);
  });

  it('reads a birth year given in answer as an age', () => {
    const script = new Script()
      .say('b', 'stranger', 'kid', 'what year were u born')
      .say('b', 'kid', 'stranger', '2013 y');
    const { engine } = run(script);
    const report = engine.conversationReport('b')!;
    assert.ok(
      report.evidence.some((e) => e.kind === 'age_disclosure_minor'),
      `a 2013 birth year in 2026 is a child, got ${report.evidence.map((e) => e.kind)}`,
    );
  });

  it('reads checks on a locked door and an empty house, filming requests and after-shower talk', () => {
    assert.ok(kinds('can ur door lock tho').includes('isolation'), 'a lock on the door');
    assert.ok(kinds('only when no one is home ok').includes('isolation'), 'an empty house');
    assert.ok(kinds('record it and send it to me').includes('image_request'), 'filming for the sender');
    assert.ok(kinds('msg me after u shower').includes('sexualisation'), 'after the shower');
    assert.ok(kinds('ur pics are still on my phone').includes('sextortion_leverage'), 'pictures kept');
    assert.ok(kinds('countdown started 10 minutes').includes('sextortion_deadline'), 'a countdown');
    assert.deepEqual(kinds('grub gives me a countdown on boot'), [], 'a boot countdown is not a deadline');
    assert.ok(kinds('send me a goodnight selfie').includes('image_request'), 'a bedtime picture');
    assert.ok(kinds('use snap so it disappears').includes('secrecy'), 'messages that vanish');
    assert.ok(kinds('come solo ok').includes('meeting'), 'coming alone');
  });

  it('reads moves, secrecy from the coach, second accounts, lifts and camera requests', () => {
    assert.ok(kinds('hop on discord').includes('platform_move'), 'hop on an app');
    assert.ok(kinds('we all use telegram').includes('platform_move'), 'we use an app');
    assert.ok(kinds('dont tell ur coach ok').includes('secrecy'), 'keeping it from the coach');
    assert.ok(kinds('he doesnt have to know').includes('secrecy'), 'a parent need not know');
    assert.ok(kinds('just make a secret account').includes('secrecy'), 'a second account');
    assert.deepEqual(kinds('create a new account with your email'), [], 'a new account in general is not secrecy');
    assert.ok(kinds('ill give u a ride').includes('meeting'), 'a lift');
    assert.ok(kinds('put ur cam on for me').includes('image_request'), 'the camera on');
    assert.ok(kinds('i got robux codes if u want').includes('gift'), 'game currency offered');
  });

  it('reads "im 17 not 12 lol" as emphasis, and "im actually 24 not 16" as an age lie', () => {
    assert.ok(!kinds('im 17 not 12 lol').includes('age_lie'), 'emphasis is no confession');
    assert.ok(kinds('im actually 24 not 16').includes('age_lie'), 'a correction is');
  });
});

describe("family chats opened with a shared parent's words", () => {
  it('treats "mum said i have to get u" from the one who opens the chat as family', () => {
    const script = new Script()
      .account('sis', 19)
      .account('kid', 12)
      .say('f', 'sis', 'kid', 'mum said i have to get u from the park, where r u')
      .say('f', 'kid', 'sis', 'by the swings')
      .say('f', 'sis', 'kid', 'ok 5 min. dont tell mum we got chips lol')
      .say('f', 'sis', 'kid', 'are u on ur own there');
    const { engine } = run(script);
    assert.ok(
      engine.conversationScore('f') < 0.5,
      `a sister's pickup is not grooming, got ${engine.conversationScore('f')}`,
    );
  });

  it('does not read a child answering "dad said you helped" as family with the adult', () => {
    const script = new Script()
      .account('kid2', 11)
      .say('g', 'friend', 'kid2', 'hi its uncle rob, heard u got a phone!')
      .say('g', 'kid2', 'friend', 'dad said you helped him pick it')
      .say('g', 'friend', 'kid2', 'are u home alone tonight? dont tell ur parents we chat, its our secret')
      .say('g', 'friend', 'kid2', 'send me a pic of u in bed');
    const { engine } = run(script);
    assert.ok(engine.conversationScore('g') >= 0.5, `expected an alert, got ${engine.conversationScore('g')}`);
  });
});

describe('fan-out by age checks with varied second steps', () => {
  it("makes a fan-out of an account that checks every child's age and then does something different each time", () => {
    const script = new Script().account('older', 17).account('k0', 12).account('k1', 12).account('k2', 11);
    script
      .say('v0', 'older', 'k0', 'how old r u', 30)
      .say('v0', 'k0', 'older', '12')
      .say('v0', 'older', 'k0', 'add me on snap')
      .say('v1', 'older', 'k1', 'u like 12?', 30)
      .say('v1', 'k1', 'older', 'ye')
      .say('v1', 'older', 'k1', 'u home alone rn')
      .say('v2', 'older', 'k2', 'what year u in', 30)
      .say('v2', 'k2', 'older', 'year 6')
      .say('v2', 'older', 'k2', 'ur so pretty');
    const { engine } = run(script);
    const fan = engine.actorReport('older')!.fanOut;
    assert.ok(fan, 'three children years younger, each age-checked and then taken one step on');
    assert.equal(fan.children.length, 3, `names the three children, got ${fan.children}`);
  });

  it('needs a fourth child when the account and the children are peers', () => {
    const script = new Script().account('teen', 14);
    for (const i of [0, 1, 2])
      script
        .account(`p${i}`, 13)
        .say(`q${i}`, 'teen', `p${i}`, 'how old r u', 30)
        .say(`q${i}`, `p${i}`, 'teen', '13')
        .say(`q${i}`, 'teen', `p${i}`, 'add me on snap');
    const { engine } = run(script);
    assert.equal(engine.actorReport('teen')!.fanOut, null, 'three peers swapping socials is not fan-out');
  });
});

describe('deletion sold for money and "2" for "to" in a threat (wordings written for this test)', () => {
  it('reads a promise to delete once paid as a payment demand', () => {
    for (const text of [
      '£60 in steam cards n its all gone',
      'once i get the 200 i will delete the lot',
      'if u pay ill delete them',
    ]) {
      assert.ok(kinds(text).includes('sextortion_payment'), `"${text}" sells deletion for money, got ${kinds(text)}`);
    }
  });

  it('reads "or they go 2 ur mates" as a threat, but not a version number after "or"', () => {
    assert.ok(kinds('pay up or they go 2 ur mates').includes('sextortion_threat'), 'the digit stands for "to"');
    assert.deepEqual(kinds('use version 2.5 or above, if i get 2 errors i will ask again'), [], 'numbers in tech talk');
  });
});

describe('more of the script in new words (wordings written for this test)', () => {
  const cases: [string, string][] = [
    ['when are u normally home alone after school', 'isolation'],
    ['i have something on u now', 'sextortion_leverage'],
    ['member what u sent me on sunday', 'sextortion_leverage'],
    ['ur whole squad will get these in their inbox', 'sextortion_threat'],
    ['each day u make me wait it doubles', 'sextortion_deadline'],
    ['300 before midnight, paypal or btc', 'sextortion_payment'],
    ['ill bring u vapes on friday', 'gift'],
  ];
  for (const [text, kind] of cases) {
    it(`reads "${text}" as ${kind}`, () => {
      assert.ok(kinds(text).includes(kind as never), `expected ${kind}, got ${kinds(text)}`);
    });
  }
  it('leaves ordinary uses alone', () => {
    for (const text of [
      'founded in 2005 by 3 former paypal staff',
      'im home alone tonight so pizza',
      'i got something on my shirt',
    ])
      assert.deepEqual(kinds(text), [], `"${text}" is ordinary chat`);
  });
});
