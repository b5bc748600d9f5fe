// The offender-wording model: how a message is scored, how the model is trained and checked,
// and how the engine uses it (only once a suspect carries a stage signal, never on its own).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetectionEngine } from '../src/engine.ts';
import { CONVERSATION_FEATURES, DEFAULT_MODEL, validateModel } from '../src/model.ts';
import { normalize, tokenize } from '../src/normalize.ts';
import { DEFAULT_WORDING } from '../src/wording-default.ts';
import { trainWording } from '../src/wording-train.ts';
import { validateWordingModel, WordingScorer, wordingOf, type WordingModel } from '../src/wording.ts';
import { Script } from './scenario.ts';

// Terms are canonical tokens: the normaliser squeezes doubled letters ("keep" is "kep").
/** A fresh engine with these options, fed the script. */
function engineAfter(s: Script, options: { wording?: WordingModel | null } = {}): DetectionEngine {
  const engine = new DetectionEngine(options);
  for (const e of s.events) engine.process(e);
  return engine;
}

const toy: WordingModel = { version: 1, bias: -2, terms: { purple: 1.5, 'hush purple': 2, snack: -1 } };

describe('scoring a message', () => {
  const scorer = new WordingScorer(toy);

  it('adds the weights of its words and adjacent word pairs to the bias', () => {
    assert.equal(scorer.score(tokenize('hush purple ok')), -2 + 1.5 + 2, 'purple (1.5) and "hush purple" (2)');
    assert.equal(scorer.score(tokenize('purple hush')), -2 + 1.5, 'the pair counts only in its order');
    assert.equal(scorer.score(tokenize('snack later')), -3, 'a negative term lowers the logit');
    assert.equal(scorer.score(tokenize('nothing here')), -2, 'unknown words add nothing');
  });

  it('gives the same score however often a word was seen before (memoised by word-table entry)', () => {
    const first = scorer.score(tokenize('hush PURPLE'));
    for (let i = 0; i < 50; i++) scorer.score(tokenize(`filler${i} purple`));
    assert.equal(scorer.score(tokenize('hush purple')), first, 'same tokens, same logit');
  });

  it('names the terms that carry weight, heaviest first', () => {
    const terms = scorer.termsOf(normalize('hush purple').tokens).map((t) => t.term);
    assert.deepEqual(terms, ['hush purple', 'purple'], 'the pair weighs more than the word');
  });

  it('averages a participant’s top logits, counting missing slots as 0', () => {
    assert.equal(wordingOf(null), 0, 'nobody scored yet');
    assert.equal(wordingOf(Float32Array.from([6, 3, 0])), 3, '(6 + 3 + 0) / 3');
  });
});

describe('training', () => {
  const examples = [
    ...Array.from({ length: 40 }, (_, i) => ({ tokens: ['keep', 'quiet', `x${i % 5}`], label: 1 as const })),
    ...Array.from({ length: 40 }, (_, i) => ({ tokens: ['snacks', 'later', `x${i % 5}`], label: 0 as const })),
  ];

  it('learns positive weights for words only offenders use and negative ones for the rest', () => {
    const model = trainWording(examples, { at: 'fixed' });
    assert.ok((model.terms.quiet ?? 0) > 0, `quiet should weigh positive, got ${model.terms.quiet}`);
    assert.ok((model.terms.snacks ?? 0) < 0, `snacks should weigh negative, got ${model.terms.snacks}`);
    assert.equal(model.trainedOn?.offenderMessages, 40, 'counts the offenders’ messages');
  });

  it('is deterministic and keeps at most maxTerms terms', () => {
    const a = trainWording(examples, { at: 'fixed', maxTerms: 3 });
    const b = trainWording(examples, { at: 'fixed', maxTerms: 3 });
    assert.deepEqual(a, b, 'same examples, same model');
    assert.equal(Object.keys(a.terms).length, 3, 'pruned to the 3 heaviest terms');
  });
});

describe('checking a wording model from JSON', () => {
  it('accepts the built-in model', () => {
    assert.doesNotThrow(() => validateWordingModel(JSON.parse(JSON.stringify(DEFAULT_WORDING))));
    assert.ok(Object.keys(DEFAULT_WORDING.terms).length > 1000, 'the built-in model holds learned terms');
  });

  it('names the problem in a broken one', () => {
    assert.throws(
      () => validateWordingModel({ version: 1, bias: 0, terms: { 'too many words here': 1 } }),
      /invalid wording model: terms\["too many words here"\]: a term is one token or two/,
    );
    assert.throws(() => validateWordingModel({ version: 1, bias: 'x', terms: {} }), /invalid wording model: bias/);
  });
});

describe('a risk model saved before offender_wording existed', () => {
  it('loads with that feature weighed 0', () => {
    const old = {
      version: 1,
      features: CONVERSATION_FEATURES.slice(0, -1),
      weights: DEFAULT_MODEL.weights.slice(0, -1),
      bias: -5,
    };
    const model = validateModel(old);
    assert.equal(model.weights.length, CONVERSATION_FEATURES.length, 'padded to the current features');
    assert.equal(model.weights.at(-1), 0, 'the new feature weighs nothing in the old model');
  });
});

describe('the engine with a wording model', () => {
  // Toy wording: words no lexicon phrase knows ("purple", "tuesday") read as an offender's.
  const wording: WordingModel = { version: 1, bias: -1, terms: { purple: 3, tuesday: 3, wombat: 1 } };
  const script = (lines: [string, string][]) => {
    const s = new Script().account('kid', 12);
    for (const [from, text] of lines) s.say('c1', from, from === 'kid' ? 'man' : 'kid', text);
    return s;
  };
  const score = (s: Script, w: WordingModel | null) => {
    const engine = engineAfter(s, { wording: w });
    return { engine, score: engine.conversationScore('c1') };
  };

  it('never scores wording alone: without a stage signal the conversation stays at 0', () => {
    const s = script([
      ['man', 'the purple wombat on tuesday'],
      ['kid', 'ok'],
      ['man', 'purple tuesday wombat'],
    ]);
    assert.equal(score(s, wording).score, 0, 'offender-like wording with no grooming step scores nothing');
  });

  it('raises a conversation that carries a stage signal, and quotes the messages behind it', () => {
    const s = script([
      ['man', 'how old are you'],
      ['kid', '12'],
      ['man', 'the purple wombat on tuesday'],
      ['man', 'purple tuesday wombat'],
    ]);
    const without = score(s, null).score;
    const withWording = score(s, wording);
    assert.ok(
      withWording.score > without,
      `wording should raise the score above ${without.toFixed(3)}, got ${withWording.score.toFixed(3)}`,
    );
    const reasons = withWording.engine.conversationReport('c1')?.reasons ?? [];
    const line = reasons.find((r) => r.startsWith("wording like offenders' messages"));
    assert.ok(line?.includes('"the purple wombat on tuesday" (m'), `quotes the message, got ${reasons}`);
  });

  it('does not count the child’s own offender-like wording against the child', () => {
    const s = script([
      ['man', 'how old are you'],
      ['kid', '12'],
      ['kid', 'purple tuesday wombat'],
      ['kid', 'wombat purple tuesday'],
    ]);
    const { engine } = score(s, wording);
    assert.notEqual(engine.conversationReport('c1')?.suspectId, 'kid', 'the child is never the suspect for wording');
  });

  it('blanks the quoted messages when retention removes message text, and keeps the score', () => {
    const s = script([
      ['man', 'how old are you'],
      ['kid', '12'],
      ['man', 'the purple wombat on tuesday'],
    ]);
    const { engine, score: before } = score(s, wording);
    const after = (s.events.at(-1)?.time as number) + 1;
    const evidence = engine.conversationReport('c1')?.evidence.length ?? 0;
    assert.equal(engine.removeExcerptsBefore(after), evidence, 'it counts the evidence excerpts it removed');
    const reasons = engine.conversationReport('c1')?.reasons ?? [];
    assert.ok(!reasons.some((r) => r.includes('purple wombat')), `no message text is left, got ${reasons}`);
    assert.ok(
      reasons.some((r) => r.startsWith('wording like offenders\' messages: "[text removed by retention]"')),
      `the wording reason says the text was removed, got ${reasons}`,
    );
    assert.equal(engine.conversationScore('c1'), before, 'the risk it remembers is unchanged');
  });

  it('keeps the wording state through a snapshot', () => {
    const s = script([
      ['man', 'how old are you'],
      ['kid', '12'],
      ['man', 'the purple wombat on tuesday'],
    ]);
    const { engine, score: before } = score(s, wording);
    const restored = DetectionEngine.restore(engine.snapshot(), { wording });
    assert.equal(restored.conversationScore('c1'), before, 'same score after restore');
    restored.process({
      type: 'message',
      id: 'm-next',
      time: Date.parse('2026-01-02T00:00:00Z'),
      conversationId: 'c1',
      senderId: 'man',
      recipientIds: ['kid'],
      text: 'ok',
    });
    assert.ok(restored.conversationScore('c1') >= before * 0.99, 'the wording carried over keeps the score');
  });
});

describe('the built-in wording model on a pattern no phrase names (wordings written for this test)', () => {
  // Guilt and self-harm hints that keep a 13-year-old talking: the lexicon sees only "promise you
  // wont tell"; the rest is wording no rule names.
  const guilt = () =>
    new Script()
      .account('milo', 13)
      .say('g1', 'drew_91', 'milo', 'you only answered me after 3 hours')
      .say('g1', 'milo', 'drew_91', 'sorry i had practice')
      .say('g1', 'drew_91', 'milo', 'when you go quiet i start thinking nobody cares if im around')
      .say('g1', 'milo', 'drew_91', 'dont say that')
      .say('g1', 'drew_91', 'milo', 'youre the only one who gets me. promise you wont tell your mum about us talking')
      .say('g1', 'milo', 'drew_91', 'ok i promise')
      .say('g1', 'drew_91', 'milo', 'good. stay up tonight and call me when everyone is asleep');
  const banter = () =>
    new Script()
      .account('jay', 14)
      .account('kai', 14)
      .say('b1', 'jay', 'kai', 'bro you still owe me for the pizza')
      .say('b1', 'kai', 'jay', 'ill pay u friday')
      .say('b1', 'jay', 'kai', 'dont tell your mum we skipped practice lol')
      .say('b1', 'kai', 'jay', 'obviously not')
      .say('b1', 'jay', 'kai', 'call me when ur home, need help with the maths homework');
  const scoreOf = (s: Script, id: string, options: { wording?: null }) =>
    engineAfter(s, options).conversationReport(id)!;

  it('lifts the adult to the watch level with the messages quoted, where the lexicon alone leaves it below', () => {
    const without = scoreOf(guilt(), 'g1', { wording: null });
    const withWording = scoreOf(guilt(), 'g1', {});
    assert.ok(without.score < 0.3, `without wording it stays below the watch level, got ${without.score}`);
    assert.ok(withWording.score >= 0.3, `with wording it is on the watch level, got ${withWording.score}`);
    assert.equal(withWording.suspectId, 'drew_91', 'the adult is the suspect');
    assert.ok(
      withWording.reasons.some((r) => r.includes('nobody cares if im around')),
      `a reason quotes the guilt message, got ${withWording.reasons}`,
    );
  });

  it('leaves two 14-year-olds’ banter where it was', () => {
    assert.equal(
      scoreOf(banter(), 'b1', {}).score,
      scoreOf(banter(), 'b1', { wording: null }).score,
      'between peers wording does not count',
    );
  });
});
