// Evaluation metrics. A metric whose denominator is zero is null ("not defined"), never 0 or NaN:
// an evaluation set without offenders has no recall, and saying 0 would be a lie.

export interface Confusion {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export function precision({ truePositives, falsePositives }: Confusion): number | null {
  const predicted = truePositives + falsePositives;
  return predicted === 0 ? null : truePositives / predicted;
}

export function recall({ truePositives, falseNegatives }: Confusion): number | null {
  const actual = truePositives + falseNegatives;
  return actual === 0 ? null : truePositives / actual;
}

/** F-beta: beta < 1 weighs precision more (F0.5 is the PAN 2012 measure), beta > 1 recall. */
export function fBeta(confusion: Confusion, beta: number): number | null {
  const p = precision(confusion);
  const r = recall(confusion);
  if (p === null || r === null) return null;
  if (p === 0 && r === 0) return 0;
  const b2 = beta * beta;
  return ((1 + b2) * p * r) / (b2 * p + r);
}

/**
 * Area under the ROC curve, computed exactly as the Mann-Whitney rank statistic: the probability
 * that a random positive scores above a random negative, ties counting one half.
 * Null when there are no positives or no negatives.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number | null {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < n) {
    // A block of equal scores shares the mean of its ranks (1-based).
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const meanRank = (i + 1 + (j + 1)) / 2;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        positives++;
        positiveRankSum += meanRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Count per 1,000 (e.g. flagged conversations per 1,000 conversations); null for an empty base. */
export function perThousand(count: number, total: number): number | null {
  return total === 0 ? null : (count * 1000) / total;
}

/** A growable column of numbers that costs 8 bytes per entry (a plain array of numbers costs more). */
export class NumberColumn {
  private values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}
