// CLI commands for known-image matching, registered onto the main `lifeguard` program:
//
//   lifeguard hash FILE...                      PDQ hash and quality (--dihedral, --json)
//   lifeguard match FILE... [--bank NAME]...    compare against enabled banks
//   lifeguard bank import NAME FILE             import a hash list (creates the bank)
//   lifeguard bank list | create | delete | enable | disable | add | remove | export
//
// Banks persist in a directory (--banks-dir, else $LIFEGUARD_HOME/banks, else .lifeguard/banks).
// Output never includes image content: hashes, distances, bank names and list metadata only.
// One file per command group: hashCli.ts, matchCli.ts, bankCli.ts and videoCli.ts, with what
// they share in imageCliContext.ts.

import type { Command } from 'commander';
import { registerBankCommands } from './bankCli.ts';
import { registerHashCommand } from './hashCli.ts';
import { type ImageCommandOptions, imageCliContext } from './imageCliContext.ts';
import { registerMatchCommand } from './matchCli.ts';
import { registerVideoCommands } from './videoCli.ts';

export type { ImageCommandOptions } from './imageCliContext.ts';
export { matchHashes, type FileMatch } from './matchCli.ts';

export function registerImageCommands(program: Command, options: ImageCommandOptions = {}): void {
  const ctx = imageCliContext(options);
  registerVideoCommands(program, ctx.video);
  registerHashCommand(program, ctx);
  registerMatchCommand(program, ctx);
  registerBankCommands(program, ctx);
}
