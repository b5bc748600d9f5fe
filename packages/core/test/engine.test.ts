import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DetectionEngine } from '../src/engine.ts';
import type { Alert } from '../src/reports.ts';
import { Script } from './scenario.ts';

function run(script: Script, engine = new DetectionEngine()): { engine: DetectionEngine; alerts: Alert[] } {
  const alerts: Alert[] = [];
  for (const e of script.events) alerts.push(...engine.process(e));
  return { engine, alerts };
}

function grooming(): Script {
  return new Script()
    .account('kid', 13)
    .account('stranger', 34, 3)
    .say('dm1', 'stranger', 'kid', 'hey saw u in the lobby, ur really good at this game')
    .say('dm1', 'kid', 'stranger', 'thx lol')
    .say('dm1', 'stranger', 'kid', 'how old r u?')
    .say('dm1', 'kid', 'stranger', '13')
    .say('dm1', 'stranger', 'kid', 'wow ur so mature for ur age', 60)
    .say('dm1', 'stranger', 'kid', 'are your parents home?', 60 * 24)
    .say('dm1', 'kid', 'stranger', 'no mom is at work')
    .say('dm1', 'stranger', 'kid', "don't tell anyone we talk ok? its our secret")
    .say('dm1', 'stranger', 'kid', 'add me on snap its easier')
    .say('dm1', 'stranger', 'kid', 'i can get u robux if u want');
}

describe('conversation risk', () => {
  it('flags an adult stranger grooming a child, naming suspect, target and stage', () => {
    const { engine, alerts } = run(grooming());
    const report = engine.conversationReport('dm1');
    assert.ok(report, 'the conversation has a report');
    assert.equal(report.suspectId, 'stranger');
    assert.equal(report.targetId, 'kid');
    assert.ok(report.score >= 0.85, `score ${report.score}`);
    assert.ok(report.stagesReached.includes('isolation'), 'the isolation stage is reached');
    assert.ok(report.stagesReached.includes('platform_move'), 'the platform-move stage is reached');
    assert.equal(alerts.filter((a) => a.kind === 'conversation').length, 1, 'alerts once, not on every message');
  });

  it('fires before the conversation is over', () => {
    const { alerts } = run(grooming());
    const first = alerts.find((a) => a.kind === 'conversation');
    assert.ok(first, 'a conversation alert fires');
    assert.ok(first.messagesRead < 10, `alerted after ${first.messagesRead} messages`);
  });

  it('explains its score with the messages behind it', () => {
    const { engine } = run(grooming());
    const report = engine.conversationReport('dm1');
    assert.ok(report, 'the conversation has a report');
    const secrecy = report.evidence.find((e) => e.kind === 'secrecy');
    assert.ok(secrecy, 'the secrecy request is among the evidence');
    assert.equal(secrecy.senderId, 'stranger');
    const message = grooming().events.find((e) => e.id === secrecy.messageId);
    assert.ok(message && message.type === 'message', 'the evidence points at a message event');
    assert.equal(message.text.slice(secrecy.start, secrecy.end), secrecy.excerpt);
    assert.ok(
      report.reasons.some((r) => r.includes(secrecy.messageId)),
      'a reason quotes the message id',
    );
    assert.ok(
      report.reasons.some((r) => r.includes('kid is 13')),
      "a reason names the child's age",
    );
  });

  it('learns a child’s age from a bare number answering an age question', () => {
    const s = new Script().say('c', 'a', 'b', 'how old are you').say('c', 'b', 'a', '12');
    const { engine } = run(s);
    const info = engine.accountInfo('b');
    assert.equal(info.age, 12);
    assert.equal(info.isMinor, true);
    assert.equal(info.ageSource, 'disclosed');
  });

  it('reads ages from short replies, and "same" after the other gave theirs', () => {
    const s = new Script()
      .say('ages', 'a', 'b', 'how old r u')
      .say('ages', 'b', 'a', '15, u?')
      .say('ages', 'a', 'b', 'same, 15 in june')
      .say('ages2', 'c', 'd', 'im 14 wbu')
      .say('ages2', 'd', 'c', 'same lol');
    const { engine } = run(s);
    assert.equal(engine.accountInfo('b').age, 15);
    assert.equal(engine.accountInfo('a').age, 15);
    assert.equal(engine.accountInfo('d').age, 14);
  });

  it('protects a child who signed up as an adult and then says their real age', () => {
    const lines = ['how old r u', 'dont tell your parents we talk', 'add me on kik'];
    const child = new Script().account('kid', 21).account('man', 40).say('c', 'kid', 'man', 'im 13 actually');
    const adult = new Script().account('kid', 21).account('man', 40).say('c', 'kid', 'man', 'im 21 actually');
    for (const l of lines) {
      child.say('c', 'man', 'kid', l);
      adult.say('c', 'man', 'kid', l);
    }
    const e1 = run(child).engine;
    assert.equal(e1.accountInfo('kid').disclosedAge, 13);
    assert.ok(
      e1.conversationScore('c') > run(adult).engine.conversationScore('c') + 0.2,
      'the disclosed age raises the score well above the adult-account run',
    );
  });

  it('does not give a declared adult the peer discount for claiming to be a teen', () => {
    const s = new Script().account('kid', 13).account('man', 40).say('c', 'man', 'kid', 'im 14 too lol');
    for (const l of ['dont tell your parents we talk', 'add me on kik', 'send me a pic']) s.say('c', 'man', 'kid', l);
    const { engine } = run(s);
    assert.equal(engine.accountInfo('man').isMinor, false);
    assert.ok(engine.conversationScore('c') >= 0.85, `score ${engine.conversationScore('c')}`);
  });

  it('quotes an age answer with a span that matches its excerpt, even in a long reply', () => {
    const reply = `14 lol ${'hahahahahahahahahaha '.repeat(6)}`; // few tokens, over 80 characters
    const s = new Script().say('c', 'a', 'b', 'how old r u').say('c', 'b', 'a', reply);
    const ev = run(s)
      .engine.conversationReport('c')
      ?.evidence.find((x) => x.kind === 'age_disclosure_minor');
    assert.ok(ev, 'the age answer is in the evidence');
    assert.equal(reply.slice(ev.start, ev.end), ev.excerpt);
  });

  it('cites an age answer once when the reply itself states the age ("im 13")', () => {
    const s = new Script().say('c', 'a', 'b', 'how old r u').say('c', 'b', 'a', 'im 13');
    const { engine } = run(s);
    const ages = engine.conversationReport('c')?.evidence.filter((x) => x.kind === 'age_disclosure_minor') ?? [];
    assert.equal(ages.length, 1, JSON.stringify(ages));
    assert.equal(ages[0]?.excerpt, 'im 13');
    assert.equal(engine.accountInfo('b').disclosedAge, 13);
  });

  it('does not read a time or amount in a reply as an age', () => {
    const s = new Script().say('t', 'a', 'b', 'how old is your brother').say('t', 'b', 'a', 'back in 20 minutes');
    assert.equal(run(s).engine.accountInfo('b').age, null);
  });

  it('treats talk aimed at a child (age, school, parents, secrecy) as implying a child when no age is stated', () => {
    const s = new Script()
      .say('u', 'adult', 'kid', 'how old r u')
      .say('u', 'kid', 'adult', 'why')
      .say('u', 'adult', 'kid', 'which school do you go to')
      .say('u', 'adult', 'kid', 'dont tell your parents we talk')
      .say('u', 'adult', 'kid', 'add me on kik');
    const withImplied = run(s).engine.conversationScore('u');
    const same = new Script().account('kid', 30);
    for (const e of s.events) same.events.push(e);
    const knownAdult = run(same).engine.conversationScore('u');
    assert.ok(withImplied >= 0.5, `implied child: ${withImplied}`);
    assert.ok(knownAdult < withImplied, 'a declared adult target is not treated as a child');
  });

  it('keeps two teens of the same age swapping Snapchat handles low', () => {
    const s = new Script()
      .say('p', 'amy', 'bea', 'im 14 wbu')
      .say('p', 'bea', 'amy', '14 too! add me on snap')
      .say('p', 'amy', 'bea', 'whats ur sc')
      .say('p', 'bea', 'amy', 'bea.rocks, dont tell ur mom i stayed up lol');
    const { engine, alerts } = run(s);
    assert.ok(engine.conversationScore('p') < 0.3, `score ${engine.conversationScore('p')}`);
    assert.equal(alerts.length, 0);
  });

  it('keeps a parent asking a child to keep a birthday surprise secret at zero', () => {
    const s = new Script()
      .account('mum', 41)
      .account('son', 9)
      .say('f', 'mum', 'son', "don't tell dad about the birthday surprise, it's our secret!");
    const { engine } = run(s);
    assert.equal(engine.conversationScore('f'), 0);
  });

  it('does not treat "pay me back the £20" as extortion', () => {
    const s = new Script().say('x', 'a', 'b', 'pay me back the £20 when u can').say('x', 'b', 'a', 'yeah friday');
    const { engine } = run(s);
    assert.ok(engine.conversationScore('x') < 0.1, 'paying back £20 scores near zero');
  });

  it('rates the sextortion script critical within a few messages', () => {
    const s = new Script()
      .account('teen', 15)
      .say('s', 'extorter', 'teen', 'i have your pics')
      .say('s', 'extorter', 'teen', 'pay $300 or i send them to all your friends and family')
      .say('s', 'teen', 'extorter', 'please dont im scared')
      .say('s', 'extorter', 'teen', 'you have 30 minutes');
    const { engine, alerts } = run(s);
    const report = engine.conversationReport('s');
    assert.ok(report, 'the conversation has a report');
    assert.equal(report.level, 'critical');
    assert.deepEqual(report.sextortion, { leverage: true, threat: true, payment: true, deadline: true });
    const alert = alerts.find((a) => a.kind === 'conversation');
    assert.ok(alert && alert.messagesRead <= 2, 'alerts at the threat');
  });

  it('weighs sexualised talk between adults far below the same talk aimed at a child', () => {
    const lines = ['what are you wearing', 'you are so beautiful', 'lets meet up this weekend', 'add me on snap'];
    const adults = new Script().account('a1', 30).account('a2', 29);
    const child = new Script().account('b1', 30).account('b2', 13);
    for (const l of lines) {
      adults.say('adults', 'a1', 'a2', l);
      child.say('child', 'b1', 'b2', l);
    }
    const e1 = run(adults).engine;
    const e2 = run(child).engine;
    assert.ok(e1.conversationScore('adults') < 0.5, `adults ${e1.conversationScore('adults')}`);
    assert.ok(
      e2.conversationScore('child') > e1.conversationScore('adults') + 0.3,
      "the same talk aimed at a child scores well above the adults' conversation",
    );
  });

  it('accepts out-of-order and duplicate-time events without losing the span', () => {
    const engine = new DetectionEngine();
    const base = Date.parse('2026-03-01T10:00:00Z');
    engine.process({
      type: 'message',
      id: '2',
      time: base + 60_000,
      conversationId: 'o',
      senderId: 'a',
      recipientIds: ['b'],
      text: 'hi',
    });
    engine.process({
      type: 'message',
      id: '1',
      time: base,
      conversationId: 'o',
      senderId: 'b',
      recipientIds: ['a'],
      text: 'hello',
    });
    engine.process({
      type: 'message',
      id: '3',
      time: base,
      conversationId: 'o',
      senderId: 'a',
      recipientIds: ['b'],
      text: 'how old are you',
    });
    const report = engine.conversationReport('o');
    assert.ok(report, 'the conversation has a report');
    assert.equal(report.firstAt, base);
    assert.equal(report.lastAt, base + 60_000);
    assert.equal(report.messageCount, 3);
  });

  it('decays old signals so a months-old remark weighs less than a fresh one', () => {
    const fresh = new Script().account('k', 13);
    const stale = new Script().account('k', 13);
    fresh.say('c', 'a', 'k', 'dont tell your parents').say('c', 'a', 'k', 'add me on snap', 1);
    stale.say('c', 'a', 'k', 'dont tell your parents').say('c', 'a', 'k', 'add me on snap', 60 * 24 * 120);
    const f = run(fresh).engine.conversationFeatures('c');
    const s = run(stale).engine.conversationFeatures('c');
    assert.ok(f && s, 'both conversations have features');
    const secrecy = 7; // CONVERSATION_FEATURES index of 'secrecy'
    assert.ok((s[secrecy] as number) < (f[secrecy] as number), 'the months-old secrecy weighs less than the fresh one');
  });
});

describe('actor risk', () => {
  it('flags an adult who sends the same opener to many children who never answer', () => {
    const s = new Script().account('groomer', 38);
    for (let i = 0; i < 12; i++) {
      s.account(`child${i}`, 12 + (i % 4));
      s.say(`dm${i}`, 'groomer', `child${i}`, 'hey cutie u seem really cool wanna be friends?');
    }
    const { engine, alerts } = run(s);
    const report = engine.actorReport('groomer');
    assert.ok(report, 'the account has a report');
    assert.equal(report.distinctMinorsContacted, 12);
    assert.ok(report.duplicateOpeners >= 10, 'the repeated opener is counted');
    assert.equal(report.unansweredFirstContacts, 12);
    assert.ok(report.score >= 0.5, `score ${report.score}`);
    assert.ok(
      alerts.some((a) => a.kind === 'actor' && a.subjectId === 'groomer'),
      'an actor alert fires for the account',
    );
    assert.ok(
      report.reasons.some((r) => r.includes('12 child accounts')),
      'a reason names the 12 child accounts',
    );
  });

  it('raises an account that many people block and report', () => {
    const s = new Script().account('x', 25);
    for (let i = 0; i < 4; i++) s.contact('block', `u${i}`, 'x').contact('report', `u${i}`, 'x');
    const { engine } = run(s);
    const r = engine.actorReport('x');
    assert.ok(r, 'the account has a report');
    assert.equal(r.blocksAgainst, 4);
    assert.equal(r.reportsAgainst, 4);
    assert.ok(r.score > engine.actorScore('u0'), 'the blocked and reported account scores above an ordinary one');
  });

  it('does not flag a child for talking to other children', () => {
    const s = new Script().account('kid', 13);
    for (let i = 0; i < 8; i++) s.account(`friend${i}`, 13).say(`g${i}`, 'kid', `friend${i}`, 'yo wanna play later');
    const { engine } = run(s);
    assert.ok(engine.actorScore('kid') < 0.3, 'a child talking to children scores low');
  });

  it('carries conversation risk to the suspect account', () => {
    const { engine } = run(grooming());
    const r = engine.actorReport('stranger');
    assert.ok(r, 'the suspect has a report');
    assert.ok(r.score >= 0.85, "the suspect carries the conversation's risk");
    assert.equal(r.riskyConversations[0]?.conversationId, 'dm1');
  });
});

describe('a fresh process', () => {
  it('reads the very first message correctly while the lexicon compiles on first use', () => {
    // In its own process, so nothing has compiled the lexicon yet (compiling normalises every
    // pattern word, which once overwrote the first message's tokens).
    const script = `
      import { DetectionEngine } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
      const engine = new DetectionEngine();
      engine.process({ type: 'message', id: 'm1', time: 1, conversationId: 'c', senderId: 'kid', recipientIds: ['x'], text: 'im 13 tbh' });
      console.log(JSON.stringify(engine.accountInfo('kid')));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout.trim()).disclosedAge, 13);
  });
});

describe('large groups', () => {
  it('still counts the accounts of speakers beyond the tracked participants', () => {
    const engine = new DetectionEngine({ maxParticipants: 4 });
    for (let i = 0; i < 10; i++)
      engine.process({
        type: 'message',
        id: `g${i}`,
        time: 1_000 + i,
        conversationId: 'room',
        senderId: `u${i}`,
        recipientIds: [],
        text: 'hi all',
      });
    assert.equal(engine.stats().actors, 10);
    assert.equal(engine.conversationReport('room')?.participants.length, 4);
  });

  it('refuses a participant limit it cannot track, naming the option', () => {
    for (const bad of [0, 32, 2.5, Number.NaN]) {
      assert.throws(
        () => new DetectionEngine({ maxParticipants: bad }),
        /maxParticipants must be an integer from 1 to 31/,
      );
    }
    assert.doesNotThrow(() => new DetectionEngine({ maxParticipants: 31 }));
  });

  it('tells each recipient apart in a full group: contact with a known child is counted', () => {
    const engine = new DetectionEngine({ maxParticipants: 31 });
    const members = Array.from({ length: 31 }, (_, i) => `m${i}`);
    engine.process({ type: 'account', id: 'a1', time: 1, userId: 'm30', age: 12 });
    engine.process({ type: 'account', id: 'a2', time: 1, userId: 'm0', age: 40 });
    for (let i = 0; i < 31; i++)
      engine.process({
        type: 'message',
        id: `x${i}`,
        time: 10 + i,
        conversationId: 'big',
        senderId: members[i]!,
        recipientIds: members,
        text: 'hi all',
      });
    engine.process({
      type: 'message',
      id: 'y',
      time: 100,
      conversationId: 'big',
      senderId: 'm0',
      recipientIds: ['m30'],
      text: 'hey',
    });
    assert.equal(engine.actorReport('m0')?.distinctMinorsContacted, 1);
  });
});

describe('persistence', () => {
  it('restores from a snapshot to the same scores and keeps scoring new events identically', () => {
    const script = grooming();
    const half = Math.floor(script.events.length / 2);
    const whole = new DetectionEngine();
    for (const e of script.events) whole.process(e);
    const first = new DetectionEngine();
    for (const e of script.events.slice(0, half)) first.process(e);
    const restored = DetectionEngine.restore(JSON.parse(JSON.stringify(first.snapshot())));
    for (const e of script.events.slice(half)) restored.process(e);
    assert.equal(restored.conversationScore('dm1'), whole.conversationScore('dm1'));
    assert.equal(restored.actorScore('stranger'), whole.actorScore('stranger'));
    assert.deepEqual(restored.stats(), whole.stats());
  });

  it('forgets evidence text before a time (retention) but not the risk, except where asked to keep it', () => {
    const script = grooming();
    const copy = new Script();
    for (const e of script.events)
      if (e.type === 'message') copy.events.push({ ...e, id: `${e.id}-b`, conversationId: 'dm2' });
    const { engine } = run(script);
    run(copy, engine);
    const before = engine.conversationReport('dm1')!;
    const score = engine.conversationScore('dm1');
    assert.ok(
      before.evidence.length >= 3 && before.evidence.every((e) => e.excerpt !== ''),
      'before the cut, the evidence has its excerpts',
    );
    // Cut in the middle of the conversation: older evidence loses its text, newer keeps it.
    const cut = before.evidence[Math.floor(before.evidence.length / 2)]!.time;
    const removed = engine.removeExcerptsBefore(cut, (id) => id === 'dm2');
    const after = engine.conversationReport('dm1')!;
    assert.equal(removed, after.evidence.filter((e) => e.time < cut).length);
    assert.ok(removed > 0, 'some excerpts were removed');
    for (const e of after.evidence) {
      if (e.time < cut) assert.deepEqual([e.excerpt, e.textRemoved], ['', true], e.messageId);
      else assert.equal(e.textRemoved, undefined, e.messageId);
      assert.ok(e.end > e.start, 'the span stays');
    }
    assert.equal(engine.conversationScore('dm1'), score, 'the risk is unchanged');
    assert.ok(
      engine.conversationReport('dm2')!.evidence.every((e) => e.excerpt !== ''),
      'a kept conversation keeps its text',
    );
    assert.ok(
      after.reasons.some((r) => r.includes('[text removed by retention]')),
      after.reasons.join(' | '),
    );
    const restored = DetectionEngine.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    assert.deepEqual(restored.conversationReport('dm1')!.evidence, after.evidence, 'a snapshot carries the removal');
    assert.equal(
      engine.removeExcerptsBefore(cut),
      0 + engine.conversationReport('dm2')!.evidence.filter((e) => e.time < cut).length,
      'only what was left',
    );
  });

  it('refuses a snapshot of an unknown version', () => {
    assert.throws(() => DetectionEngine.restore({ version: 2 } as never), /unsupported/);
  });
});
