import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, type EvalOptions } from '../src/commands/eval.ts';
import { tempFile } from './helpers.ts';

const root = new URL('../../../', import.meta.url).pathname;
const options = (extra: Partial<EvalOptions>): EvalOptions => ({
  threshold: 0.5,
  json: true,
  format: 'auto',
  progress: false,
  maxErrors: 0,
  ...extra,
});

describe('evaluate', () => {
  it('separates the synthetic offenders from the hard benign conversations better than chance', async () => {
    const result = await evaluate(
      `${root}examples/eval/eval-set.xml`,
      options({ predators: `${root}examples/eval/predators.txt` }),
      null,
    );
    assert.equal(result.completed, true);
    assert.ok(result.conversations.positive >= 40, 'the set has at least 40 harmful conversations');
    assert.ok(result.conversations.total - result.conversations.positive >= 60, 'and at least 60 benign ones');
    assert.ok((result.authors?.recall ?? 0) > 0, 'some offenders are found');
    assert.ok(
      (result.conversations.rocAuc ?? 0) > 0.5,
      'harmful conversations rank above benign ones better than chance',
    );
    assert.ok(
      result.conversations.medianMessagesBeforeAlert === null || result.conversations.medianMessagesBeforeAlert >= 1,
      'an alert comes after at least one message, or there is none',
    );
  });

  it('gives the false-flag rate and no recall when the offender list is empty', async () => {
    const empty = tempFile('no-predators.txt', '# nobody\n');
    const result = await evaluate(`${root}examples/eval/eval-set.xml`, options({ predators: empty }), null);
    assert.equal(result.authors?.offendersSeen, 0);
    assert.equal(result.authors?.recall, null);
    assert.equal(result.conversations.positive, 0);
    assert.equal(result.conversations.rocAuc, null);
    assert.equal(result.conversations.flaggedPerThousand, result.conversations.falseFlagsPerThousandNegatives);
  });

  it('counts listed offenders that never appear in the file separately', async () => {
    const ids = tempFile('ghosts.txt', 'ghost-1\nghost-2\n');
    const result = await evaluate(`${root}examples/eval/eval-set.xml`, options({ predators: ids }), null);
    assert.equal(result.authors?.offendersListed, 2);
    assert.equal(result.authors?.offendersSeen, 0);
  });

  it('uses conversation labels and ignores unlabelled conversations', async () => {
    const labels = tempFile(
      'two-labels.jsonl',
      '{"conversationId": "dm-mia-rick", "label": "harmful"}\n{"conversationId": "dm-mia-zoe", "label": "benign"}\nnot json\n',
    );
    const result = await evaluate(`${root}examples/grooming-scenario.jsonl`, options({ labels }), null);
    assert.equal(result.conversations.total, 2);
    assert.equal(result.conversations.positive, 1);
    assert.equal(result.conversations.rocAuc, 1);
  });
});
