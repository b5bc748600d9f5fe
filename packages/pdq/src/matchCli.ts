// `lifeguard match FILE... [--bank NAME]...`: images against the enabled banks (PDQ within a
// distance, MD5/SHA-256 exactly).

import type { Command } from 'commander';
import { DEFAULT_MAX_DISTANCE, type BankMatch, type BankRegistry } from './bank.ts';
import { loadRegistry } from './bankStore.ts';
import { hexToHash } from './hex.ts';
import type { ImageHashes } from './imageHash.ts';
import { type ImageCliContext, collect, fail, intOption, io, printable } from './imageCliContext.ts';
import { DIHEDRAL_NAMES, PDQ_RECOMMENDED_MIN_QUALITY } from './pdq.ts';

export function registerMatchCommand(program: Command, ctx: ImageCliContext): void {
  const { banksDir, store, forEachHashed, orientationOption, maxPixelsOption, shrinkOption, guard } = ctx;
  program
    .command('match')
    .description('match image files against the enabled hash banks (PDQ within a distance, MD5/SHA-256 exactly)')
    .argument('<files...>', 'image files')
    .option('--bank <name>', 'only this bank (repeatable); default: every enabled bank', collect)
    .option('--banks-dir <dir>', 'bank directory (default $LIFEGUARD_HOME/banks or .lifeguard/banks)')
    .option(
      '--max-distance <n>',
      `PDQ Hamming distance that counts as a match (default ${DEFAULT_MAX_DISTANCE})`,
      intOption('--max-distance', 0, 256),
    )
    .option(
      '--min-quality <n>',
      `skip PDQ matching for images of lower quality (default ${PDQ_RECOMMENDED_MIN_QUALITY}); exact hashes are always checked`,
      intOption('--min-quality', 0, 100),
    )
    .option('--dihedral', 'also match rotated and mirrored copies (8 PDQ lookups per image)')
    .option('--json', 'one JSON object per file')
    .addOption(orientationOption())
    .addOption(maxPixelsOption())
    .addOption(shrinkOption())
    .action(
      async (
        files: string[],
        opts: {
          bank?: string[];
          maxDistance?: number;
          minQuality?: number;
          dihedral?: boolean;
          json?: boolean;
          orientation: string;
          maxPixels?: number;
          shrinkOnLoad?: boolean;
        },
        cmd: Command,
      ) =>
        guard(cmd, async () => {
          const { out, err } = io(cmd);
          const maxDistance = opts.maxDistance ?? DEFAULT_MAX_DISTANCE;
          const minQuality = opts.minQuality ?? PDQ_RECOMMENDED_MIN_QUALITY;
          const registry = await loadRegistry(store(cmd), opts.bank);
          const banks = registry.selected(opts.bank);
          if (banks.length === 0)
            fail(cmd, `no enabled banks in ${banksDir(cmd)} (import one with: lifeguard bank import NAME FILE)`);
          await forEachHashed(cmd, files, opts, (file, h) => {
            const matches = matchHashes(registry, h, {
              banks: opts.bank,
              maxDistance,
              minQuality,
              dihedral: opts.dihedral === true,
            });
            const pdqChecked = h.quality >= minQuality;
            if (opts.json) {
              out(
                JSON.stringify({
                  file,
                  pdq: h.pdq,
                  quality: h.quality,
                  pdqChecked,
                  md5: h.md5,
                  sha256: h.sha256,
                  matches,
                }),
              );
              return;
            }
            if (!pdqChecked) {
              err(
                `note: ${file}: quality ${h.quality} is below ${minQuality}, PDQ not matched (MD5/SHA-256 were checked)`,
              );
            }
            if (matches.length === 0) {
              out(`no match  ${file}  (pdq ${h.pdq} quality ${h.quality}; ${banks.length} bank(s))`);
            }
            for (const m of matches) {
              const parts = [
                `MATCH  ${file}`,
                `bank=${m.bank}`,
                `kind=${m.kind}`,
                `distance=${m.distance}`,
                `hash=${m.hash}`,
              ];
              if (m.transform && m.transform !== 'orig') parts.push(`transform=${m.transform}`);
              if (m.meta !== undefined) parts.push(`meta=${JSON.stringify(printable(m.meta))}`);
              out(parts.join('  '));
            }
          });
        }),
    );
}

export interface FileMatch extends Omit<BankMatch, 'kind'> {
  kind: BankMatch['kind'];
  /** Which dihedral variant of the query matched (pdq only). */
  transform?: string;
}

/** All bank matches for one hashed image: exact MD5/SHA-256, then PDQ (and its variants). */
export function matchHashes(
  registry: BankRegistry,
  h: ImageHashes,
  options: { banks?: readonly string[] | undefined; maxDistance: number; minQuality: number; dihedral: boolean },
): FileMatch[] {
  const sel = options.banks === undefined ? {} : { banks: options.banks };
  const out: FileMatch[] = [];
  for (const kind of ['md5', 'sha256'] as const) out.push(...registry.matchExact(kind, h[kind], sel));
  if (h.quality < options.minQuality) return out;
  const variants: [string, string][] =
    options.dihedral && h.dihedral ? DIHEDRAL_NAMES.map((n) => [n, h.dihedral![n]]) : [['orig', h.pdq]];
  const best = new Map<string, FileMatch>();
  for (const [transform, hex] of variants) {
    for (const m of registry.matchPdq(hexToHash(hex), { ...sel, maxDistance: options.maxDistance })) {
      const key = `${m.bank}:${m.hash}`;
      const prev = best.get(key);
      if (!prev || m.distance < prev.distance) best.set(key, { ...m, transform });
    }
  }
  out.push(...[...best.values()].sort((a, b) => a.distance - b.distance || a.bank.localeCompare(b.bank)));
  return out;
}
