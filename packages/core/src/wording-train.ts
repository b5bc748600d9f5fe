// Fits a wording model (wording.ts) to labelled messages: logistic regression over the words and
// adjacent word pairs of each message, by stochastic gradient descent in a fixed order (same
// messages, same model), then pruned to the terms that weigh most so the model stays small.
import type { WordingModel } from './wording.ts';

export interface WordingExample {
  /** Canonical tokens (normalize(text).tokens). */
  tokens: readonly string[];
  /** 1 for an offender's message, 0 for anyone else's. */
  label: 0 | 1;
  /** Importance of the example. Default 1. */
  weight?: number;
}

export interface WordingTrainOptions {
  epochs?: number;
  learningRate?: number;
  /** Shrinks every weight a little at each step, so terms seen once stay small. */
  decay?: number;
  /** Terms kept after training, heaviest first. Default 4000. */
  maxTerms?: number;
  writers?: string[];
  at?: string;
}

function termsOf(tokens: readonly string[], index: Map<string, number>, grow: boolean): number[] {
  const out: number[] = [];
  const add = (term: string) => {
    let i = index.get(term);
    if (i === undefined) {
      if (!grow) return;
      i = index.size;
      index.set(term, i);
    }
    out.push(i);
  };
  for (let k = 0; k < tokens.length; k++) {
    add(tokens[k] as string);
    if (k + 1 < tokens.length) add(`${tokens[k]} ${tokens[k + 1]}`);
  }
  return out;
}

export function trainWording(examples: readonly WordingExample[], options: WordingTrainOptions = {}): WordingModel {
  const epochs = options.epochs ?? 6;
  const lr = options.learningRate ?? 0.2;
  const decay = options.decay ?? 1e-6;
  const maxTerms = options.maxTerms ?? 4000;
  const index = new Map<string, number>();
  const rows = examples.map((e) => ({ terms: termsOf(e.tokens, index, true), y: e.label, w: e.weight ?? 1 }));
  const weights = new Float64Array(index.size);
  let bias = 0;
  const n = rows.length;
  // A fixed stride through the examples visits all of them each epoch in a scrambled order.
  const stride = 7919;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let k = 0; k < n; k++) {
      const row = rows[(k * stride + epoch * 104729) % n] as (typeof rows)[number];
      let z = bias;
      for (const t of row.terms) z += weights[t] as number;
      const p = 1 / (1 + Math.exp(-z));
      const g = ((p - row.y) * row.w * lr) / Math.sqrt(row.terms.length + 1);
      for (const t of row.terms) weights[t] = (weights[t] as number) * (1 - decay) - g;
      bias -= g * 0.1;
    }
  }
  const ranked = [...index.entries()]
    .map(([term, i]) => [term, weights[i] as number] as const)
    .filter(([, w]) => Math.abs(w) >= 1e-3)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxTerms)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const terms: Record<string, number> = {};
  for (const [term, w] of ranked) terms[term] = Math.round(w * 1000) / 1000;
  return {
    version: 1,
    bias: Math.round(bias * 1000) / 1000,
    terms,
    trainedOn: {
      messages: n,
      offenderMessages: examples.filter((e) => e.label === 1).length,
      writers: options.writers ?? [],
      at: options.at ?? new Date().toISOString(),
    },
  };
}
