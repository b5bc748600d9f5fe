import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONVERSATION_FEATURES,
  DEFAULT_MODEL,
  scoreFeatures,
  trainModel,
  validateModel,
  type TrainingRow,
} from '../src/model.ts';

const idx = (name: (typeof CONVERSATION_FEATURES)[number]) => CONVERSATION_FEATURES.indexOf(name);
function row(values: Partial<Record<(typeof CONVERSATION_FEATURES)[number], number>>, label: 0 | 1): TrainingRow {
  const features = new Array<number>(CONVERSATION_FEATURES.length).fill(0);
  for (const [k, v] of Object.entries(values)) features[idx(k as (typeof CONVERSATION_FEATURES)[number])] = v;
  return { features, label };
}

describe('risk model', () => {
  it('ships defaults that score an empty conversation near zero', () => {
    assert.ok(
      scoreFeatures(DEFAULT_MODEL, new Array(CONVERSATION_FEATURES.length).fill(0)) < 0.01,
      'an empty conversation scores near zero',
    );
  });

  it('learns from moderator labels: a signal that keeps being dismissed loses weight', () => {
    // Moderators dismiss every case driven by gift talk alone (a platform where gifting is normal).
    const rows: TrainingRow[] = [];
    for (let i = 0; i < 40; i++)
      rows.push(row({ gift_money: 1.5, stages_reached: 0.125, one_to_one: 1, asymmetry: 1 }, 0));
    for (let i = 0; i < 10; i++)
      rows.push(
        row({ secrecy: 1, risk_assessment: 1, target_minor: 1, minor_x_grooming: 0.5, stages_reached: 0.25 }, 1),
      );
    const model = trainModel(rows, { at: '2026-01-01T00:00:00.000Z' });
    assert.ok(
      (model.weights[idx('gift_money')] as number) < (DEFAULT_MODEL.weights[idx('gift_money')] as number),
      'the dismissed signal loses weight',
    );
    assert.equal(model.trainedOn?.examples, 50);
    assert.equal(model.trainedOn?.positives, 10);
  });

  it('is deterministic for the same labels', () => {
    const rows = [row({ secrecy: 1 }, 1), row({ flattery: 1 }, 0)];
    assert.deepEqual(trainModel(rows, { at: 'x' }), trainModel(rows, { at: 'x' }));
  });

  it('stays near the prior with few labels and a strong pull', () => {
    const model = trainModel([row({ meeting: 1 }, 0)], { l2: 100 });
    const drift = Math.abs(
      (model.weights[idx('meeting')] as number) - (DEFAULT_MODEL.weights[idx('meeting')] as number),
    );
    assert.ok(drift < 0.1, `drift ${drift}`);
  });

  it('rejects malformed training rows with a clear error', () => {
    const d = CONVERSATION_FEATURES.length;
    assert.throws(() => trainModel([{ features: [1, 2], label: 1 }]), new RegExp(`expected ${d} features`));
    assert.throws(() => trainModel([{ features: new Array(d).fill(Number.NaN), label: 1 }]), /finite/);
  });

  it('validates a loaded model against the engine’s features', () => {
    assert.deepEqual(validateModel(JSON.parse(JSON.stringify(DEFAULT_MODEL))).weights, DEFAULT_MODEL.weights);
    assert.throws(() => validateModel({ version: 1, features: ['x'], weights: [1], bias: 0 }), /features do not match/);
    assert.throws(() => validateModel({ version: 1, features: [], weights: [], bias: 'no' }), /bias/);
  });
});
