// `lifeguard hash FILE...`: PDQ hash and quality of images (--dihedral, --json); videos are
// handed to the video commands.

import { type Command, InvalidArgumentError } from 'commander';
import { type ImageCliContext, fail, io } from './imageCliContext.ts';
import { DIHEDRAL_NAMES } from './pdq.ts';
import { isVideoFile, printVideoHashes } from './videoCli.ts';

export function registerHashCommand(program: Command, ctx: ImageCliContext): void {
  const { abs, forEachHashed, orientationOption, maxPixelsOption, shrinkOption, video: videoContext } = ctx;
  program
    .command('hash')
    .description(
      'print the PDQ hash and quality of image files (JPEG, PNG, WebP, GIF, TIFF, HEIF); ' +
        'for a video, hash,quality,file,timestamp per distinct frame sampled (needs ffmpeg)',
    )
    .argument('<files...>', 'image or video files')
    .option('--dihedral', 'also print the hashes of the 7 rotations/mirror images')
    .option('--json', 'one JSON object per file (adds MD5, SHA-256, size, orientation)')
    .addOption(orientationOption())
    .addOption(maxPixelsOption())
    .addOption(shrinkOption())
    .option('--fps <n>', 'video frames sampled per second (default 1)', (v: string) => {
      const n = Number(v);
      if (!(n >= 0.01 && n <= 60)) throw new InvalidArgumentError('--fps must be a number from 0.01 to 60');
      return n;
    })
    .action(
      async (
        all: string[],
        opts: {
          dihedral?: boolean;
          json?: boolean;
          orientation: string;
          maxPixels?: number;
          shrinkOnLoad?: boolean;
          fps?: number;
        },
        cmd: Command,
      ) => {
        const { out } = io(cmd);
        const isVideo = await Promise.all(all.map((f) => isVideoFile(abs(f))));
        const videos = all.filter((_, i) => isVideo[i]);
        const files = all.filter((_, i) => !isVideo[i]);
        const videoFailures = await printVideoHashes(videoContext, cmd, videos, opts);
        if (files.length > 0) {
          await forEachHashed(cmd, files, opts, (file, h) => {
            if (opts.json) {
              out(JSON.stringify({ ...h, source: file }));
            } else if (opts.dihedral && h.dihedral) {
              for (const name of DIHEDRAL_NAMES) out(`${h.dihedral[name]},${h.quality},${file},${name}`);
            } else {
              out(`${h.pdq},${h.quality},${file}`);
            }
          });
        }
        if (videoFailures > 0) fail(cmd, `${videoFailures} of ${videos.length} video(s) could not be hashed`);
      },
    );
}
