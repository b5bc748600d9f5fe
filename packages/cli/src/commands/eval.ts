// `lifeguard eval FILE --predators IDS.txt`: how well the engine separates offenders from everyone
// else on a labelled chat log. Streams the file: it holds one final score per conversation and one
// entry per author, never the messages.
import { DetectionEngine, type RiskModel } from '@lifeguard/core';
import { readConversationLabels, readIdList, type ConversationLabel } from '../input/labels.ts';
import { formatIssue, UnusableInputError, type InputFormat, type InputIssue } from '../input/types.ts';
import { fBeta, median, NumberColumn, perThousand, precision, recall, rocAuc, type Confusion } from '../metrics.ts';
import { loadModel, runPipeline } from '../pipeline.ts';
import { clean, formatNumber } from '../render.ts';
import { terminalSafe } from '../terminal.ts';

export interface EvalOptions {
  predators?: string;
  labels?: string;
  threshold: number;
  json: boolean;
  model?: string;
  format: InputFormat | 'auto';
  progress: boolean;
  maxErrors: number;
}

export interface EvalResult {
  file: string;
  threshold: number;
  completed: boolean;
  error: string | null;
  input: { events: number; skipped: number; warnings: number };
  authors: {
    seen: number;
    offendersListed: number;
    offendersSeen: number;
    predictedPositive: number;
    truePositives: number;
    falsePositives: number;
    falseNegatives: number;
    precision: number | null;
    recall: number | null;
    f05: number | null;
    f1: number | null;
  } | null;
  conversations: {
    total: number;
    positive: number;
    flagged: number;
    flaggedPerThousand: number | null;
    /** Flagged conversations per 1,000 among those without an offender: the false-positive rate. */
    falseFlagsPerThousandNegatives: number | null;
    alerted: number;
    precision: number | null;
    recall: number | null;
    rocAuc: number | null;
    /** Median Alert.messagesRead of the first conversation alert, over positive conversations that alerted. */
    medianMessagesBeforeAlert: number | null;
    positivesAlerted: number;
  };
  seconds: number;
}

interface OpenConversationState {
  positive: boolean;
  alerted: boolean;
  firstAlertMessagesRead: number | null;
}

export async function evaluate(
  file: string,
  options: EvalOptions,
  printIssue?: ((line: string) => void) | null,
): Promise<EvalResult> {
  const onLabelIssue = (issue: InputIssue) => {
    if (printIssue === null) return;
    (printIssue ?? ((line: string) => process.stderr.write(`${line}\n`)))(formatIssue(issue));
  };
  if (!options.predators && !options.labels)
    throw new UnusableInputError('eval needs --predators IDS.txt (author ids) or --labels LABELS.jsonl');
  const predators = options.predators ? await readIdList(options.predators, onLabelIssue) : null;
  const labels: Map<string, ConversationLabel> | null = options.labels
    ? await readConversationLabels(options.labels, onLabelIssue)
    : null;
  let model: RiskModel | undefined;
  if (options.model) model = await loadModel(options.model);
  const threshold = options.threshold;
  const engine = new DetectionEngine({
    ...(model ? { model } : {}),
    alertThreshold: threshold,
    actorAlertThreshold: threshold,
  });

  const open = new Map<string, OpenConversationState>();
  const scores = new NumberColumn();
  const positives = new NumberColumn();
  const messagesBeforeAlert: number[] = [];
  const authorsSeen = new Set<string>();
  const predictedAuthors = new Set<string>();
  let flagged = 0;
  let flaggedNegatives = 0;
  let alerted = 0;
  let truePositiveConversations = 0;

  const finish = (conversationId: string) => {
    const state = open.get(conversationId);
    if (!state) return;
    open.delete(conversationId);
    const positive = labels ? labels.get(conversationId) === 1 : state.positive;
    if (labels && !labels.has(conversationId)) return; // unlabelled: not part of the evaluation
    const score = engine.conversationScore(conversationId) ?? 0;
    scores.push(score);
    positives.push(positive ? 1 : 0);
    const isFlagged = score >= threshold;
    if (isFlagged) flagged++;
    if (isFlagged && !positive) flaggedNegatives++;
    if (isFlagged && positive) truePositiveConversations++;
    if (state.alerted) alerted++;
    if (positive && state.firstAlertMessagesRead !== null) messagesBeforeAlert.push(state.firstAlertMessagesRead);
    if (predators && (isFlagged || state.alerted)) {
      const suspect = engine.conversationReport(conversationId)?.suspectId;
      if (suspect) predictedAuthors.add(suspect);
    }
  };

  const pipeline = await runPipeline({
    file,
    format: options.format,
    engine,
    progress: options.progress,
    maxPrintedIssues: options.maxErrors,
    ...(printIssue !== undefined ? { printIssue } : {}),
    onEvent: (event) => {
      if (event.type !== 'message') return;
      authorsSeen.add(event.senderId);
      let state = open.get(event.conversationId);
      if (!state) {
        state = { positive: false, alerted: false, firstAlertMessagesRead: null };
        open.set(event.conversationId, state);
      }
      if (predators?.has(event.senderId)) state.positive = true;
    },
    onAlert: (alert) => {
      if (alert.kind !== 'conversation') return;
      const state = open.get(alert.subjectId);
      if (!state || state.alerted) return;
      state.alerted = true;
      state.firstAlertMessagesRead = alert.messagesRead;
    },
    onConversationEnd: finish,
  });
  // Interleaved layouts (JSONL) end every conversation at the end of the file.
  for (const id of [...open.keys()]) finish(id);

  let authors: EvalResult['authors'] = null;
  if (predators) {
    for (const userId of engine.actorIds()) {
      if ((engine.actorScore(userId) ?? 0) >= threshold) predictedAuthors.add(userId);
    }
    const offendersSeen = [...predators].filter((id) => authorsSeen.has(id));
    const confusion: Confusion = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
    for (const id of predictedAuthors) {
      if (predators.has(id)) confusion.truePositives++;
      else confusion.falsePositives++;
    }
    confusion.falseNegatives = offendersSeen.length - confusion.truePositives;
    authors = {
      seen: authorsSeen.size,
      offendersListed: predators.size,
      offendersSeen: offendersSeen.length,
      predictedPositive: predictedAuthors.size,
      ...confusion,
      precision: precision(confusion),
      recall: recall(confusion),
      f05: fBeta(confusion, 0.5),
      f1: fBeta(confusion, 1),
    };
  }

  const total = scores.length;
  let positiveCount = 0;
  for (const label of positives.view()) positiveCount += label;
  const conversationConfusion: Confusion = {
    truePositives: truePositiveConversations,
    falsePositives: flaggedNegatives,
    falseNegatives: positiveCount - truePositiveConversations,
  };
  return {
    file,
    threshold,
    completed: pipeline.fatal === null,
    error: pipeline.fatal,
    input: { events: pipeline.stats.events, skipped: pipeline.stats.skipped, warnings: pipeline.stats.warnings },
    authors,
    conversations: {
      total,
      positive: positiveCount,
      flagged,
      flaggedPerThousand: perThousand(flagged, total),
      falseFlagsPerThousandNegatives: perThousand(flaggedNegatives, total - positiveCount),
      alerted,
      precision: precision(conversationConfusion),
      recall: recall(conversationConfusion),
      rocAuc: rocAuc(scores.view(), positives.view()),
      medianMessagesBeforeAlert: median(messagesBeforeAlert),
      positivesAlerted: messagesBeforeAlert.length,
    },
    seconds: Math.round(pipeline.elapsedMs) / 1000,
  };
}

export async function evalCommand(
  file: string,
  options: EvalOptions,
  out: (text: string) => void = console.log,
): Promise<number> {
  const result = await evaluate(file, options);
  if (options.json) out(JSON.stringify(result, null, 2));
  else out(renderEval(result));
  if (result.error) process.stderr.write(`error: ${terminalSafe(result.error)}\n`);
  return result.completed ? 0 : 2;
}

export function renderEval(r: EvalResult): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const lines: string[] = [];
  lines.push(`Lifeguard evaluation of ${clean(r.file, 200)} at threshold ${r.threshold}`);
  lines.push(`  ${r.input.events} events read, ${r.input.skipped} skipped; ${r.seconds.toFixed(1)} s`);
  if (!r.completed) lines.push(`  STOPPED EARLY: ${r.error}. Figures cover what was read before that.`);
  if (r.authors) {
    const a = r.authors;
    lines.push('');
    lines.push('Authors (predicted offender: account score >= threshold, or suspect of a flagged conversation)');
    lines.push(`  authors seen            ${a.seen}`);
    lines.push(`  offenders in the file   ${a.offendersSeen} (of ${a.offendersListed} listed)`);
    lines.push(
      `  predicted offenders     ${a.predictedPositive}  (TP ${a.truePositives}, FP ${a.falsePositives}, FN ${a.falseNegatives})`,
    );
    lines.push(`  precision               ${pct(a.precision)}`);
    lines.push(`  recall                  ${pct(a.recall)}`);
    lines.push(`  F0.5                    ${formatNumber(a.f05)}`);
    lines.push(`  F1                      ${formatNumber(a.f1)}`);
  }
  const c = r.conversations;
  lines.push('');
  lines.push('Conversations (positive: contains an offender / labelled harmful)');
  lines.push(`  conversations           ${c.total} (${c.positive} positive)`);
  lines.push(`  ROC-AUC                 ${formatNumber(c.rocAuc)}`);
  lines.push(
    `  flagged (score >= T)    ${c.flagged} = ${formatNumber(c.flaggedPerThousand, 2)} per 1,000 conversations`,
  );
  lines.push(
    `  false flags             ${formatNumber(c.falseFlagsPerThousandNegatives, 2)} per 1,000 conversations without an offender`,
  );
  lines.push(`  precision / recall      ${pct(c.precision)} / ${pct(c.recall)}`);
  lines.push(
    `  median messages read before the first alert (positives that alerted: ${c.positivesAlerted}): ${formatNumber(c.medianMessagesBeforeAlert, 1)}`,
  );
  return lines.join('\n');
}
