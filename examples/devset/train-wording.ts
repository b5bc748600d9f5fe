// Trains the built-in offender-wording model (packages/core/src/wording.ts) and writes it to
// packages/core/src/wording-default.ts. Positives: the offenders' messages of the tuning writers'
// harmful conversations; negatives: every message of their benign conversations, the children's
// and others' messages of harmful ones, and the training parts of the ordinary-chat corpora
// (../shared/corpora), so that everyday chat reads as everyday. Deterministic: same data, same file.
//
//   node --import tsx examples/devset/train-wording.ts            writes the default model
//   node --import tsx examples/devset/train-wording.ts --out F    writes F (JSON) instead
import { writeFileSync } from 'node:fs';
import { normalize, trainWording, type WordingExample, type WordingModel } from '@lifeguard/core';
import { loadCorpusEvents } from '../../bench/corpora.ts';
import { TUNE_WRITERS, loadDevset, type DevConversation } from './measure.ts';

/** Weight of one ordinary-chat message against one devset message: many, plain, and not the task. */
const ORDINARY_WEIGHT = 0.3;
/** Terms kept: the on-device bundle's size budget (packages/core/test/package.test.ts) bounds the model. */
const MAX_TERMS = Number(process.env.WORDING_MAX_TERMS ?? 2000);

export function wordingExamples(conversations: DevConversation[]): WordingExample[] {
  const out: WordingExample[] = [];
  for (const c of conversations) {
    const offender = c.participants.find((p) => p.role === 'offender')?.id;
    for (const m of c.messages) {
      const tokens = normalize(m.text).tokens;
      if (tokens.length === 0) continue;
      out.push({ tokens, label: c.label === 'harmful' && m.from === offender ? 1 : 0 });
    }
  }
  return out;
}

/**
 * The training parts of the ordinary-chat corpora (IRC "train" and Topical-Chat "valid"); their
 * other parts (IRC dev, test, channel-two and new-domains; Topical-Chat test) are never trained on,
 * so false flags can be counted on chat the model has not seen (ORDINARY_TRAINING_PARTS).
 */
export const ORDINARY_TRAINING_PARTS = ['irc/train/', 'tc/valid_'];

export function ordinaryExamples(): WordingExample[] {
  const corpora = loadCorpusEvents('pairs');
  if (!corpora) throw new Error('../shared/corpora is missing: the wording model needs ordinary chat as negatives');
  const out: WordingExample[] = [];
  for (const event of [...corpora.irc, ...corpora.topicalChat]) {
    if (!ORDINARY_TRAINING_PARTS.some((part) => event.id.startsWith(part))) continue;
    const tokens = normalize(event.text ?? '').tokens;
    if (tokens.length > 0) out.push({ tokens, label: 0, weight: ORDINARY_WEIGHT });
  }
  return out;
}

/** The wording model fitted to the given writers' conversations and ordinary chat. */
export function fitWording(writers: readonly string[], ordinary: WordingExample[] = ordinaryExamples()): WordingModel {
  const conversations = loadDevset().filter((c) => writers.includes(c.writer));
  return trainWording([...wordingExamples(conversations), ...ordinary], {
    writers: [...writers],
    at: '2026-12-03T00:00:00Z',
    maxTerms: MAX_TERMS,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const model = { ...fitWording(TUNE_WRITERS), id: `wording-${TUNE_WRITERS.join('-')}` };
  const outAt = process.argv.indexOf('--out');
  if (outAt > 0) writeFileSync(process.argv[outAt + 1] as string, `${JSON.stringify(model, null, 1)}\n`);
  else {
    const path = new URL('../../packages/core/src/wording-default.ts', import.meta.url).pathname;
    writeFileSync(
      path,
      `// Written by examples/devset/train-wording.ts; do not edit by hand.\nimport type { WordingModel } from './wording.ts';\n\nexport const DEFAULT_WORDING: WordingModel = ${JSON.stringify(model)};\n`,
    );
  }
  console.log(
    `${Object.keys(model.terms).length} terms from ${model.trainedOn?.messages} messages (${model.trainedOn?.offenderMessages} offenders') of ${TUNE_WRITERS.join(', ')} and ordinary chat`,
  );
}
