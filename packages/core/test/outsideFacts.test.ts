// Facts from other engines: an engine that holds one conversation of an account learns the account's
// fan-out, outreach and ages from the engines that hold its other conversations, and then scores as
// one engine holding everything would.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DetectionEngine, mergeAccountFacts, ACCOUNT_FACT_BOUNDS, type LifeguardEvent } from '../src/index.ts';
import { Script } from './scenario.ts';

/** An adult complimenting four children and asking their ages, one conversation each (f0..f3); f0 alone stays under the fan-out floor. */
function fanOutScript(): Script {
  const script = new Script().account('fan_acc', 27);
  const lines = [
    ['your drawings are amazing honestly', 'how old r u?', '16'],
    ['ur edits r so good', 'what age are you', '13'],
    ['you are so pretty in that video', 'how old are u btw', '14'],
    ['ur voice is beautiful', 'how old r u', '12'],
  ];
  lines.forEach(([compliment, probe, age], i) => {
    script
      .say(`f${i}`, 'fan_acc', `kid${i}`, compliment!, 30)
      .say(`f${i}`, 'fan_acc', `kid${i}`, probe!)
      .say(`f${i}`, `kid${i}`, 'fan_acc', age!);
  });
  return script;
}

/** Feeds the events to engines by conversation (f0 to A, the rest to B); account events to both. */
function split(events: LifeguardEvent[]): { a: DetectionEngine; b: DetectionEngine } {
  const a = new DetectionEngine();
  const b = new DetectionEngine();
  for (const e of events) {
    if (e.type !== 'message' || e.conversationId === 'f0') a.process(e);
    if (e.type !== 'message' || e.conversationId !== 'f0') b.process(e);
  }
  return { a, b };
}

/** Account ids an event names. */
function named(e: LifeguardEvent): string[] {
  if (e.type === 'message') return [e.senderId, ...e.recipientIds];
  return e.type === 'account' ? [e.userId] : [e.actorId, e.targetId];
}

/**
 * Two engines, each message to the one `ownerOf` names and other events to both, passing each
 * other the facts of the accounts an event names before and after it (a host with no lag).
 */
function lockstep(events: LifeguardEvent[], ownerOf: (e: LifeguardEvent & { type: 'message' }) => number) {
  const engines = [new DetectionEngine(), new DetectionEngine()];
  for (const e of events) {
    for (const p of e.type === 'message' ? [ownerOf(e)] : [0, 1]) {
      const [own, other] = [engines[p]!, engines[1 - p]!];
      for (const id of named(e)) {
        const facts = other.accountFacts(id);
        if (facts) own.noteOutsideFacts(id, facts, true);
      }
      own.process(e);
      for (const id of named(e)) other.noteOutsideFacts(id, own.accountFacts(id)!);
    }
  }
  return engines;
}

function single(events: LifeguardEvent[]): DetectionEngine {
  const engine = new DetectionEngine();
  for (const e of events) engine.process(e);
  return engine;
}

describe('facts from outside an engine', () => {
  const events = fanOutScript().events;

  it('raises a conversation whose account fanned out to children in another engine, once it is told', () => {
    const reference = single(events);
    const { a, b } = split(events);
    assert.ok(
      a.conversationScore('f0') < reference.conversationScore('f0'),
      `alone, engine A under-scores f0 (${a.conversationScore('f0')} vs ${reference.conversationScore('f0')})`,
    );
    const noted = a.noteOutsideFacts('fan_acc', b.accountFacts('fan_acc')!);
    assert.ok(noted, 'engine A knows the account, so it takes the facts');
    assert.deepEqual(noted.conversations, ['f0'], 'the note says which of its conversations it raised');
    assert.equal(a.conversationScore('f0'), reference.conversationScore('f0'), 'f0 scores as in one engine');
    assert.deepEqual(
      a.conversationReport('f0')!.reasons,
      reference.conversationReport('f0')!.reasons,
      'f0 is explained as in one engine (the fan-out over four children)',
    );
    assert.equal(a.conversationReport('f0')!.suspectId, 'fan_acc', 'the fan-out account is the suspect of f0');
    assert.deepEqual(
      [...a.actorReport('fan_acc')!.fanOut!.children].sort(),
      ['kid0', 'kid1', 'kid2', 'kid3'],
      'engine A names all four children',
    );
  });

  it('with facts passed on as they are learnt, two engines score every conversation and account as one', () => {
    const reference = single(events);
    const engines = lockstep(events, (e) => (e.conversationId === 'f0' ? 0 : 1));
    for (const id of ['f0', 'f1', 'f2', 'f3']) {
      const holder = engines.find((e) => e.conversationReport(id) !== null)!;
      assert.deepEqual(holder.conversationReport(id), reference.conversationReport(id), `conversation ${id}`);
    }
    for (const engine of engines)
      assert.deepEqual(engine.actorReport('fan_acc'), reference.actorReport('fan_acc'), 'the account report');
  });

  it('counts nothing twice when the same facts are noted again, and replaces older facts by newer', () => {
    const { a, b } = split(events);
    const facts = b.accountFacts('fan_acc')!;
    a.noteOutsideFacts('fan_acc', facts);
    const once = a.actorReport('fan_acc')!;
    a.noteOutsideFacts('fan_acc', facts);
    const twice = a.actorReport('fan_acc')!;
    assert.deepEqual(twice, once, 'noting the same facts again changes nothing');
    assert.equal(once.firstContacts, 4, 'first contacts: one in A plus three from B');
    assert.equal(
      a.accountFacts('fan_acc')!.firstContacts,
      1,
      "engine A's own facts leave out what it was told (so they are never counted twice upstream)",
    );
    a.noteOutsideFacts('fan_acc', { ...facts, firstContacts: 5 });
    assert.equal(a.actorReport('fan_acc')!.firstContacts, 6, 'newer outside counts replace the older ones');
  });

  it('keeps what it was told across a snapshot', () => {
    const { a, b } = split(events);
    a.noteOutsideFacts('fan_acc', b.accountFacts('fan_acc')!);
    const restored = DetectionEngine.restore(JSON.parse(JSON.stringify(a.snapshot())));
    assert.deepEqual(restored.actorReport('fan_acc'), a.actorReport('fan_acc'), 'the restored account is the same');
    assert.deepEqual(
      restored.accountFacts('fan_acc'),
      a.accountFacts('fan_acc'),
      'the restored engine still knows which counts came from outside',
    );
  });

  it('learns an age stated elsewhere: an adult posing as a child to a child is an age liar', () => {
    const script = new Script().account('kid', 12);
    script.say('x1', 'liar', 'someone', 'im 31 lol').say('x2', 'liar', 'kid', 'im 14 btw');
    const reference = single(script.events);
    const alone = new DetectionEngine();
    for (const e of script.events) if (e.type !== 'message' || e.conversationId === 'x2') alone.process(e);
    assert.equal(alone.accountInfo('liar').isMinor, true, 'alone, the engine of x2 takes the account for a child');
    const [, a] = lockstep(script.events, (e) => (e.conversationId === 'x2' ? 1 : 0));
    assert.deepEqual(a!.accountInfo('liar'), reference.accountInfo('liar'), 'told, it knows the adult age');
    assert.deepEqual(a!.actorReport('liar'), reference.actorReport('liar'), 'the account is reported as in one engine');
    assert.deepEqual(a!.conversationReport('x2'), reference.conversationReport('x2'), 'x2 is scored as in one engine');
  });

  it('ignores facts about an account it has never seen', () => {
    const { a, b } = split(events);
    assert.equal(a.noteOutsideFacts('nobody', b.accountFacts('fan_acc')!), null, 'unknown account: nothing noted');
    assert.equal(a.actorReport('nobody'), null, 'and no state is created for it');
  });

  it('merges facts of several engines by union, sum and extremes, within the engine bounds', () => {
    const { a, b } = split(events);
    const merged = mergeAccountFacts([a.accountFacts('fan_acc')!, b.accountFacts('fan_acc')!], ACCOUNT_FACT_BOUNDS);
    const reference = single(events).accountFacts('fan_acc')!;
    assert.equal(merged.firstContacts, reference.firstContacts, 'counts add up');
    assert.deepEqual(
      merged.fanOut.map((e) => e.childId).sort(),
      reference.fanOut.map((e) => e.childId).sort(),
      'fan-out children are the union',
    );
    const many = Array.from({ length: 40 }, (_, i) => ({
      ...merged,
      fanOut: [{ childId: `c${i}`, conversationId: `k${i}`, kinds: 3, at: i, peer: false }],
    }));
    assert.equal(
      mergeAccountFacts(many, ACCOUNT_FACT_BOUNDS).fanOut.length,
      ACCOUNT_FACT_BOUNDS.maxFanOut,
      'the merged fan-out stays within the bound',
    );
  });
});
