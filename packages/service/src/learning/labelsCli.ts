// `lifeguard labels export`: the console's decisions as a labels file (and the events behind them) for
// `lifeguard train`. Run where the database is reachable.
import type { Command } from 'commander';
import type { Storage } from '@lifeguard/storage';
import { exportLabels, LabelsExportError, type LabelsExportSummary } from './labelsExport.ts';

function parseSince(value: string | undefined, refuse: (message: string) => never): number | undefined {
  if (value === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(t)) refuse(`--since must be a date such as 2026-11-01 or 2026-11-01T12:00:00Z (got "${value}")`);
  return t;
}

export function registerLabelCommands(
  program: Command,
  helpers: {
    defaultDatabase: () => string;
    openOrExit: (database: string) => Promise<Storage>;
    refuse: (message: string) => never;
  },
): void {
  const labels = program.command('labels').description("moderators' decisions as training labels for lifeguard train");
  labels
    .command('export')
    .description('write actioned cases\' conversations as "harmful" and dismissed ones as "benign", with their events')
    .requiredOption('--tenant <id>', 'platform (tenant) id')
    .requiredOption(
      '--out <labels.jsonl>',
      'labels file: {"conversationId", "label", "caseIds", "decidedAt", "modelId"} per line',
    )
    .option(
      '--events <events.jsonl>',
      "also write the labelled conversations' events (messages and declared ages) for lifeguard train",
    )
    .option('--since <date>', 'only cases decided on or after this date')
    .option('--json', 'print the summary as JSON', false)
    .option(
      '--database <path-or-url>',
      'SQLite file or postgres:// URL',
      process.env.LIFEGUARD_DATABASE ?? helpers.defaultDatabase(),
    )
    .action(
      async (opts: {
        tenant: string;
        out: string;
        events?: string;
        since?: string;
        json: boolean;
        database: string;
      }) => {
        const since = parseSince(opts.since, helpers.refuse);
        const storage = await helpers.openOrExit(opts.database);
        let summary: LabelsExportSummary;
        try {
          summary = await exportLabels(storage, {
            tenantId: opts.tenant,
            labelsOut: opts.out,
            ...(opts.events ? { eventsOut: opts.events } : {}),
            ...(since !== undefined ? { since } : {}),
          });
        } catch (err) {
          if (err instanceof LabelsExportError) helpers.refuse(err.message);
          throw err;
        } finally {
          await storage.close();
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          return;
        }
        const lines = [
          `${summary.labels.harmful + summary.labels.benign} labelled conversations (${summary.labels.harmful} harmful, ${summary.labels.benign} benign) ` +
            `from ${summary.cases.actioned} actioned and ${summary.cases.dismissed} dismissed cases, written to ${opts.out}.`,
          summary.conflicts > 0
            ? `${summary.conflicts} conversations were in both an actioned and a dismissed case: labelled harmful.`
            : '',
          opts.events
            ? `${summary.events.messages} messages and ${summary.events.accounts} account events written to ${opts.events}.`
            : '',
          summary.leftOut > 0 ? `${summary.leftOut} conversations left out: retention removed all their text.` : '',
          summary.messagesWithoutText > 0
            ? `${summary.messagesWithoutText} messages went out without text (removed by retention).`
            : '',
          opts.events ? `Train with: lifeguard train ${opts.events} --labels ${opts.out} --out model.json` : '',
          "These files hold children's messages and account ids: keep them as protected as the database.",
        ];
        process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
        if (summary.labels.harmful === 0 || summary.labels.benign === 0) {
          process.stderr.write(
            'note: lifeguard train needs both harmful and benign conversations; this export has only one kind.\n',
          );
        }
      },
    );
}
