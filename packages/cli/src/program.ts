// The `lifeguard` command line: scan, eval, train and schema here; image (PDQ) and service
// commands are registered by their own packages.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
// The commands and the core load when a command runs, so that --version and --help start fast.
import { parseAgeOption } from './ageOption.ts';
import { DEFAULT_MAX_PRINTED_ISSUES, EXPORT_LAYOUTS, type InputFormat } from './input/types.ts';
import { terminalSafe } from './terminal.ts';

/** Commands defined in this package: for these the other packages are not even loaded. */
export const OWN_COMMANDS = ['scan', 'report', 'eval', 'train', 'schema', 'help'] as const;

interface Extension {
  /** Package subpath that registers the commands, e.g. '@lifeguard/pdq/cli'. */
  specifier: string;
  /**
   * Imports it. A literal import (not import(specifier)) so that the build (scripts/build.mjs) can
   * point it at the other package's built file.
   */
  load: () => Promise<Record<string, unknown>>;
  exportName: string;
  commands: string[];
  what: string;
}

export const EXTENSIONS: Extension[] = [
  {
    specifier: '@lifeguard/pdq/cli',
    load: () => import('@lifeguard/pdq/cli'),
    exportName: 'registerImageCommands',
    commands: ['hash', 'match', 'bank'],
    what: 'image hashing and matching (PDQ)',
  },
  {
    specifier: '@lifeguard/service/cli',
    load: () => import('@lifeguard/service/cli'),
    exportName: 'registerServiceCommands',
    commands: ['serve', 'demo', 'keys', 'staff', 'labels', 'evidence'],
    what: 'the HTTP service',
  },
];

function number(name: string, min: number, max: number) {
  return (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    }
    return parsed;
  };
}

function integer(name: string, min: number) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    return parsed;
  };
}

const formatOption = () =>
  new Option('--format <layout>', 'input layout (default: worked out from the file)')
    .choices(['auto', 'jsonl', 'pan', ...EXPORT_LAYOUTS])
    .default('auto');

/** --age NAME=AGE, repeatable, into one map. */
function collectAge(value: string, previous: Map<string, number>): Map<string, number> {
  let pair: [string, number];
  try {
    pair = parseAgeOption(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return new Map(previous).set(pair[0], pair[1]);
}
const ageOption = () =>
  new Option('--age <NAME=AGE>', "declare a participant's age (repeatable); chat exports carry no ages")
    .argParser(collectAge)
    .default(new Map(), 'none');
const maxErrorsOption = () =>
  new Option('--max-errors <n>', 'input problems printed on stderr before only counting them')
    .argParser(integer('--max-errors', 0))
    .default(DEFAULT_MAX_PRINTED_ISSUES);

/** Runs an action and turns its result into process.exitCode. */
function exitWith(action: () => Promise<number>): Promise<void> {
  return action().then((code) => {
    process.exitCode = code;
  });
}

/** The version in this package's package.json (at the same depth from src/ and from the built dist/). */
function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function createProgram(): Command {
  const program = new Command();
  // Every message commander and the commands (bank, match, ...) print on stderr may quote input.
  program.configureOutput({
    writeErr: (text) => process.stderr.write(terminalSafe(text)),
    outputError: (text, write) => write(text),
  });
  program
    .name('lifeguard')
    .version(cliVersion(), '-V, --version', 'print the version')
    .description('Lifeguard child-safety engine: find grooming and sextortion risk in chat logs for human review.')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (also when some input lines were skipped), 1 wrong usage or internal error, 2 unusable input (missing file, unreadable layout).',
    );

  program
    .command('scan')
    .description('score every conversation and account in a chat log and explain the risky ones')
    .argument(
      '<file>',
      'JSONL events (schema: lifeguard schema), PAN 2012 XML (.gz accepted), or a chat export: WhatsApp .txt/.zip, Discord, Instagram/Facebook, Telegram, Snapchat (file, folder or .zip)',
    )
    .addOption(formatOption())
    .addOption(ageOption())
    .option('--json', 'print one JSON document instead of text', false)
    .option(
      '--min-score <score>',
      'show conversations and accounts scoring at least this (0..1)',
      number('--min-score', 0, 1),
      0.5,
    )
    .option('--limit <n>', 'show at most this many conversations and accounts', integer('--limit', 0), 20)
    .option('--model <model.json>', 'use a model written by lifeguard train')
    .option('--no-progress', 'no progress bar (it only appears on a terminal anyway)')
    .addOption(maxErrorsOption())
    .action(
      (
        file: string,
        opts: {
          format: InputFormat | 'auto';
          age: Map<string, number>;
          json: boolean;
          minScore: number;
          limit: number;
          model?: string;
          progress: boolean;
          maxErrors: number;
        },
      ) => exitWith(async () => (await import('./commands/scan.ts')).scanCommand(file, { ...opts, ages: opts.age })),
    );

  program
    .command('report')
    .description(
      'write a self-contained HTML triage report: timeline, participants, flagged messages, grooming stages, risk over time',
    )
    .argument('<file>', 'a chat export (file, folder or .zip) or any input scan reads')
    .requiredOption('--html <out.html>', 'where to write the report (one file, no media embedded)')
    .addOption(formatOption())
    .addOption(ageOption())
    .option('--min-score <score>', 'review threshold drawn in the charts (0..1)', number('--min-score', 0, 1), 0.5)
    .option(
      '--limit <n>',
      'conversations shown in full (highest score first); the others are listed',
      integer('--limit', 1),
      20,
    )
    .option('--model <model.json>', 'use a model written by lifeguard train')
    .option('--no-progress', 'no progress bar')
    .addOption(maxErrorsOption())
    .action(
      (
        file: string,
        opts: {
          html: string;
          format: InputFormat | 'auto';
          age: Map<string, number>;
          minScore: number;
          limit: number;
          model?: string;
          progress: boolean;
          maxErrors: number;
        },
      ) =>
        exitWith(async () => (await import('./commands/report.ts')).reportCommand(file, { ...opts, ages: opts.age })),
    );

  program
    .command('eval')
    .description('measure precision, recall, F0.5, ROC-AUC and time-to-alert on a labelled chat log')
    .argument('<file>', 'PAN 2012 XML chat logs (or JSONL events)')
    .option('--predators <ids.txt>', 'offender author ids, one per line')
    .option(
      '--labels <labels.jsonl>',
      'conversation labels instead: {"conversationId": "...", "label": "harmful"|"benign"} per line',
    )
    .option(
      '--threshold <score>',
      'score at or above which a conversation or account counts as flagged',
      number('--threshold', 0, 1),
      0.5,
    )
    .option('--json', 'print the figures as JSON', false)
    .option('--model <model.json>', 'use a model written by lifeguard train')
    .addOption(formatOption())
    .option('--no-progress', 'no progress bar')
    .addOption(maxErrorsOption())
    .action(
      (
        file: string,
        opts: {
          predators?: string;
          labels?: string;
          threshold: number;
          json: boolean;
          model?: string;
          format: InputFormat | 'auto';
          progress: boolean;
          maxErrors: number;
        },
      ) => exitWith(async () => (await import('./commands/eval.ts')).evalCommand(file, opts)),
    );

  program
    .command('train')
    .description('fit the conversation risk model to labelled conversations and write it as JSON')
    .argument('<file>', 'PAN XML with --predators, or JSONL events with --labels')
    .option('--predators <ids.txt>', 'offender author ids (PAN): a conversation with an offender is harmful')
    .option(
      '--labels <labels.jsonl>',
      '{"conversationId": "...", "label": "harmful"|"benign"} per line (e.g. moderators\' decisions)',
    )
    .requiredOption('--out <model.json>', 'where to write the model')
    .option(
      '--model <model.json>',
      'start from this model instead of the built-in one (it is the prior the fit is pulled towards)',
    )
    .option(
      '--id <name>',
      'name the model records with every score it produces (default: none; the service then names it after the file)',
    )
    .option('--no-balance', 'do not weigh classes to equal total weight')
    .option('--json', 'print the summary as JSON', false)
    .addOption(formatOption())
    .option('--no-progress', 'no progress bar')
    .addOption(maxErrorsOption())
    .action(
      (
        file: string,
        opts: {
          predators?: string;
          labels?: string;
          out: string;
          model?: string;
          id?: string;
          balance: boolean;
          json: boolean;
          format: InputFormat | 'auto';
          progress: boolean;
          maxErrors: number;
        },
      ) => exitWith(async () => (await import('./commands/train.ts')).trainCommand(file, opts)),
    );

  program
    .command('schema')
    .description('print the JSON Schema of the input events')
    .action(async () => {
      const { eventJsonSchema } = await import('@lifeguard/core');
      console.log(JSON.stringify(eventJsonSchema(), null, 2));
    });

  return program;
}

type Register = (program: Command) => void;

async function importExtension(extension: Extension): Promise<{ register: Register | null; problem: string | null }> {
  let module: Record<string, unknown>;
  try {
    module = await extension.load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'ERR_MODULE_NOT_FOUND') {
      return {
        register: null,
        problem: `${extension.specifier} is not available (${(error as Error).message.split('\n')[0]})`,
      };
    }
    return { register: null, problem: `${extension.specifier} failed to load: ${(error as Error).message}` };
  }
  const register = module[extension.exportName];
  if (typeof register !== 'function') {
    return { register: null, problem: `${extension.specifier} does not export ${extension.exportName}()` };
  }
  return { register: register as Register, problem: null };
}

/** Adds the other packages' commands; a missing package leaves stubs that say what is missing. */
export async function registerExtensions(program: Command): Promise<void> {
  for (const extension of EXTENSIONS) {
    const { register, problem } = await importExtension(extension);
    if (register) {
      register(program);
      continue;
    }
    for (const name of extension.commands) {
      if (program.commands.some((c) => c.name() === name)) continue;
      program
        .command(name, { hidden: true })
        .allowUnknownOption()
        .allowExcessArguments()
        .action(() => {
          process.stderr.write(
            `error: "${name}" belongs to ${extension.what}, which is not available in this install: ${problem}\n`,
          );
          process.exitCode = 2;
        });
    }
  }
}

/** True when the command line names one of this package's own commands (so extensions need not load). */
export function needsOnlyOwnCommands(args: readonly string[]): boolean {
  if (args.length > 0 && args.every((a) => a === '--version' || a === '-V')) return true;
  const first = args.find((a) => !a.startsWith('-'));
  return first !== undefined && (OWN_COMMANDS as readonly string[]).includes(first) && first !== 'help';
}
