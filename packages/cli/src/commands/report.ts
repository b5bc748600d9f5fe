// `lifeguard report FILE --html OUT`: a self-contained triage report of a chat log or export for a
// person to read: timeline, participants, flagged messages with their spans, stages, risk over time.
import { writeFile } from 'node:fs/promises';
import { DetectionEngine, detectSignals, type LifeguardEvent } from '@lifeguard/core';
import { formatIssue, UnusableInputError, type InputFormat } from '../input/types.ts';
import { loadModel, runPipeline } from '../pipeline.ts';
import type { RiskPoint } from '../report/chart.ts';
import { renderReport, type ReportConversation, type ReportData, type TimelineMessage } from '../report/html.ts';
import { terminalSafe } from '../terminal.ts';

export interface ReportOptions {
  html: string;
  format: InputFormat | 'auto';
  ages: Map<string, number>;
  minScore: number;
  limit: number;
  model?: string;
  progress: boolean;
  maxErrors: number;
}

/** Message texts kept for timelines; past it only flagged messages are kept (the rest are counted). */
export const MAX_TIMELINE_MESSAGES = 50_000;

export async function buildReport(
  file: string,
  options: Omit<ReportOptions, 'html'>,
  printIssue?: ((line: string) => void) | null,
): Promise<ReportData> {
  const model = options.model ? await loadModel(options.model) : undefined;
  const engine = new DetectionEngine({
    ...(model ? { model } : {}),
    alertThreshold: options.minScore,
    actorAlertThreshold: options.minScore,
  });
  const timelines = new Map<
    string,
    { messages: TimelineMessage[]; risk: RiskPoint[]; omitted: number; flagged: number }
  >();
  let kept = 0;
  const result = await runPipeline({
    file,
    format: options.format,
    engine,
    progress: options.progress,
    maxPrintedIssues: options.maxErrors,
    ...(printIssue !== undefined ? { printIssue } : {}),
    ages: options.ages,
    onProcessed: (event: LifeguardEvent) => {
      if (event.type !== 'message') return;
      let t = timelines.get(event.conversationId);
      if (!t) {
        t = { messages: [], risk: [], omitted: 0, flagged: 0 };
        timelines.set(event.conversationId, t);
      }
      const time = typeof event.time === 'number' ? event.time : Date.parse(event.time);
      const score = engine.conversationScore(event.conversationId);
      // Only where the score changes: a step line needs nothing more, and a long log stays small.
      const last = t.risk[t.risk.length - 1];
      if (!last || last.score !== score) t.risk.push({ time, score });
      const signals = detectSignals(event.text).map((s) => ({
        kind: s.kind,
        start: s.start,
        end: s.end,
        excerpt: s.excerpt,
        stage: s.stage,
      }));
      if (signals.length > 0) t.flagged++;
      if (kept >= MAX_TIMELINE_MESSAGES && signals.length === 0) {
        t.omitted++;
        return;
      }
      kept++;
      t.messages.push({
        id: event.id,
        time,
        sender: event.senderId,
        text: event.text,
        attachments: (event.attachments ?? []).map((a) => a.kind),
        signals,
        scoreAfter: score,
      });
    },
  });
  const conversations: ReportConversation[] = [];
  for (const [id, t] of timelines) {
    const report = engine.conversationReport(id);
    if (!report) continue;
    const last = t.risk[t.risk.length - 1];
    if (last && last.time < report.lastAt) t.risk.push({ time: report.lastAt, score: last.score });
    conversations.push({ report, messages: t.messages, risk: t.risk, omitted: t.omitted, flaggedCount: t.flagged });
  }
  conversations.sort(
    (a, b) => b.report.score - a.report.score || (a.report.conversationId < b.report.conversationId ? -1 : 1),
  );
  return {
    file,
    format: result.format,
    detail: result.detail,
    generatedAt: Date.now(),
    minScore: options.minScore,
    limit: options.limit,
    stats: result.stats,
    issues: result.issues.map(formatIssue),
    issueCount: result.issueCount,
    fatal: result.fatal,
    declaredAges: [...options.ages],
    conversations,
  };
}

/** Returns the exit code: 0 written, 2 unusable input (a partial report is still written if anything was read). */
export async function reportCommand(
  file: string,
  options: ReportOptions,
  out: (text: string) => void = console.log,
): Promise<number> {
  const data = await buildReport(file, options);
  if (data.format === null && data.fatal) {
    process.stderr.write(`error: ${terminalSafe(data.fatal)}\n`);
    return 2;
  }
  try {
    await writeFile(options.html, renderReport(data));
  } catch (error) {
    throw new UnusableInputError(
      `${options.html}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const flagged = data.conversations.reduce((n, c) => n + c.flaggedCount, 0);
  const above = data.conversations.filter((c) => c.report.score >= data.minScore).length;
  out(
    terminalSafe(
      `Wrote ${options.html}: ${data.detail ?? `${data.format} layout`}; ${data.conversations.length} conversation${data.conversations.length === 1 ? '' : 's'} ` +
        `(${above} scoring ${data.minScore} or more), ${flagged} flagged message${flagged === 1 ? '' : 's'}.`,
    ),
  );
  if (data.fatal) {
    process.stderr.write(`error: ${terminalSafe(data.fatal)} (the report covers what was read before that)\n`);
    return 2;
  }
  return 0;
}
