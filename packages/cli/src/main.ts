// Entry point of the `lifeguard` binary (bin/lifeguard.mjs registers tsx, then imports this).
import { createProgram, needsOnlyOwnCommands, registerExtensions } from './program.ts';
import { UnusableInputError } from './input/types.ts';
import { terminalSafe } from './terminal.ts';

async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  const args = argv.slice(2);
  // Loading the service pulls in a web server; a scan should not pay for that.
  if (!needsOnlyOwnCommands(args)) await registerExtensions(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof UnusableInputError) {
      process.stderr.write(`error: ${terminalSafe(error.message)}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`internal error: ${terminalSafe((error as Error).stack ?? String(error))}\n`);
    process.exitCode = 1;
  }
}

// An EPIPE on stdout (`lifeguard scan x | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await main(process.argv);
