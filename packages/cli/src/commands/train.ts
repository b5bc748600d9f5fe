// `lifeguard train`: fits the conversation risk model to labelled data, e.g. moderators' confirmed
// and dismissed cases exported as labels, so that their decisions feed back into scoring.
import { writeFile } from 'node:fs/promises';
import { DEFAULT_MODEL, DetectionEngine, scoreFeatures, trainModel, type TrainingRow } from '@lifeguard/core';
import { readConversationLabels, readIdList, type ConversationLabel } from '../input/labels.ts';
import { formatIssue, UnusableInputError, type InputFormat, type InputIssue } from '../input/types.ts';
import { rocAuc } from '../metrics.ts';
import { loadModel, runPipeline } from '../pipeline.ts';
import { clean, formatNumber } from '../render.ts';
import { terminalSafe } from '../terminal.ts';

export interface TrainOptionsCli {
  predators?: string;
  labels?: string;
  out: string;
  model?: string;
  /** The name the model records with every score (RiskModel.id). */
  id?: string;
  format: InputFormat | 'auto';
  progress: boolean;
  maxErrors: number;
  json: boolean;
  /** Weigh classes so that harmful and benign conversations count equally in total. */
  balance: boolean;
}

export interface TrainSummary {
  file: string;
  out: string;
  completed: boolean;
  error: string | null;
  rows: number;
  harmful: number;
  benign: number;
  labelledButUnseen: number;
  /** Ranking quality on the training rows themselves (optimistic; for a sanity check only). */
  trainingAucBefore: number | null;
  trainingAucAfter: number | null;
}

export async function train(file: string, options: TrainOptionsCli): Promise<TrainSummary> {
  const printIssue = (issue: InputIssue) => process.stderr.write(`${formatIssue(issue)}\n`);
  if (options.id !== undefined && (options.id.trim() === '' || options.id.length > 200)) {
    throw new UnusableInputError(
      `--id must be 1 to 200 characters (got ${JSON.stringify(options.id.slice(0, 40))}${options.id.length > 40 ? '...' : ''})`,
    );
  }
  if (!options.predators === !options.labels) {
    throw new UnusableInputError('train needs exactly one of --predators IDS.txt (PAN logs) or --labels LABELS.jsonl');
  }
  const predators = options.predators ? await readIdList(options.predators, printIssue) : null;
  const labels: Map<string, ConversationLabel> | null = options.labels
    ? await readConversationLabels(options.labels, printIssue)
    : null;
  const startModel = options.model ? await loadModel(options.model) : undefined;
  const engine = new DetectionEngine({ ...(startModel ? { model: startModel } : {}) });

  const rows: TrainingRow[] = [];
  const labelOf = new Map<string, ConversationLabel>();
  const done = new Set<string>();

  const collect = (conversationId: string) => {
    if (done.has(conversationId)) return;
    const label = labels ? labels.get(conversationId) : (labelOf.get(conversationId) ?? 0);
    if (label === undefined) return;
    const features = engine.conversationFeatures(conversationId);
    if (!features) return;
    done.add(conversationId);
    rows.push({ features: [...features], label });
  };

  const pipeline = await runPipeline({
    file,
    format: options.format,
    engine,
    progress: options.progress,
    maxPrintedIssues: options.maxErrors,
    onEvent: (event) => {
      if (predators && event.type === 'message' && predators.has(event.senderId)) labelOf.set(event.conversationId, 1);
    },
    onConversationEnd: collect,
  });
  // JSONL: conversations interleave, so features are read once the whole file is in.
  const ids = labels ? [...labels.keys()] : [...engine.conversationIds()];
  for (const id of ids) collect(id);

  if (pipeline.fatal)
    throw new UnusableInputError(`${pipeline.fatal}; no model written (training on part of a file would go unnoticed)`);
  const harmful = rows.filter((r) => r.label === 1).length;
  const benign = rows.length - harmful;
  if (harmful === 0 || benign === 0) {
    throw new UnusableInputError(
      `cannot train: need both harmful and benign conversations (found ${harmful} harmful, ${benign} benign)`,
    );
  }
  if (options.balance) {
    // Rare positives would otherwise barely move the fit.
    const harmfulWeight = rows.length / (2 * harmful);
    const benignWeight = rows.length / (2 * benign);
    for (const row of rows) row.weight = row.label === 1 ? harmfulWeight : benignWeight;
  }
  const prior = startModel ?? DEFAULT_MODEL;
  const fitted = trainModel(rows, { prior });
  // A new fit is a new model: it never inherits the starting model's id.
  const { id: _priorId, ...rest } = fitted;
  const model = options.id !== undefined ? { ...rest, id: options.id } : rest;
  await writeFile(options.out, `${JSON.stringify(model, null, 2)}\n`);
  // Check the written file loads, and how the fit ranks its own training rows (optimistic).
  const written = await loadModel(options.out);
  const labelsColumn = rows.map((r) => r.label);
  const aucOf = (m: typeof prior) =>
    rocAuc(
      rows.map((r) => scoreFeatures(m, r.features)),
      labelsColumn,
    );
  return {
    file,
    out: options.out,
    completed: pipeline.fatal === null,
    error: pipeline.fatal,
    rows: rows.length,
    harmful,
    benign,
    labelledButUnseen: labels ? [...labels.keys()].filter((id) => !done.has(id)).length : 0,
    trainingAucBefore: aucOf(prior),
    trainingAucAfter: aucOf(written),
  };
}

export async function trainCommand(
  file: string,
  options: TrainOptionsCli,
  out: (text: string) => void = console.log,
): Promise<number> {
  const summary = await train(file, options);
  if (options.json) {
    out(JSON.stringify(summary, null, 2));
  } else {
    out(
      [
        `Trained on ${summary.rows} conversations from ${clean(file, 200)} (${summary.harmful} harmful, ${summary.benign} benign).`,
        summary.labelledButUnseen > 0
          ? `${summary.labelledButUnseen} labelled conversations were not in the file.`
          : '',
        `Training-set ROC-AUC with the starting model: ${formatNumber(summary.trainingAucBefore)}; with the new one: ${formatNumber(summary.trainingAucAfter)} (optimistic: same data).`,
        `Model written to ${clean(summary.out, 200)}. Use it with: lifeguard scan FILE --model ${clean(summary.out, 200)}, or lifeguard serve --model ${clean(summary.out, 200)}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  if (summary.error) process.stderr.write(`error: ${terminalSafe(summary.error)}\n`);
  return summary.completed ? 0 : 2;
}
