import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fBeta, median, NumberColumn, perThousand, precision, recall, rocAuc } from '../src/metrics.ts';

const close = (actual: number | null, expected: number) => {
  assert.ok(actual !== null, 'expected a number, got null');
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);
};

describe('precision, recall and F-beta', () => {
  const confusion = { truePositives: 6, falsePositives: 2, falseNegatives: 4 };

  it('computes them from the confusion counts', () => {
    close(precision(confusion), 0.75);
    close(recall(confusion), 0.6);
    // F1 = 2PR/(P+R) = 0.9/1.35; F0.5 = 1.25PR/(0.25P+R) = 0.5625/0.7875
    close(fBeta(confusion, 1), 2 / 3);
    close(fBeta(confusion, 0.5), 0.5625 / 0.7875);
  });

  it('says "not defined" instead of inventing a number when nothing was predicted or nothing was positive', () => {
    assert.equal(precision({ truePositives: 0, falsePositives: 0, falseNegatives: 3 }), null);
    assert.equal(recall({ truePositives: 0, falsePositives: 5, falseNegatives: 0 }), null);
    assert.equal(fBeta({ truePositives: 0, falsePositives: 5, falseNegatives: 0 }, 0.5), null);
    assert.equal(fBeta({ truePositives: 0, falsePositives: 1, falseNegatives: 1 }, 1), 0);
  });
});

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
    assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  });

  it('counts ties as one half, as the rank statistic does', () => {
    // Pairs (pos, neg): positives 0.5 and 0.9, negatives 0.5 and 0.1.
    // (0.5 vs 0.5) = 0.5, (0.5 vs 0.1) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.1) = 1  -> 3.5 / 4
    close(rocAuc([0.5, 0.9, 0.5, 0.1], [1, 1, 0, 0]), 0.875);
    assert.equal(rocAuc([0.3, 0.3, 0.3], [1, 0, 0]), 0.5);
  });

  it('matches a brute-force pair count on a random case', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const scores = Array.from({ length: 300 }, () => Math.round(random() * 20) / 20);
    const labels = scores.map((s) => (random() < 0.3 + s * 0.4 ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    scores.forEach((sp, i) => {
      if (!labels[i]) return;
      scores.forEach((sn, j) => {
        if (labels[j]) return;
        pairs++;
        wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
      });
    });
    close(rocAuc(scores, labels), wins / pairs);
  });

  it('is not defined with only one class', () => {
    assert.equal(rocAuc([0.1, 0.2], [0, 0]), null);
    assert.equal(rocAuc([], []), null);
  });
});

describe('median and per-thousand rates', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([4, 1, 10, 2]), 3);
    assert.equal(median([]), null);
  });

  it('scales counts to a rate per 1,000', () => {
    assert.equal(perThousand(3, 1500), 2);
    assert.equal(perThousand(0, 0), null);
  });

  it('keeps a growing column of numbers in order', () => {
    const column = new NumberColumn();
    for (let i = 0; i < 5000; i++) column.push(i / 2);
    assert.equal(column.length, 5000);
    assert.equal(column.view()[4999], 2499.5);
  });
});
