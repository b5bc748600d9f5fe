// Feeds an input file through a DetectionEngine, reporting bad input as it goes. Shared by
// scan, eval and train so that all three read files the same way.
import { readFile } from 'node:fs/promises';
import {
  type DetectionEngine,
  parseEvent,
  validateModel,
  type Alert,
  type LifeguardEvent,
  type RiskModel,
} from '@lifeguard/core';
import { openInput } from './input/source.ts';
import {
  DEFAULT_MAX_PRINTED_ISSUES,
  formatIssue,
  UnusableInputError,
  type InputFormat,
  type InputIssue,
  type ReaderStats,
} from './input/types.ts';
import { createProgress } from './progress.ts';

export interface PipelineOptions {
  file: string;
  format?: InputFormat | 'auto';
  engine: DetectionEngine;
  progress?: boolean;
  /** How many problems to print on stderr before only counting them. */
  maxPrintedIssues?: number;
  /** Keep this many problems in the result (for --json). */
  maxKeptIssues?: number;
  /** Where problems are printed; default stderr. Null: not printed. */
  printIssue?: ((line: string) => void) | null;
  onAlert?: (alert: Alert, event: LifeguardEvent) => void;
  onEvent?: (event: LifeguardEvent) => void;
  /** The engine has taken the event in (its scores now include it). */
  onProcessed?: (event: LifeguardEvent) => void;
  /** A conversation block ended (PAN): the engine has seen all its messages. */
  onConversationEnd?: (conversationId: string) => void;
  /** Ages declared on the command line (--age NAME=13): chat exports carry none. */
  ages?: ReadonlyMap<string, number>;
}

export interface PipelineResult {
  file: string;
  format: InputFormat | null;
  /** For chat exports: which app and variant was found. */
  detail: string | null;
  stats: ReaderStats;
  /** Problems kept (the first maxKeptIssues); issueCount counts all. */
  issues: InputIssue[];
  issueCount: number;
  alertCount: number;
  /** Set when the input became unusable; everything before it was still processed. */
  fatal: string | null;
  elapsedMs: number;
}

export { DEFAULT_MAX_PRINTED_ISSUES };

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const started = performance.now();
  const maxPrinted = options.maxPrintedIssues ?? DEFAULT_MAX_PRINTED_ISSUES;
  const maxKept = options.maxKeptIssues ?? 1000;
  const result: PipelineResult = {
    file: options.file,
    format: null,
    detail: null,
    stats: { records: 0, events: 0, skipped: 0, warnings: 0, conversations: 0 },
    issues: [],
    issueCount: 0,
    alertCount: 0,
    fatal: null,
    elapsedMs: 0,
  };
  let progress = createProgress(0, false);
  const print = options.printIssue === undefined ? (line: string) => progress.log(line) : options.printIssue;
  const onIssue = (issue: InputIssue) => {
    result.issueCount++;
    if (result.issues.length < maxKept) result.issues.push(issue);
    if (!print) return;
    if (result.issueCount <= maxPrinted) print(formatIssue(issue));
    else if (result.issueCount === maxPrinted + 1)
      print(`${options.file}: more problems; only counting them from here (see the summary)`);
  };
  try {
    const input = await openInput(options.file, {
      file: options.file,
      format: options.format ?? 'auto',
      onIssue,
      onBytes: (bytes) => progress.update(bytes),
    });
    result.format = input.format;
    result.detail = input.detail ?? null;
    result.stats = input.stats;
    progress = createProgress(input.size, options.progress ?? true);
    const engine = options.engine;
    const ages = options.ages ?? new Map<string, number>();
    const unseen = new Set(ages.keys());
    for (const event of declaredAgeEvents(ages)) {
      options.onEvent?.(event);
      engine.process(event);
    }
    try {
      for await (const batch of input.items) {
        for (const item of batch) {
          if (item.kind === 'conversation-end') {
            options.onConversationEnd?.(item.conversationId);
            continue;
          }
          if (unseen.size > 0 && item.event.type === 'message') {
            unseen.delete(item.event.senderId);
            for (const r of item.event.recipientIds) unseen.delete(r);
          }
          options.onEvent?.(item.event);
          let alerts: Alert[];
          try {
            alerts = engine.process(item.event);
          } catch (error) {
            // The reader validated the event; an engine refusal (e.g. a duplicate id) skips just this one.
            input.stats.events--;
            input.stats.skipped++;
            onIssue({
              file: item.file ?? options.file,
              line: item.line,
              severity: 'error',
              message: `engine rejected event: ${(error as Error).message}`,
            });
            continue;
          }
          options.onProcessed?.(item.event);
          for (const alert of alerts) {
            result.alertCount++;
            options.onAlert?.(alert, item.event);
          }
        }
      }
    } finally {
      progress.stop();
    }
    for (const name of unseen) {
      result.stats.warnings++;
      onIssue({
        file: options.file,
        line: 0,
        severity: 'warning',
        message: `--age ${name}=${ages.get(name)}: nobody called "${name}" in this input (names are matched exactly, as the export writes them)`,
      });
    }
  } catch (error) {
    if (!(error instanceof UnusableInputError)) throw error;
    result.fatal = error.message;
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

/**
 * Account events for ages declared on the command line, sent before the first message. Their time
 * is the epoch so that the account does not look newly created (creation is not known either).
 */
export function declaredAgeEvents(ages: ReadonlyMap<string, number>): LifeguardEvent[] {
  return [...ages].map(([userId, age]) => {
    const parsed = parseEvent({ type: 'account', id: `declared-age:${userId}`, time: 0, userId, age });
    if (!parsed.ok) throw new UnusableInputError(`--age ${userId}=${age}: ${parsed.error.message}`);
    return parsed.event;
  });
}

/** Parses one --age NAME=AGE (the name may itself contain "="; the last one separates). */
export { parseAgeOption } from './ageOption.ts';

/** Loads and validates a model file written by `lifeguard train`. */
export async function loadModel(path: string): Promise<RiskModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnusableInputError(
      code === 'ENOENT' ? `${path}: model file not found` : `${path}: cannot read model (${code})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnusableInputError(`${path}: model is not valid JSON (${(error as Error).message})`);
  }
  try {
    return validateModel(json);
  } catch (error) {
    throw new UnusableInputError(`${path}: not a usable model: ${(error as Error).message}`);
  }
}
