// Conversation risk model: a logistic model over explainable features. The defaults are an
// expert prior that needs no data; `trainModel` adapts the weights to moderators' labels
// (confirmed / dismissed cases) with an L2 penalty that pulls towards the prior, so a few
// dozen labels nudge the model instead of overturning it.
import { z } from 'zod';
import { zodProblems } from './problems.ts';

/** Feature names, in vector order. Each has a sentence in explain.ts. */
export const CONVERSATION_FEATURES = [
  'target_minor', // the other participant is a child (declared, disclosed, or cues)
  'suspect_adult', // the suspect is known to be an adult
  'suspect_minor', // the suspect is known to be a child too (peers)
  'age_gap', // (suspect age - target age) / 10, both known, clipped 0..3
  'age_probe',
  'personal_info',
  'platform_move',
  'secrecy',
  'risk_assessment',
  'isolation',
  'flattery',
  'relationship',
  'gift_money',
  'image_request',
  'meeting',
  'sexualisation',
  'sextortion_leverage',
  'sextortion_threat',
  'sextortion_payment',
  'sextortion_deadline',
  'stages_reached', // distinct grooming stages evidenced by the suspect / 8
  'sextortion_script', // leverage+threat, threat+payment, deadline: 0..2
  'target_distress',
  'one_to_one',
  'group_size', // log2(participants) - 1 in groups: grooming moves to private chat
  'minor_x_grooming', // target_minor × stages / 4: grooming aimed at a child
  'asymmetry', // share of the conversation's signals sent by the suspect
  'offender_wording', // the suspect's most offender-like messages (wording.ts), once they carry a stage signal
] as const;
export type ConversationFeature = (typeof CONVERSATION_FEATURES)[number];

export interface RiskModel {
  version: 1;
  /** A name for the audit trail and for every score this model produces ("default" when absent). */
  id?: string;
  features: readonly string[];
  weights: number[];
  bias: number;
  /** Where the weights came from, for the audit trail. */
  trainedOn?: { examples: number; positives: number; at: string; l2: number };
}

const PRIOR: Record<ConversationFeature, number> = {
  target_minor: 1.0,
  suspect_adult: 0.5,
  suspect_minor: -2.5,
  age_gap: 0.5,
  age_probe: 0.6,
  personal_info: 0.5,
  platform_move: 0.9,
  secrecy: 1.2,
  risk_assessment: 1.3,
  isolation: 1.0,
  flattery: 0.5,
  relationship: 0.5,
  gift_money: 0.7,
  image_request: 1.0,
  meeting: 0.9,
  sexualisation: 0.9,
  sextortion_leverage: 2.0,
  sextortion_threat: 1.5,
  sextortion_payment: 0.4,
  sextortion_deadline: 0.4,
  stages_reached: 1.5,
  sextortion_script: 3.5,
  target_distress: 0.8,
  one_to_one: 0.3,
  group_size: -0.7,
  minor_x_grooming: 2.5,
  asymmetry: 0.5,
  // Chosen on the blind-written writers with out-of-fold wording models (docs/evaluation.md, fifth round).
  offender_wording: 8,
};

export const DEFAULT_MODEL: RiskModel = Object.freeze({
  version: 1,
  features: CONVERSATION_FEATURES,
  weights: CONVERSATION_FEATURES.map((f) => PRIOR[f]),
  bias: -5,
}) as RiskModel;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The model's logit contributions per feature: what explanations are built from. */
export function contributions(model: RiskModel, features: ArrayLike<number>): number[] {
  const out = new Array<number>(model.weights.length);
  for (let i = 0; i < model.weights.length; i++) out[i] = (model.weights[i] as number) * (features[i] ?? 0);
  return out;
}

export function scoreFeatures(model: RiskModel, features: ArrayLike<number>): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++) z += (model.weights[i] as number) * (features[i] ?? 0);
  return sigmoid(z);
}

export interface TrainingRow {
  features: number[];
  label: 0 | 1;
  /** Importance of the example (e.g. a specialist's decision counts more). Default 1. */
  weight?: number;
}

export interface TrainOptions {
  /** Strength of the pull towards the prior model. Default 1. */
  l2?: number;
  epochs?: number;
  learningRate?: number;
  prior?: RiskModel;
  /** Timestamp recorded in the model (default: now). */
  at?: string;
}

/**
 * Fits the weights to labelled conversations by gradient descent on the log loss, with an
 * L2 penalty on the distance from the prior. Deterministic: same rows, same weights.
 */
export function trainModel(rows: TrainingRow[], options: TrainOptions = {}): RiskModel {
  const prior = options.prior ?? DEFAULT_MODEL;
  const l2 = options.l2 ?? 1;
  const epochs = options.epochs ?? 2000;
  const lr = options.learningRate ?? 0.05;
  const d = prior.weights.length;
  for (const [i, row] of rows.entries()) {
    if (row.features.length !== d)
      throw new Error(`training row ${i}: expected ${d} features, got ${row.features.length}`);
    if (row.label !== 0 && row.label !== 1) throw new Error(`training row ${i}: label must be 0 or 1`);
    if (row.features.some((v) => !Number.isFinite(v)))
      throw new Error(`training row ${i}: features must be finite numbers`);
  }
  const positives = rows.filter((r) => r.label === 1).length;
  const w = prior.weights.slice();
  let b = prior.bias;
  if (rows.length === 0) return { ...prior, weights: w };
  const totalWeight = rows.reduce((s, r) => s + (r.weight ?? 1), 0);
  // Adam keeps one learning rate workable across features of different scales.
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const grad = new Float64Array(d + 1);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    grad.fill(0);
    for (const row of rows) {
      const p = scoreFeatures({ ...prior, weights: w, bias: b }, row.features);
      const err = (p - row.label) * (row.weight ?? 1);
      for (let j = 0; j < d; j++) grad[j] = (grad[j] as number) + err * (row.features[j] as number);
      grad[d] = (grad[d] as number) + err;
    }
    for (let j = 0; j <= d; j++) {
      const current = j < d ? (w[j] as number) : b;
      const anchor = j < d ? (prior.weights[j] as number) : prior.bias;
      const g = (grad[j] as number) / totalWeight + (l2 / totalWeight) * (current - anchor);
      m[j] = 0.9 * (m[j] as number) + 0.1 * g;
      v[j] = 0.999 * (v[j] as number) + 0.001 * g * g;
      const mHat = (m[j] as number) / (1 - 0.9 ** epoch);
      const vHat = (v[j] as number) / (1 - 0.999 ** epoch);
      const step = (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
      if (j < d) w[j] = current - step;
      else b = current - step;
    }
  }
  return {
    version: 1,
    features: prior.features,
    weights: w.map((x) => Math.round(x * 1e4) / 1e4),
    bias: Math.round(b * 1e4) / 1e4,
    trainedOn: { examples: rows.length, positives, at: options.at ?? new Date().toISOString(), l2 },
  };
}

const modelSchema = z.strictObject({
  version: z.literal(1),
  id: z.string().min(1).max(200).optional(),
  features: z.array(z.string()),
  weights: z.array(z.number().refine(Number.isFinite, 'must be finite')),
  bias: z.number().refine(Number.isFinite, 'must be finite'),
  trainedOn: z.strictObject({ examples: z.number(), positives: z.number(), at: z.string(), l2: z.number() }).optional(),
});

/** Checks a model loaded from JSON against this engine's feature list; throws naming the problem. */
export function validateModel(json: unknown): RiskModel {
  const parsed = modelSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`invalid model: ${zodProblems(parsed.error.issues).join('; ')}`);
  }
  const model = parsed.data;
  // A model saved before later features were added loads with those features weighed 0.
  if (
    model.features.length < CONVERSATION_FEATURES.length &&
    model.weights.length === model.features.length &&
    model.features.every((f, i) => f === CONVERSATION_FEATURES[i])
  ) {
    const missing = CONVERSATION_FEATURES.length - model.features.length;
    model.features = [...CONVERSATION_FEATURES];
    model.weights = [...model.weights, ...new Array<number>(missing).fill(0)];
  }
  if (
    model.features.length !== CONVERSATION_FEATURES.length ||
    model.features.some((f, i) => f !== CONVERSATION_FEATURES[i])
  ) {
    throw new Error(
      `invalid model: its features do not match this engine's (${CONVERSATION_FEATURES.length} expected, in order)`,
    );
  }
  if (model.weights.length !== model.features.length) {
    throw new Error(`invalid model: ${model.weights.length} weights for ${model.features.length} features`);
  }
  return model as RiskModel;
}
