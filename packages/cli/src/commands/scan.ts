// `lifeguard scan FILE`: which conversations and accounts in a chat log deserve a human look, and why.
import { DetectionEngine, type ActorRiskReport, type Alert, type ConversationRiskReport } from '@lifeguard/core';
import { formatIssue, type InputFormat } from '../input/types.ts';
import { loadModel, runPipeline, type PipelineResult } from '../pipeline.ts';
import { clean, renderActor, renderAlert, renderConversation } from '../render.ts';
import { terminalSafe } from '../terminal.ts';

export interface ScanOptions {
  format: InputFormat | 'auto';
  /** Ages declared with --age NAME=AGE. */
  ages?: Map<string, number>;
  json: boolean;
  minScore: number;
  limit: number;
  model?: string;
  progress: boolean;
  maxErrors: number;
}

export interface ScanOutput {
  file: string;
  format: InputFormat | null;
  /** Chat exports: which app and variant was found. */
  layout: string | null;
  completed: boolean;
  error: string | null;
  summary: {
    records: number;
    events: number;
    skipped: number;
    warnings: number;
    conversations: number;
    actors: number;
    messages: number;
    alerts: number;
    minScore: number;
    seconds: number;
  };
  conversations: ConversationRiskReport[];
  actors: ActorRiskReport[];
  alerts: Alert[];
  alertsTruncated: boolean;
  issues: string[];
}

const MAX_ALERTS_KEPT = 1000;

/** Returns the process exit code: 0 scan completed (even with skipped lines), 2 unusable input. */
export async function scanCommand(
  file: string,
  options: ScanOptions,
  out: (text: string) => void = console.log,
): Promise<number> {
  const model = options.model ? await loadModel(options.model) : undefined;
  const engine = new DetectionEngine({
    ...(model ? { model } : {}),
    alertThreshold: options.minScore,
    actorAlertThreshold: options.minScore,
  });
  const alerts: Alert[] = [];
  const result = await runPipeline({
    file,
    format: options.format,
    engine,
    progress: options.progress,
    maxPrintedIssues: options.maxErrors,
    ...(options.ages ? { ages: options.ages } : {}),
    onAlert: (alert) => {
      if (alerts.length < MAX_ALERTS_KEPT) alerts.push(alert);
    },
  });
  const conversations = engine.topConversations(options.limit, options.minScore);
  // An age declared with --age says nothing of when the account was made: its account age is unknown.
  const actors = engine
    .topActors(options.limit, options.minScore)
    .map((a) => (options.ages?.has(a.userId) ? { ...a, accountAgeDays: null } : a));
  const stats = engine.stats();
  const output: ScanOutput = {
    file,
    format: result.format,
    layout: result.detail,
    completed: result.fatal === null,
    error: result.fatal,
    summary: {
      records: result.stats.records,
      events: result.stats.events,
      skipped: result.stats.skipped,
      warnings: result.stats.warnings,
      conversations: stats.conversations,
      actors: stats.actors,
      messages: stats.messages,
      alerts: result.alertCount,
      minScore: options.minScore,
      seconds: Math.round(result.elapsedMs) / 1000,
    },
    conversations,
    actors,
    alerts,
    alertsTruncated: result.alertCount > alerts.length,
    issues: result.issues.map(formatIssue),
  };
  if (options.json) out(JSON.stringify(output, null, 2));
  else out(renderScan(output, result));
  if (result.fatal) process.stderr.write(`error: ${terminalSafe(result.fatal)}\n`);
  return result.fatal ? 2 : 0;
}

export function renderScan(output: ScanOutput, result: PipelineResult): string {
  const s = output.summary;
  const lines: string[] = [];
  lines.push(
    `Lifeguard scan of ${clean(output.file, 200)} (${output.layout ? clean(output.layout, 300) : `${output.format ?? 'unknown'} layout`})`,
  );
  lines.push(
    `  ${s.events} events read, ${s.skipped} skipped${s.warnings ? `, ${s.warnings} warnings` : ''}; ` +
      `${s.conversations} conversations, ${s.actors} accounts, ${s.messages} messages; ${s.alerts} alerts; ${s.seconds.toFixed(1)} s`,
  );
  if (!output.completed) lines.push(`  STOPPED EARLY: ${output.error}. Results below cover what was read before that.`);
  lines.push('');
  if (output.conversations.length === 0) {
    lines.push(`No conversation scored ${s.minScore} or more.`);
  } else {
    lines.push(
      `Conversations scoring ${s.minScore} or more (highest first, at most ${output.conversations.length} shown):`,
    );
    lines.push('');
    output.conversations.forEach((report, i) => {
      lines.push(renderConversation(report, i + 1));
      lines.push('');
    });
  }
  if (output.actors.length === 0) {
    lines.push(`No account scored ${s.minScore} or more.`);
  } else {
    lines.push(`Accounts scoring ${s.minScore} or more:`);
    lines.push('');
    output.actors.forEach((report, i) => {
      lines.push(renderActor(report, i + 1));
      lines.push('');
    });
  }
  if (output.alerts.length > 0) {
    const shown = output.alerts.slice(0, 20);
    lines.push(`Alerts, in the order they would have fired live (${shown.length} of ${s.alerts}):`);
    for (const alert of shown) lines.push(renderAlert(alert));
    lines.push('');
  }
  if (result.stats.skipped > 0 || result.stats.warnings > 0) {
    lines.push(
      `Input problems: ${result.stats.skipped} record${result.stats.skipped === 1 ? '' : 's'} skipped, ${result.stats.warnings} warning${result.stats.warnings === 1 ? '' : 's'} (details on stderr).`,
    );
  }
  lines.push(
    'A score is a reason for a trained person to review the conversation, never a verdict or a report by itself.',
  );
  return lines.join('\n');
}
