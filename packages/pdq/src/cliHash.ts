// lifeguard hash FILE...: the PDQ hash and quality of image files (--dihedral, --json).
import type { Command } from 'commander';
import { io, type ImageCommandContext } from './cliContext.ts';
import { DIHEDRAL_NAMES } from './pdq.ts';

export function registerHashCommand(program: Command, c: ImageCommandContext): void {
  const { forEachHashed, orientationOption, maxPixelsOption } = c;
  program
    .command('hash')
    .description('print the PDQ hash and quality of image files (JPEG, PNG, WebP, GIF, TIFF, HEIF)')
    .argument('<files...>', 'image files')
    .option('--dihedral', 'also print the hashes of the 7 rotations/mirror images')
    .option('--json', 'one JSON object per file (adds MD5, SHA-256, size, orientation)')
    .addOption(orientationOption())
    .addOption(maxPixelsOption())
    .action(
      async (
        files: string[],
        opts: { dihedral?: boolean; json?: boolean; orientation: string; maxPixels?: number },
        cmd: Command,
      ) => {
        const { out } = io(cmd);
        await forEachHashed(cmd, files, opts, (file, h) => {
          if (opts.json) {
            out(JSON.stringify({ ...h, source: file }));
          } else if (opts.dihedral && h.dihedral) {
            for (const name of DIHEDRAL_NAMES) out(`${h.dihedral[name]},${h.quality},${file},${name}`);
          } else {
            out(`${h.pdq},${h.quality},${file}`);
          }
        });
      },
    );
}
