// CLI commands for known-image matching, registered onto the main `lifeguard` program:
//
//   lifeguard hash FILE...                      PDQ hash and quality (--dihedral, --json)
//   lifeguard match FILE... [--bank NAME]...    compare against enabled banks
//   lifeguard bank import NAME FILE             import a hash list (creates the bank)
//   lifeguard bank list | create | delete | enable | disable | add | remove | export
//
// Banks persist in a directory (--banks-dir, else $LIFEGUARD_HOME/banks, else .lifeguard/banks).
// Output never includes image content: hashes, distances, bank names and list metadata only.

import type { Command } from 'commander';
import { imageCommandContext, type ImageCommandOptions } from './cliContext.ts';
import { registerHashCommand } from './cliHash.ts';
import { registerMatchCommand } from './cliMatch.ts';
import { registerBankCommands } from './cliBank.ts';

export type { ImageCommandOptions } from './cliContext.ts';
export { matchHashes, type FileMatch } from './cliMatch.ts';

export function registerImageCommands(program: Command, options: ImageCommandOptions = {}): void {
  const context = imageCommandContext(options);
  registerHashCommand(program, context);
  registerMatchCommand(program, context);
  registerBankCommands(program, context);
}
